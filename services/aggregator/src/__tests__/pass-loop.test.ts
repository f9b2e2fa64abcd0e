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

  it('passes over a job at the time it named, the earliest of those asked for, long before the tick', async () => {
    const passes: { scope: string; atMs: number }[] = [];
    let now = 1_000;
    let asked = false;
    const loop = new PassLoop(
      async (scope) => {
        passes.push({ scope: show(scope), atMs: now });
        // During the first pass (as the manager does while it looks at a round): job a at 1,030, then b at 1,020 and 1,050.
        if (asked) return;
        asked = true;
        loop.dueAt('a', 1_030);
        loop.dueAt('b', 1_050);
        loop.dueAt('b', 1_020);
        loop.dueAt('a', 1_040);
      },
      60_000,
      quiet,
      () => now,
    );
    void loop.start();
    await until(() => passes.length === 1);
    // Not yet due: the loop waits, however often it wakes.
    now = 1_010;
    loop.dueAt('c', 5_000);
    await new Promise((r) => setTimeout(r, 40));
    expect(passes).toHaveLength(1);
    now = 1_025;
    loop.dueAt('c', 1_026); // wakes the loop, which finds b due
    await until(() => passes.length === 2);
    now = 1_035;
    loop.poke('d');
    await until(() => passes.length === 3);
    await loop.stop();
    expect(passes).toEqual([
      { scope: 'all', atMs: 1_000 },
      { scope: 'b', atMs: 1_025 },
      { scope: 'a,c,d', atMs: 1_035 },
    ]);
  });

  it('wakes for a time named while it waits, on the real clock', async () => {
    const passes: string[] = [];
    const loop = new PassLoop(async (scope) => void passes.push(show(scope)), 60_000, quiet);
    void loop.start();
    await until(() => passes.length === 1);
    loop.dueAt('a', Date.now() + 20);
    await until(() => passes.length === 2);
    await loop.stop();
    expect(passes).toEqual(['all', 'a']);
  });
});
