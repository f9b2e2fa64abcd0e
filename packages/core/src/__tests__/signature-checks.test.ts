import { once } from 'node:events';
import type { Worker } from 'node:worker_threads';

import { Identity, inlineSignatureChecks, signatureChecks, SignatureThreads, type SignedBytes } from '../index';

const signers = [Identity.generate(), Identity.generate(), Identity.generate()];

/** Signed messages, every fifth tampered one way or another; `expected` is what a check must say. */
function batch(n: number): { items: SignedBytes[]; expected: boolean[] } {
  const items: SignedBytes[] = [];
  const expected: boolean[] = [];
  for (let i = 0; i < n; i++) {
    const signer = signers[i % signers.length] as Identity;
    // Views into a larger buffer, as a decoded gRPC message hands them out.
    const backing = Buffer.alloc(4096, i % 251);
    const message = backing.subarray(100 + (i % 7), 140 + (i % 50));
    const signature = signer.signBytes(message);
    let item: SignedBytes = { publicKey: signer.publicKey, message, signature };
    let ok = true;
    switch (i % 5 === 4 ? Math.floor(i / 5) % 4 : -1) {
      case 0:
        item = { ...item, message: Buffer.concat([message, Buffer.from([1])]) };
        ok = false;
        break;
      case 1:
        item = { ...item, publicKey: (signers[(i + 1) % signers.length] as Identity).publicKey };
        ok = false;
        break;
      case 2:
        item = { ...item, signature: signature.subarray(0, 63) };
        ok = false;
        break;
      case 3:
        item = { ...item, publicKey: new Uint8Array(33) };
        ok = false;
        break;
    }
    items.push(item);
    expected.push(ok);
  }
  return { items, expected };
}

describe('signature checks', () => {
  it('are tested with good and bad signatures of every kind', () => {
    const { expected } = batch(40);
    expect(expected.filter((ok) => !ok)).toHaveLength(8);
  });

  it('on the event loop: each verdict in order', async () => {
    const { items, expected } = batch(40);
    expect(await inlineSignatureChecks.verify(items)).toEqual(expected);
  });

  it('on worker threads: the same verdicts, in order, for batches split across threads and for one small batch', async () => {
    const threads = new SignatureThreads(2);
    try {
      for (const n of [0, 1, 15, 200]) {
        const { items, expected } = batch(n);
        expect(await threads.verify(items)).toEqual(expected);
      }
      // Batches in flight at once each get their own verdicts.
      const batches = [batch(50), batch(33), batch(7)];
      const verdicts = await Promise.all(batches.map((b) => threads.verify(b.items)));
      expect(verdicts).toEqual(batches.map((b) => b.expected));
      expect(threads.degraded).toBe(false);
    } finally {
      await threads.close();
    }
  });

  it('on worker threads: single signatures asked for in one turn travel together, each answered with its own verdict', async () => {
    const threads = new SignatureThreads(2);
    try {
      const { items, expected } = batch(60);
      expect(await Promise.all(items.map((item) => threads.verify([item])))).toEqual(expected.map((ok) => [ok]));
      // Small and large requests mixed.
      const mixed = await Promise.all([threads.verify(items.slice(0, 3)), threads.verify(items.slice(3, 50)), threads.verify(items.slice(50))]);
      expect(mixed.flat()).toEqual(expected);
    } finally {
      await threads.close();
    }
  });

  it('answers what a dying thread held from the event loop, says why once, and checks there from then on', async () => {
    const failures: string[] = [];
    const threads = new SignatureThreads(1, (reason) => failures.push(reason));
    // Reaching into the pool: there is no other way to kill one of its threads.
    const worker = (threads as unknown as { workers: { worker: Worker }[] }).workers[0]?.worker as Worker;
    try {
      await once(worker, 'online');
      // Half a second of work or so: the thread is at it when it dies.
      const small = batch(100);
      const items = Array.from({ length: 50 }, () => small.items).flat();
      const expected = Array.from({ length: 50 }, () => small.expected).flat();
      const asked = threads.verify(items);
      await new Promise((resolve) => setTimeout(resolve, 20));
      await worker.terminate();
      expect(await asked).toEqual(expected);
      expect(threads.degraded).toBe(true);
      expect(failures).toEqual([expect.stringMatching(/^a signature thread exited with code/)]);
      expect(await threads.verify(small.items)).toEqual(small.expected);
    } finally {
      await threads.close();
    }
    expect(failures).toHaveLength(1);
  });

  it('checks on the event loop once its threads are gone', async () => {
    const threads = new SignatureThreads(1);
    await threads.close();
    expect(threads.degraded).toBe(true);
    const { items, expected } = batch(30);
    expect(await threads.verify(items)).toEqual(expected);
  });

  it('takes threads from the configuration: 0 is the event loop', async () => {
    expect(signatureChecks(0)).toBe(inlineSignatureChecks);
    expect(inlineSignatureChecks.threads).toBe(0);
    const two = signatureChecks(2);
    try {
      expect(two).toBeInstanceOf(SignatureThreads);
      expect(two.threads).toBe(2);
    } finally {
      await two.close();
    }
  });
});
