/**
 * Real processes for integration and fault tests: start a TypeScript entry
 * point under tsx, wait for a log line that says it is ready, and kill, pause,
 * resume or stop it by its own PID.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

export interface StartOptions {
  /** For messages. */
  readonly name: string;
  /** Entry point, relative to the repository root. */
  readonly entry: string;
  readonly args?: readonly string[];
  /** Options for node itself, e.g. ['--cpu-prof']. */
  readonly nodeArgs?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** A line on stdout or stderr that means ready. */
  readonly ready: RegExp;
  readonly timeoutMs?: number;
}

export class ServiceProcess {
  readonly lines: string[] = [];
  private exited: Promise<number | null>;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static async start(options: StartOptions): Promise<ServiceProcess> {
    // node itself with tsx's loader, not the tsx wrapper (which runs the script in
    // a child process): signals must reach the service, not a parent of it.
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', join(ROOT, options.entry), ...(options.args ?? [])], {
      cwd: ROOT,
      env: { ...process.env, NODE_OPTIONS: '', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const proc = new ServiceProcess(options.name, child);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL'); // never leave a half-started service behind
        reject(new Error(`${options.name} not ready after ${options.timeoutMs ?? 30_000} ms:\n${proc.lines.slice(-20).join('\n')}`));
      }, options.timeoutMs ?? 30_000);
      const onLine = (line: string): void => {
        proc.lines.push(line);
        if (options.ready.test(line)) {
          clearTimeout(timer);
          resolve();
        }
      };
      let pending = { out: '', err: '' };
      const feed = (which: 'out' | 'err') => (chunk: Buffer) => {
        const text = pending[which] + chunk.toString();
        const parts = text.split('\n');
        pending = { ...pending, [which]: parts.pop() ?? '' };
        parts.forEach(onLine);
      };
      child.stdout?.on('data', feed('out'));
      child.stderr?.on('data', feed('err'));
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${options.name} exited with ${code} before it was ready:\n${proc.lines.slice(-20).join('\n')}`));
      });
    });
    return proc;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** True until the process has exited (killed, stopped or crashed). */
  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** kill -9: no chance to clean up. */
  async kill(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }

  pause(): void {
    this.child.kill('SIGSTOP');
  }

  resume(): void {
    this.child.kill('SIGCONT');
  }

  /** SIGTERM, then the exit code. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode;
    this.child.kill('SIGTERM');
    return this.exited;
  }

  /** Its warnings and errors (JSON log records of level warn and above), for a failing test to show. */
  warnings(): string[] {
    return this.lines.filter((line) => /^\{"level":(4|5|6)0,/.test(line));
  }

  /** Lines that parse as JSON log records with this message. */
  logs(message: string): Record<string, unknown>[] {
    return this.lines
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((record) => record.msg === message);
  }
}

/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
