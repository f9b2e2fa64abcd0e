/**
 * `learnchain devnet ARGS` as a person runs it: one child process under tsx,
 * its output collected, interrupted (SIGINT, as Ctrl-C) when it outlives
 * `interruptAfterMs`.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

export interface DevnetRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runDevnet(args: readonly string[], interruptAfterMs: number): Promise<DevnetRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'cli', 'src', 'main.ts'), 'devnet', ...args], {
      cwd: ROOT,
      env: { ...process.env, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGINT'), interruptAfterMs);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
