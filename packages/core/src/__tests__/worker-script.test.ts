import { workerScript } from '../worker-script';

describe('workerScript', () => {
  it('finds the entry beside its starter: the source through tsx, or the compiled file as it is', () => {
    const source = workerScript('/app/pool/pool.ts', 'worker');
    expect(source.file).toBe('/app/pool/worker.ts');
    expect(source.execArgv[0]).toBe('--require');
    expect(source.execArgv[1]).toMatch(/tsx/);
    expect(workerScript('/app/pool/pool.js', 'worker')).toEqual({ file: '/app/pool/worker.js', execArgv: [] });
  });
});
