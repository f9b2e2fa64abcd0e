import { PassSchedule } from '../pass-schedule';

describe('a pass schedule', () => {
  let now = 0;
  const schedule = (): PassSchedule => new PassSchedule(1_000, () => now);

  it('is due at first, then only after a touch, an unfinished pass or the sweep interval', () => {
    now = 5_000;
    const passes = schedule();
    expect(passes.due()).toBe(true);
    passes.begin();
    expect(passes.due()).toBe(false);
    passes.touch();
    expect(passes.due()).toBe(true);
    passes.begin();
    passes.unfinished();
    expect(passes.due()).toBe(true);
    passes.begin();
    now += 999;
    expect(passes.due()).toBe(false);
    now += 1;
    expect(passes.due()).toBe(true);
  });

  it('keeps a touch made while a pass runs for the next pass', () => {
    now = 0;
    const passes = schedule();
    passes.begin();
    passes.touch(); // work added after the running pass read
    expect(passes.due()).toBe(true);
  });
});
