/**
 * The four services' in-process starters. Types come from the packages (built
 * through project references); the code is loaded from the services' sources
 * when the CLI itself runs from source (tsx, `npm start` after `npm ci`, no
 * build needed), and from their builds otherwise.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import type * as Aggregator from '@learnchain/aggregator';
import type * as Registry from '@learnchain/registry';
import type * as Trainer from '@learnchain/trainer';
import type * as Validator from '@learnchain/validator';

function load<T>(name: string): T {
  const source = join(__dirname, '..', '..', '..', 'services', name, 'src', 'index.ts');
  if (__filename.endsWith('.ts') && existsSync(source)) return require(source) as T;
  return require(`@learnchain/${name}/dist/index.js`) as T;
}

export const services = {
  registry: (): typeof Registry => load<typeof Registry>('registry'),
  validator: (): typeof Validator => load<typeof Validator>('validator'),
  aggregator: (): typeof Aggregator => load<typeof Aggregator>('aggregator'),
  trainer: (): typeof Trainer => load<typeof Trainer>('trainer'),
};

export type RunningRegistry = Registry.RunningRegistry;
export type RunningValidator = Validator.RunningValidator;
export type RunningAggregator = Aggregator.RunningAggregator;
export type RunningTrainer = Trainer.RunningTrainer;
