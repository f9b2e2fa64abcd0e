/**
 * docker-compose.yml as local processes: reads the compose file with `yaml`
 * (merge keys on), interpolates ${VAR:-default}, and turns each service into
 * the process the image would run — infra/docker/entrypoint.sh maps a command
 * `registry|validator|aggregator|trainer` to `services/<name>/dist/main.js`
 * and `learnchain` to the CLI; here their TypeScript sources run under tsx.
 * Every compose hostname gets its own loopback address (all of 127.0.0.0/8
 * answers on Linux), so services that all listen on one container port
 * (every validator on 0.0.0.0:7200) can run side by side: `0.0.0.0:PORT`
 * becomes the service's own address and `host:PORT` the address of that host.
 * Named volumes become folders, and the compose `postgres` and `nats` services
 * are replaced by the servers the tests were given.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parse } from 'yaml';

/** A service as the compose file describes it (the fields the wiring needs). */
export interface ComposeService {
  readonly image?: string;
  readonly command?: string | readonly string[];
  readonly entrypoint?: string | readonly string[];
  readonly environment?: Readonly<Record<string, string | number | boolean | null>>;
  readonly volumes?: readonly string[];
  readonly depends_on?: Readonly<Record<string, { readonly condition: string }>> | readonly string[];
  readonly profiles?: readonly string[];
}

export interface ComposeFile {
  readonly services: Readonly<Record<string, ComposeService>>;
}

/** Replaces ${VAR}, ${VAR:-default} and ${VAR-default} the way compose does, from `env`. */
export function interpolate(text: string, env: Readonly<Record<string, string | undefined>>): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}/g, (_, name: string, op: string | undefined, fallback: string | undefined) => {
    const value = env[name];
    if (op === ':-') return value === undefined || value === '' ? (fallback ?? '') : value;
    if (op === '-') return value === undefined ? (fallback ?? '') : value;
    return value ?? '';
  });
}

/** Reads and interpolates the compose file. */
export function readCompose(path: string, env: Readonly<Record<string, string | undefined>> = {}): ComposeFile {
  return parse(interpolate(readFileSync(path, 'utf8'), env), { merge: true }) as ComposeFile;
}

/** Where the entrypoint sends a service command: the TypeScript entry under the repository root. */
export function entryOf(command: string): string {
  switch (command) {
    case 'registry':
    case 'validator':
    case 'aggregator':
    case 'trainer':
      return `services/${command}/src/main.ts`;
    case 'learnchain':
      return 'cli/src/main.ts';
    default:
      throw new Error(`infra/docker/entrypoint.sh knows no service '${command}'`);
  }
}

/** How compose names map to this machine. */
export interface HostMap {
  /** compose hostname → loopback address (or the host of a replaced server). */
  readonly hosts: ReadonlyMap<string, string>;
  /** Absolute in-container path (a volume mount) → local folder. */
  readonly mounts: ReadonlyMap<string, string>;
  /** The loopback address of the service being translated (0.0.0.0 binds become it). */
  readonly self: string;
  /** Whole variables replaced (DATABASE_URL, NATS_URL): name → value. */
  readonly replace: Readonly<Record<string, string>>;
}

/** Rewrites one value: the service's own binds, other hosts' addresses, and volume paths. */
export function translateValue(value: string, map: HostMap): string {
  let out = value.replace(/\b0\.0\.0\.0:(\d+)\b/g, `${map.self}:$1`);
  for (const [host, ip] of map.hosts) {
    out = out.replace(new RegExp(`(^|[,/@\\s])${host.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}:(\\d+)`, 'g'), `$1${ip}:$2`);
  }
  for (const [mount, folder] of [...map.mounts].sort((a, b) => b[0].length - a[0].length)) {
    out = out.replace(new RegExp(`(^|[\\s=])${mount.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')}(?=/|$|\\s)`, 'g'), `$1${folder}`);
  }
  return out;
}

/** A service's environment as the local process gets it. */
export function translateEnvironment(service: ComposeService, map: HostMap): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, raw] of Object.entries(service.environment ?? {})) {
    const value = raw === null ? '' : String(raw);
    env[name] = map.replace[name] ?? translateValue(value, map);
  }
  return env;
}

/** The named volumes a service mounts: container path → volume name (bind mounts like ./x are skipped). */
export function volumeMounts(service: ComposeService): Map<string, string> {
  const mounts = new Map<string, string>();
  for (const spec of service.volumes ?? []) {
    const [source, target] = spec.split(':');
    if (!source || !target || source.startsWith('.') || source.startsWith('/')) continue;
    mounts.set(target, source);
  }
  return mounts;
}

/** The names of the services a service waits for. */
export function dependenciesOf(service: ComposeService): string[] {
  const deps = service.depends_on ?? [];
  return Array.isArray(deps) ? [...(deps as readonly string[])] : Object.keys(deps);
}

/** The command as an argument list (a string command is split on spaces, as compose does without a shell). */
export function commandOf(service: ComposeService): string[] {
  const command = service.command ?? [];
  return typeof command === 'string' ? command.split(/\s+/).filter((s) => s !== '') : [...command];
}

/** Maps every compose service name to its own loopback address: `${prefix}.2`, `${prefix}.3`, ... */
export function loopbackAddresses(names: readonly string[], prefix: string): Map<string, string> {
  return new Map(names.map((name, i) => [name, `${prefix}.${i + 2}`]));
}

/** The local path of the compose file. */
export const COMPOSE_FILE = join(__dirname, '..', '..', 'docker-compose.yml');

/** Rewrites the image's paths in a shell command: `node /app/<pkg>/dist/main.js` becomes node with tsx on the source under `root`. */
export function translateImageCommand(text: string, root: string, node: string): string {
  return text.replace(/\bnode\s+\/app\/((?:services\/[a-z]+)|cli)\/dist\/main\.js\b/g, (_, pkg: string) => `${node} --import tsx ${join(root, pkg, 'src', 'main.ts')}`);
}
