/** Flags every command for a running mesh shares: service addresses, --json, and checked numbers. */
import { UsageError } from '../command';

/** Where each service listens by default (the compose file's published ports). */
export const DEFAULT_ADDRESSES = {
  validator: '127.0.0.1:7200',
  registry: '127.0.0.1:7100',
  aggregator: '127.0.0.1:7300',
} as const;

const ENV = { validator: 'LEARNCHAIN_VALIDATOR', registry: 'LEARNCHAIN_REGISTRY', aggregator: 'LEARNCHAIN_AGGREGATOR' } as const;

/** Throws UsageError naming the first flag the command does not know. */
export function checkFlags(flags: ReadonlyMap<string, string>, known: readonly string[]): void {
  for (const name of flags.keys()) if (!known.includes(name)) throw new UsageError(`unknown flag --${name}`);
}

/** Whether HOST:PORT is well formed (a host name, an IPv4 address or a [bracketed] IPv6 address, and a port 1-65535). */
export function isAddress(address: string): boolean {
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/.exec(address);
  if (!match) return false;
  const port = Number(match[2]);
  return port >= 1 && port <= 65535;
}

/** The address of a service: its flag, else its environment variable, else the default. */
export function serviceAddress(flags: ReadonlyMap<string, string>, service: keyof typeof DEFAULT_ADDRESSES, env: NodeJS.ProcessEnv = process.env): string {
  const address = flags.get(service) ?? env[ENV[service]] ?? DEFAULT_ADDRESSES[service];
  if (!isAddress(address)) throw new UsageError(`--${service} must be HOST:PORT, got ${address}`);
  return address;
}

/** Whether --json was given (and not --json=false). */
export function wantsJson(flags: ReadonlyMap<string, string>): boolean {
  const value = flags.get('json');
  return value !== undefined && value !== 'false';
}

/** An integer flag within bounds, or the fallback when absent. */
export function intFlag(flags: ReadonlyMap<string, string>, name: string, fallback: number, min: number, max: number): number {
  const raw = flags.get(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got ${raw}`);
  return n;
}

/** A number flag within bounds, or the fallback when absent. */
export function numberFlag(flags: ReadonlyMap<string, string>, name: string, fallback: number, min: number, max: number): number {
  const raw = flags.get(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${name} must be a number from ${min} to ${max}, got ${raw}`);
  return n;
}

/** A flag whose value is one of `choices`. */
export function choiceFlag<T extends string>(flags: ReadonlyMap<string, string>, name: string, choices: readonly T[], fallback: T): T {
  const raw = flags.get(name) ?? fallback;
  if (!(choices as readonly string[]).includes(raw)) throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got ${raw}`);
  return raw as T;
}
