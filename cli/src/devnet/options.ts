/** The devnet's flags, parsed and checked once. */
import { isUpdateEncoding, UPDATE_ENCODINGS, type UpdateEncoding } from '@learnchain/model/encoding';

import { intFlag, numberFlag } from '../client/flags';
import { MIXINGS, trainingFlags } from '../client/job';
import { UsageError } from '../command';

/** Everything a devnet run is shaped by. */
export interface DevnetOptions {
  readonly validators: number;
  readonly trainers: number;
  /** Partitions of the training split; trainers take the first `trainers` of them (more: smaller shards). */
  readonly clients: number;
  readonly byzantine: number;
  readonly attack: string;
  readonly rule: string;
  readonly rounds: number;
  readonly model: 'mlp' | 'cnn';
  readonly alpha: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly momentum: number;
  /** Augmentation: pixels each training image may be moved by in x and y (0: none). */
  readonly maxShift: number;
  readonly validationSamples: number;
  readonly seed: number;
  readonly json: boolean;
  readonly database: string | undefined;
  /** Each service as its own child process (needs database and nats). */
  readonly processes: boolean;
  readonly nats: string | undefined;
  readonly dir: string | undefined;
  readonly logLevel: string;
  readonly timeoutMs: number;
  readonly target: number | undefined;
  /** How trainers encode their updates (the job's update_encoding). */
  readonly encoding: UpdateEncoding;
  /** The rule's pre-aggregation mixing: `nnm` by default when trainers attack (a job configured for its Byzantine budget), else none. */
  readonly mixing: (typeof MIXINGS)[number];
  /** Where every service serves its metrics (host:0 gives each a free port); absent: not served. */
  readonly metricsListen?: string;
  /** Whether the aggregator opens each round before the previous one commits (LEARNCHAIN_ROUND_PIPELINE). */
  readonly pipeline: boolean;
  /** Validators' round-check threads (LEARNCHAIN_ROUND_CHECK_THREADS); 0, the devnet's default: checks on the event loop. */
  readonly roundCheckThreads: number;
}

export const DEVNET_USAGE =
  'learnchain devnet [--trainers N] [--byzantine K --attack NAME] [--rule NAME] [--rounds N] [--model mlp|cnn] [--json]\n' +
  '      [--database postgres://...] [--nats nats://...] [--validators N] [--clients M] [--alpha A] [--epochs E] [--batch B]\n' +
  '      [--lr LR] [--momentum M] [--shift PIXELS] [--validation-samples S] [--seed S] [--dir DIR] [--log-level LEVEL] [--timeout SECONDS] [--target ACCURACY]\n' +
  '      [--encoding float32|float16|int8] [--mixing nnm|none] [--processes] [--pipeline true|false]\n' +
  '      [--round-check-threads N]';

const KNOWN = new Set([
  'trainers', 'validators', 'clients', 'byzantine', 'attack', 'rule', 'rounds', 'model', 'alpha', 'epochs', 'batch', 'lr', 'momentum', 'shift',
  'validation-samples', 'seed', 'json', 'database', 'nats', 'dir', 'log-level', 'timeout', 'target', 'encoding', 'processes', 'mixing',
  'pipeline', 'round-check-threads',
]);

const RULES = ['fedavg', 'trimmed-mean', 'median', 'krum', 'multi-krum', 'geometric-median', 'centered-clipping', 'bulyan'];
const ATTACKS = ['sign-flip', 'scale', 'gaussian', 'label-flip', 'random'];

/** Parses the devnet's flags (throws UsageError with the reason). */
export function parseDevnetOptions(flags: Map<string, string>): DevnetOptions {
  for (const name of flags.keys()) if (!KNOWN.has(name)) throw new UsageError(`unknown flag --${name}`);
  const model = flags.get('model') ?? 'mlp';
  if (model !== 'mlp' && model !== 'cnn') throw new UsageError(`--model must be mlp or cnn, got ${model}`);
  const trainers = intFlag(flags, 'trainers', 4, 1, 64);
  const byzantine = intFlag(flags, 'byzantine', 0, 0, trainers);
  const attack = flags.get('attack') ?? (byzantine > 0 ? 'sign-flip' : 'none');
  if (byzantine > 0 && !ATTACKS.includes(attack)) throw new UsageError(`--attack must be one of ${ATTACKS.join(', ')}, got ${attack}`);
  if (byzantine === 0 && flags.has('attack')) throw new UsageError('--attack needs --byzantine K (how many trainers attack)');
  const rule = flags.get('rule') ?? 'trimmed-mean';
  if (!RULES.includes(rule)) throw new UsageError(`--rule must be one of ${RULES.join(', ')}, got ${rule}`);
  const database = flags.get('database');
  if (database !== undefined && !/^postgres(ql)?:\/\//.test(database)) throw new UsageError('--database must be a postgres:// URL');
  const nats = flags.get('nats');
  if (nats !== undefined && !/^(nats|tls):\/\//.test(nats)) throw new UsageError('--nats must be a nats:// URL');
  const encoding = flags.get('encoding') ?? 'float32';
  if (!isUpdateEncoding(encoding)) throw new UsageError(`--encoding must be one of ${UPDATE_ENCODINGS.join(', ')}, got ${encoding}`);
  const mixing = flags.get('mixing') ?? (byzantine > 0 && rule !== 'fedavg' ? 'nnm' : 'none');
  if (!isMixing(mixing)) throw new UsageError(`--mixing must be one of ${MIXINGS.join(', ')}, got ${mixing}`);
  const json = flags.get('json');
  const processes = flags.has('processes') && flags.get('processes') !== 'false';
  if (processes && (database === undefined || nats === undefined)) {
    throw new UsageError('--processes needs --database postgres://... and --nats nats://... (services in separate processes share state only through them)');
  }
  const target = flags.get('target');
  const pipeline = flags.get('pipeline') ?? 'true';
  if (pipeline !== 'true' && pipeline !== 'false') throw new UsageError(`--pipeline must be true or false, got ${pipeline}`);
  return {
    validators: intFlag(flags, 'validators', 4, 1, 16),
    trainers,
    clients: intFlag(flags, 'clients', trainers, trainers, 1000),
    byzantine,
    attack,
    rule,
    rounds: intFlag(flags, 'rounds', model === 'cnn' ? 10 : 20, 1, 1000),
    model,
    ...trainingFlags(flags),
    json: json !== undefined && json !== 'false',
    database,
    processes,
    nats,
    dir: flags.get('dir'),
    logLevel: flags.get('log-level') ?? 'error',
    timeoutMs: numberFlag(flags, 'timeout', 600, 1, 86_400) * 1000,
    target: target === undefined ? undefined : numberFlag(flags, 'target', 0.95, 0, 1),
    encoding,
    mixing,
    pipeline: pipeline === 'true',
    roundCheckThreads: intFlag(flags, 'round-check-threads', 0, -1, 64),
  };
}

function isMixing(value: string): value is (typeof MIXINGS)[number] {
  return (MIXINGS as readonly string[]).includes(value);
}
