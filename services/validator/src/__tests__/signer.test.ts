import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Identity, toHex } from '@learnchain/core';
import { checkVote } from '@learnchain/ledger';

import { DoubleSignError } from '../errors';
import { Signer } from '../signer';
import { entriesOf, FileWal, MemoryWal } from '../wal';

const CHAIN = 'signer-test';
const identity = Identity.generate();
const value = toHex(new Uint8Array(32).fill(9));
const prevote = (v: string | null, round = 0) => ({ kind: 'vote' as const, vote: { type: 'prevote' as const, height: 5, round, value: v, validator: identity.address } });

describe('signer', () => {
  it('logs and syncs before returning a signature that verifies', async () => {
    const wal = new MemoryWal();
    const signer = new Signer({ identity, chainId: CHAIN, wal });
    const { wire, again } = await signer.sign(prevote(value));
    expect(again).toBe(false);
    expect(wal.entries).toEqual([expect.objectContaining({ t: 'signed', key: '5/0/prevote', value })]);
    expect(wal.syncs).toBe(1);
    expect(checkVote(CHAIN, wire.vote as never)).toEqual(prevote(value).vote);
  });

  it('refuses a second, different vote for the same height, round and type, and returns the first again', async () => {
    const signer = new Signer({ identity, chainId: CHAIN, wal: new MemoryWal() });
    const first = await signer.sign(prevote(value));
    await expect(signer.sign(prevote(null))).rejects.toThrow(DoubleSignError);
    const again = await signer.sign(prevote(value));
    expect(again.again).toBe(true);
    expect(again.wire).toBe(first.wire);
    expect((await signer.sign(prevote(null, 1))).again).toBe(false);
  });

  it('keeps the guard across a restart through the file log', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wal-'));
    try {
      const wal = FileWal.open(dir);
      wal.startHeight(5, true);
      wal.append({ t: 'input', input: { kind: 'start-height', height: 5, validatorUpdates: [] } });
      await new Signer({ identity, chainId: CHAIN, wal }).sign(prevote(value));
      await wal.close();
      const reopened = FileWal.open(dir);
      const entries = entriesOf(reopened.recovered, 5);
      expect(entries.map((e) => e.t)).toEqual(['input', 'signed']);
      expect(entriesOf(reopened.recovered, 6)).toEqual([]);
      reopened.startHeight(5, false);
      const signer = new Signer({ identity, chainId: CHAIN, wal: reopened });
      expect(signer.restore(entries)).toBe(1);
      await expect(signer.sign(prevote(null))).rejects.toThrow(DoubleSignError);
      expect((await signer.sign(prevote(value))).again).toBe(true);
      await reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
