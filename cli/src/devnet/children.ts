/**
 * Services as child processes for `learnchain devnet --processes`: each one
 * is its service's main (`services/<name>/src/main.ts` under tsx when the CLI
 * runs from source, the build's `dist/main.js` otherwise) with its settings in
 * the environment, exactly as a deployment runs it. A child is ready when it
 * logs `<service> running`; its log lines at or above the devnet's level are
 * passed on to stdout. Stopping sends SIGTERM and waits for the exit
 * (SIGKILL after a grace period).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The services a child can run. */
export type ServiceName = 'registry' | 'validator' | 'aggregator' | 'trainer';

const ROOT = join(__dirname, '..', '..', '..');

/** pino's numeric levels. */
const LEVELS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };

/** How to run a service's main: node's arguments. */
export function mainArguments(service: ServiceName): string[] {
  const source = join(ROOT, 'services', service, 'src', 'main.ts');
  if (__filename.endsWith('.ts') && existsSync(source)) return ['--import', 'tsx', source];
  return [join(ROOT, 'services', service, 'dist', 'main.js')];
}

/** Children still running: should this process end without stopping the mesh, they do not outlive it. */
const living = new Set<ChildProcess>();
let guarded = false;

function guard(child: ChildProcess): void {
  if (!guarded) process.once('exit', () => living.forEach((c) => c.kill('SIGKILL')));
  guarded = true;
  living.add(child);
  child.once('exit', () => living.delete(child));
}

/** Thrown when a child exits or stays silent before it says it is running. */
export class ChildStartError extends Error {
  constructor(
    readonly child: string,
    readonly reason: string,
    readonly lastLines: readonly string[],
  ) {
    super(`${child} did not start: ${reason}${lastLines.length ? `\n${lastLines.join('\n')}` : ''}`);
  }
}

export interface ChildOptions {
  /** For messages, e.g. 'validator-2'. */
  readonly name: string;
  readonly service: ServiceName;
  /** The service's settings (merged over this process's environment). */
  readonly env: Readonly<Record<string, string>>;
  /** Log lines at or above this pino level are passed on to `forward`, as are lines that are not log records. */
  readonly logLevel: string;
  readonly forward: (line: string, from: 'stdout' | 'stderr') => void;
  readonly readyTimeoutMs?: number;
}

/** A service running as a child process. */
export class ChildService {
  private readonly recent: string[] = [];
  private readonly exited: Promise<void>;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  /** Spawns the service and resolves once it logs that it is running. */
  static async start(options: ChildOptions): Promise<ChildService> {
    // The service logs at info at least, so that its 'running' line is seen; lines below the devnet's level are dropped here.
    const child = spawn(process.execPath, mainArguments(options.service), {
      cwd: ROOT,
      env: { ...process.env, NODE_OPTIONS: '', ...options.env, LEARNCHAIN_LOG_LEVEL: (LEVELS[options.logLevel] ?? 50) < 30 ? options.logLevel : 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const service = new ChildService(options.name, child);
    guard(child);
    const threshold = LEVELS[options.logLevel] ?? 50;
    const ready = new RegExp(`"msg":"${options.service} running"`);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new ChildStartError(options.name, `not running after ${options.readyTimeoutMs ?? 120_000} ms`, service.recent));
      }, options.readyTimeoutMs ?? 120_000);
      const onExit = (code: number | null, signal: string | null): void => {
        clearTimeout(timer);
        reject(new ChildStartError(options.name, `exited with ${code ?? signal}`, service.recent));
      };
      const onLine = (line: string, from: 'stdout' | 'stderr'): void => {
        service.remember(line);
        const level = /^\{"level":(\d+)/.exec(line)?.[1];
        if (level === undefined || Number(level) >= threshold) options.forward(line, from);
        if (ready.test(line)) {
          clearTimeout(timer);
          child.off('exit', onExit);
          resolve();
        }
      };
      for (const [from, stream] of [['stdout', child.stdout], ['stderr', child.stderr]] as const) {
        let pending = '';
        stream?.on('data', (chunk: Buffer) => {
          const parts = (pending + chunk.toString()).split('\n');
          pending = parts.pop() ?? '';
          for (const line of parts) onLine(line, from);
        });
      }
      child.once('exit', onExit);
    });
    return service;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  private remember(line: string): void {
    this.recent.push(line);
    if (this.recent.length > 20) this.recent.shift();
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the child has exited. */
  async stop(graceMs = 15_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
