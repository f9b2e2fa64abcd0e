import { SerialPasses } from '../serial-passes';

/** A pass that waits to be released, counting its runs. */
function gatedPass(fail?: (run: number) => boolean) {
  let runs = 0;
  const waiting: (() => void)[] = [];
  const pass = async (): Promise<void> => {
    runs += 1;
    const run = runs;
    await new Promise<void>((resolve) => waiting.push(resolve));
    if (fail?.(run)) throw new Error(`run ${run} failed`);
  };
  const release = async (): Promise<void> => {
    for (let i = 0; i < 20 && waiting.length === 0; i++) await new Promise((r) => setImmediate(r));
    waiting.shift()?.();
  };
  return { pass, release, runs: () => runs };
}

describe('serial passes', () => {
  it('runs one pass at a time, and one more after it however often it was asked meanwhile', async () => {
    const { pass, release, runs } = gatedPass();
    const passes = new SerialPasses(pass, () => undefined);
    const first = passes.request();
    const second = passes.request();
    const third = passes.request();
    expect(runs()).toBe(1);
    await release();
    await release();
    await Promise.all([first, second, third]);
    expect(runs()).toBe(2);
    await passes.idle();
  });

  it('a failed pass ends the repeats, goes to onError, and the next request starts afresh', async () => {
    const errors: string[] = [];
    const { pass, release, runs } = gatedPass((run) => run === 1);
    const passes = new SerialPasses(pass, (error) => errors.push((error as Error).message));
    const first = passes.request();
    void passes.request();
    await release();
    await first;
    expect([runs(), errors]).toEqual([1, ['run 1 failed']]);
    const next = passes.request();
    await release();
    await next;
    expect([runs(), errors]).toEqual([2, ['run 1 failed']]);
  });
});
