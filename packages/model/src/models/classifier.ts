/**
 * A classifier ready to train: its definition, the layout of its flat
 * parameter vector and initial values. Built in (buildModel) or imported.
 */
import { UnknownModelError } from '../errors';
import type { ModelDefinition } from '../graph/definition';
import { manifestOf, type Manifest } from '../params/manifest';
import { cnnDefinition, initialParameters, mlpDefinition } from './builtin';

/** A model definition with its parameter manifest and initial parameters. */
export interface Classifier {
  readonly name: string;
  readonly definition: ModelDefinition;
  readonly manifest: Manifest;
  readonly initialParams: Float32Array;
}

/** Names of the built-in models. */
export type BuiltinModel = 'mlp' | 'cnn';

/** Wraps a definition and initial parameters. */
export function classifierOf(definition: ModelDefinition, initialParams: Float32Array): Classifier {
  return { name: definition.name, definition, manifest: manifestOf(definition.parameters), initialParams };
}

/**
 * A built-in model with seeded initial parameters: `mlp` (784-200-200-10, the
 * 2NN of McMahan et al.) or `cnn` (two 5×5 convolutions of 32 and 64 channels
 * each followed by 2×2 max-pooling, fc 512, fc 10).
 */
export function buildModel(name: string, options: { readonly seed: number }): Classifier {
  let definition: ModelDefinition;
  if (name === 'mlp') definition = mlpDefinition();
  else if (name === 'cnn') definition = cnnDefinition();
  else throw new UnknownModelError(name);
  return classifierOf(definition, initialParameters(definition, options.seed));
}

const built = new Map<string, Classifier>();

/**
 * The built-in model `name`, built once per thread, for callers that bring
 * their own parameters: its definition and manifest (its initial parameters,
 * seed 0, are not theirs to use). Throws UnknownModelError.
 */
export function builtModel(name: string): Classifier {
  let model = built.get(name);
  if (!model) {
    model = buildModel(name, { seed: 0 });
    built.set(name, model);
  }
  return model;
}
