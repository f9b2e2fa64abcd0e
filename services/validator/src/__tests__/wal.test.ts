import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { FileWal } from '../wal';

const input = (height: number) => ({ t: 'input' as const, input: { kind: 'start-height' as const, height, validatorUpdates: [] } });

describe('file write-ahead log', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wal-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('resolves flushes in the order they were asked for', async () => {
    const wal = FileWal.open(dir);
    const done: number[] = [];
    const flushes: Promise<void>[] = [];
    for (let i = 1; i <= 5; i++) {
      wal.append(input(i));
      const lines = i;
      flushes.push(
        wal.flush().then(() => {
          expect(readFileSync(wal.path, 'utf8').trim().split('\n').length).toBeGreaterThanOrEqual(lines);
          done.push(i);
        }),
      );
    }
    await Promise.all(flushes);
    expect(done).toEqual([1, 2, 3, 4, 5]);
    await wal.close();
  });

  it('shares one fsync among the callers that ask while one runs', async () => {
    const wal = FileWal.open(dir);
    wal.append(input(1));
    const first = wal.flush();
    wal.append(input(2));
    const second = wal.flush();
    wal.append(input(3));
    const third = wal.flush();
    expect(third).toBe(second);
    expect(second).not.toBe(first);
    await third;
    // Nothing new appended: nothing to wait for.
    await expect(wal.flush()).resolves.toBeUndefined();
    await wal.close();
    const reopened = FileWal.open(dir);
    expect(reopened.recovered).toEqual([input(1), input(2), input(3)]);
    await reopened.close();
  });

  it('closes only once the fsyncs already asked for have run', async () => {
    const wal = FileWal.open(dir);
    wal.append(input(1));
    const first = wal.flush();
    wal.append(input(2));
    const second = wal.flush();
    await wal.close();
    await expect(Promise.all([first, second])).resolves.toEqual([undefined, undefined]);
    const reopened = FileWal.open(dir);
    expect(reopened.recovered).toEqual([input(1), input(2)]);
    await reopened.close();
  });
});
