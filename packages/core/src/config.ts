/**
 * Configuration from environment variables and command-line flags, declared as
 * a schema, validated once at start. A bad value stops the process with an error
 * that names the variable and the flag; the same schema renders the reference
 * table in README.md, so documentation cannot drift from the code.
 */
import { ConfigError, UnknownFlagError } from './errors';

export interface Field<T> {
  /** The environment variable, e.g. LEARNCHAIN_PORT. */
  readonly env: string;
  /** The command-line flag without dashes, e.g. port. Flags win over the environment. */
  readonly flag?: string;
  readonly doc: string;
  /** Used when neither env nor flag is given; a field without one is required. */
  readonly default?: T;
  /** The type as documentation shows it. */
  readonly kind: string;
  /** Turns the raw text into a value or throws an Error whose message is the reason. */
  readonly parse: (raw: string) => T;
  /** For boolean flags, which take no value. */
  readonly isSwitch?: boolean;
}

type Options<T> = { env: string; flag?: string; doc: string; default?: T };

function make<T>(kind: string, options: Options<T>, parse: (raw: string) => T, isSwitch = false): Field<T> {
  return { ...options, kind, parse, ...(isSwitch ? { isSwitch } : {}) };
}

export const field = {
  string: (options: Options<string>): Field<string> =>
    make('string', options, (raw) => {
      if (raw.length === 0) throw new Error('must not be empty');
      return raw;
    }),
  int: (options: Options<number> & { min?: number; max?: number }): Field<number> =>
    make('integer', options, (raw) => {
      if (!/^-?\d+$/.test(raw.trim())) throw new Error(`expected an integer, got '${raw}'`);
      const value = Number(raw);
      if (options.min !== undefined && value < options.min) throw new Error(`must be at least ${options.min}, got ${value}`);
      if (options.max !== undefined && value > options.max) throw new Error(`must be at most ${options.max}, got ${value}`);
      return value;
    }),
  /** 0 (none, off), or an integer from `min` to `max`. */
  intOrZero: (options: Options<number> & { min: number; max?: number }): Field<number> => {
    const { min, ...range } = options;
    const int = field.int(range);
    return make('integer', options, (raw) => {
      const value = int.parse(raw);
      if (value !== 0 && value < min) throw new Error(`must be 0 or at least ${min}, got ${value}`);
      return value;
    });
  },
  number: (options: Options<number> & { min?: number; max?: number }): Field<number> =>
    make('number', options, (raw) => {
      const value = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(value)) throw new Error(`expected a number, got '${raw}'`);
      if (options.min !== undefined && value < options.min) throw new Error(`must be at least ${options.min}, got ${value}`);
      if (options.max !== undefined && value > options.max) throw new Error(`must be at most ${options.max}, got ${value}`);
      return value;
    }),
  boolean: (options: Options<boolean>): Field<boolean> =>
    make(
      'boolean',
      options,
      (raw) => {
        const text = raw.trim().toLowerCase();
        if (['1', 'true', 'yes', 'on'].includes(text)) return true;
        if (['0', 'false', 'no', 'off'].includes(text)) return false;
        throw new Error(`expected true or false, got '${raw}'`);
      },
      true,
    ),
  url: (options: Options<string> & { protocols: readonly string[] }): Field<string> =>
    make(`url (${options.protocols.join(', ')})`, options, (raw) => {
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        throw new Error(`expected a URL, got '${raw}'`);
      }
      if (!options.protocols.includes(url.protocol.replace(/:$/, ''))) {
        throw new Error(`expected a ${options.protocols.join(' or ')} URL, got '${url.protocol}'`);
      }
      return raw;
    }),
  /** host:port, as gRPC addresses are written. */
  address: (options: Options<string>): Field<string> =>
    make('host:port', options, (raw) => {
      const match = /^(.+):(\d{1,5})$/.exec(raw.trim());
      if (!match || Number(match[2]) > 65535) throw new Error(`expected host:port, got '${raw}'`);
      return raw.trim();
    }),
  oneOf: <const V extends string>(options: Options<V> & { values: readonly V[] }): Field<V> =>
    make(options.values.join(' | '), options, (raw) => {
      if (!(options.values as readonly string[]).includes(raw)) {
        throw new Error(`expected one of ${options.values.join(', ')}, got '${raw}'`);
      }
      return raw as V;
    }),
  list: (options: Options<readonly string[]>): Field<readonly string[]> =>
    make('comma-separated list', options, (raw) =>
      raw
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item.length > 0),
    ),
  /** Optional: absent means undefined, never an error. */
  optional: <T>(inner: Field<T>): Field<T | undefined> => ({ ...inner, default: inner.default }),
};

export type Schema = Readonly<Record<string, Field<unknown>>>;
export type ConfigOf<S extends Schema> = { readonly [K in keyof S]: S[K] extends Field<infer T> ? T : never };

export interface ConfigSources {
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Flags only (no program name), e.g. ['--port', '7000', '--trace']. */
  readonly argv?: readonly string[];
}

/** Parses --name value, --name=value, --switch and --no-switch into a map; the rest are positionals. */
export function parseFlags(
  argv: readonly string[],
  isSwitch: (name: string) => boolean = () => false,
): { flags: Map<string, string>; positionals: string[] } {
  const flags = new Map<string, string>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const body = arg.slice(2);
    const eq = body.indexOf('=');
    if (eq >= 0) {
      flags.set(body.slice(0, eq), body.slice(eq + 1));
    } else if (isSwitch(body)) {
      flags.set(body, 'true');
    } else if (body.startsWith('no-') && isSwitch(body.slice(3))) {
      flags.set(body.slice(3), 'false');
    } else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) flags.set(body, 'true');
      else {
        flags.set(body, next);
        i++;
      }
    }
  }
  return { flags, positionals };
}

/** Reads and validates every field; throws ConfigError for the first bad one, UnknownFlagError for a stray flag. */
export function loadConfig<S extends Schema>(schema: S, sources: ConfigSources = {}): ConfigOf<S> {
  const env = sources.env ?? process.env;
  const fields = Object.values(schema);
  const { flags } = parseFlags(sources.argv ?? [], (name) => fields.some((f) => f.flag === name && f.isSwitch));
  for (const name of flags.keys()) {
    if (!fields.some((f) => f.flag === name)) throw new UnknownFlagError(name);
  }
  const config: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(schema)) {
    const raw = (spec.flag !== undefined ? flags.get(spec.flag) : undefined) ?? env[spec.env];
    if (raw === undefined || raw === '') {
      if (!('default' in spec)) throw new ConfigError(spec.env, spec.flag, 'is required');
      config[key] = spec.default;
      continue;
    }
    try {
      config[key] = spec.parse(raw);
    } catch (error) {
      throw new ConfigError(spec.env, spec.flag, (error as Error).message);
    }
  }
  return config as ConfigOf<S>;
}

export interface ConfigRow {
  readonly env: string;
  readonly flag: string;
  readonly kind: string;
  readonly default: string;
  readonly doc: string;
}

/** The schema as documentation rows (README's configuration reference is generated from these). */
export function describeConfig(schema: Schema): ConfigRow[] {
  return Object.values(schema).map((spec) => ({
    env: spec.env,
    flag: spec.flag ? `--${spec.flag}` : '',
    kind: spec.kind,
    default: !('default' in spec) ? '(required)' : spec.default === undefined ? '' : JSON.stringify(spec.default),
    doc: spec.doc,
  }));
}

/** How long the event stream keeps events unless told otherwise: seven days. */
export const DEFAULT_EVENTS_MAX_AGE_MS = 7 * 24 * 3_600_000;

/** The event stream's settings, the same in every service that publishes or reads events. */
export const eventStreamFields = {
  stream: field.string({ env: 'LEARNCHAIN_STREAM', flag: 'stream', doc: 'The JetStream stream holding learnchain events.', default: 'learnchain' }),
  eventsMaxAgeMs: field.intOrZero({
    env: 'LEARNCHAIN_EVENTS_MAX_AGE_MS',
    flag: 'events-max-age-ms',
    doc: "How long the event stream keeps events (0: for ever, else 1000 to 10^12); set on the stream at start, also on one that exists. A consumer away longer misses what aged out: the aggregator reads the jobs it missed from the ledger.",
    default: DEFAULT_EVENTS_MAX_AGE_MS,
    min: 1_000,
    max: 1e12,
  }),
};
