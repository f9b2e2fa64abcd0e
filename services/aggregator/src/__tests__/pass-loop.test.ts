import { PassLoop, type PassScope } from '../pass-loop';

const quiet = { failed: () => undefined, succeeded: () => undefined };
const show = (scope: PassScope): string => (scope === 'all' ? 'all' : [...scope].sort().join(','));

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!check()) throw new Error('condition not reached');
}

describe('PassLoop', () => {
  it('passes over every job first and on each tick, and at once over the jobs poked, a poke during a pass taken by the next', async () => {
    const passes: string[] = [];
    let release: (() => void) | undefined;
    const loop = new PassLoop(
      async (scope) => {
        passes.push(show(scope));
        if (passes.length === 2) await new Promise<void>((r) => (release = r));
      },
      60_000,
      quiet,
    );
    void loop.start();
    await until(() => passes.length === 1);
    loop.poke('a');
    await until(() => release !== undefined);
    // During the second pass: two jobs poked, one twice.
    loop.poke('b');
    loop.poke('c');
    loop.poke('b');
    release?.();
    await until(() => passes.length === 3);
    loop.poke();
    await until(() => passes.length === 4);
    await loop.stop();
    expect(passes).toEqual(['all', 'a', 'b,c', 'all']);
  });

  it('passes over every job each tick when nothing is poked, and goes on after a pass that failed', async () => {
    const passes: string[] = [];
    const errors: unknown[] = [];
    const loop = new PassLoop(
      async (scope) => {
        passes.push(show(scope));
        if (passes.length === 1) throw new Error('database away');
      },
      10,
      { failed: (error) => errors.push(error), succeeded: () => undefined },
    );
    void loop.start();
    await until(() => passes.length >= 3);
    await loop.stop();
    const stopped = passes.length;
    await new Promise((r) => setTimeout(r, 50));
    expect(passes.length).toBe(stopped);
    expect(passes.slice(0, 3)).toEqual(['all', 'all', 'all']);
    expect(errors).toEqual([new Error('database away')]);
  });

  it('after a failed pass, waits for the next instead of passing on each poke, and then looks at every job', async () => {
    const passes: string[] = [];
    let failing = true;
    const loop = new PassLoop(
      async (scope) => {
        passes.push(show(scope));
        if (failing) throw new Error('database away');
      },
      60_000,
      quiet,
    );
    void loop.start();
    await until(() => passes.length === 1);
    for (const job of ['a', 'b', 'a', 'c']) loop.poke(job);
    await new Promise((r) => setImmediate(r));
    expect(passes).toEqual(['all']);
    await until(() => passes.length === 2);
    failing = false;
    await until(() => passes.length === 3);
    // Once a pass succeeds, a poke is taken at once again.
    loop.poke('d');
    await until(() => passes.length === 4);
    await loop.stop();
    expect(passes).toEqual(['all', 'all', 'all', 'd']);
  });
});
