import { dirname, join } from 'node:path';

/**
 * Where a worker thread's entry `name` is, beside the module that starts it
 * (`starter`, that module's __filename): the compiled `name.js` when the
 * starter runs compiled, or the `name.ts` source run through tsx when it runs
 * from source (tests, tsx).
 */
export function workerScript(starter: string, name: string): { file: string; execArgv: string[] } {
  const dir = dirname(starter);
  if (starter.endsWith('.ts')) return { file: join(dir, `${name}.ts`), execArgv: ['--require', require.resolve('tsx/cjs')] };
  return { file: join(dir, `${name}.js`), execArgv: [] };
}
