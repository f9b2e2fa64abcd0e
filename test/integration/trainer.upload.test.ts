/**
 * The trainer's upload path (AggregatorAdapter → SubmitUpdate) against a test
 * server implementing the Aggregator contract with a 4 MiB message limit: a
 * 40 MB update streams in chunks within the limits and arrives intact and
 * verifiable; a chunk over the server's limit is refused, not retried.
 */
import { randomFillSync } from 'node:crypto';

import { status as Status, type ServiceError } from '@grpc/grpc-js';
import { Identity, sha256, signStatement, toHex, updateStatement } from '@learnchain/core';

import { AggregatorAdapter, RoundClosedError, type SignedUpdate } from '../../services/trainer/src';
import { AggregatorStub } from './trainer-aggregator-stub';

jest.setTimeout(60_000);

const MiB = 1024 * 1024;
const chainId = 'upload-chain';

function signed(identity: Identity, bytes: Uint8Array): SignedUpdate {
  const baseModelHash = sha256(Uint8Array.of(7));
  const updateHash = sha256(bytes);
  const fields = { chainId, jobId: 'big-job', round: 1, baseModelHash, updateHash, encoding: 'float32', numSamples: 100 } as const;
  return {
    header: { ...fields, nodeId: 'node-big', publicKey: identity.publicKey, signature: signStatement(identity, 'update', updateStatement(fields)), trainLoss: 0.5, trainMicros: 10, epsilonSpent: 0 },
    bytes,
  };
}

describe('trainer upload against the Aggregator contract', () => {
  let stub: AggregatorStub;
  const identity = Identity.generate();

  beforeAll(async () => {
    stub = await AggregatorStub.start({ chainId, maxChunkBytes: MiB, maxMessageBytes: 4 * MiB });
  });

  afterAll(async () => {
    await stub?.stop();
  });

  it('streams a 40 MB update in chunks within the 4 MiB message limit', async () => {
    const bytes = randomFillSync(new Uint8Array(40 * 1000 * 1000));
    const adapter = new AggregatorAdapter({ address: stub.address, chunkBytes: MiB, maxMessageBytes: 4 * MiB, maxBlobBytes: 64 * MiB });
    try {
      const receipt = await adapter.submit(signed(identity, bytes));
      expect(toHex(receipt.updateHash)).toBe(toHex(sha256(bytes)));
    } finally {
      adapter.close();
    }
    expect(stub.received).toHaveLength(1);
    const got = stub.received[0]!;
    expect(got.headerAlone).toBe(true);
    expect(got.bytes.byteLength).toBe(bytes.byteLength);
    expect(toHex(sha256(got.bytes))).toBe(toHex(sha256(bytes)));
    expect(Math.max(...got.chunkSizes)).toBeLessThanOrEqual(MiB);
    expect(got.chunkSizes).toHaveLength(Math.ceil(bytes.byteLength / MiB));
    expect(got.chunkSizes.reduce((a, b) => a + b, 0)).toBe(bytes.byteLength);
  });

  it('refuses a chunk larger than the server allows, with RESOURCE_EXHAUSTED', async () => {
    const before = stub.received.length;
    const adapter = new AggregatorAdapter({ address: stub.address, chunkBytes: 2 * MiB, maxMessageBytes: 4 * MiB, maxBlobBytes: 64 * MiB });
    try {
      const error = await adapter.submit(signed(identity, randomFillSync(new Uint8Array(5 * MiB)))).then(
        () => undefined,
        (e: unknown) => e as ServiceError,
      );
      expect(error?.code).toBe(Status.RESOURCE_EXHAUSTED);
    } finally {
      adapter.close();
    }
    expect(stub.received).toHaveLength(before);
    expect(stub.refusals.some((r) => /exceeds the 1048576-byte limit/.test(r))).toBe(true);
  });

  it('is refused when the signature does not cover the update', async () => {
    const bytes = randomFillSync(new Uint8Array(3 * MiB));
    const update = signed(identity, bytes);
    const forged: SignedUpdate = { ...update, header: { ...update.header, numSamples: 1_000_000 } };
    const adapter = new AggregatorAdapter({ address: stub.address, chunkBytes: MiB, maxMessageBytes: 4 * MiB, maxBlobBytes: 64 * MiB });
    try {
      await expect(adapter.submit(forged)).rejects.toMatchObject({ code: Status.UNAUTHENTICATED });
    } finally {
      adapter.close();
    }
  });

  it('turns the aggregator\'s refusal of a closed round into RoundClosedError (the update is late)', async () => {
    const update = signed(identity, randomFillSync(new Uint8Array(1024)));
    stub.close(update.header.jobId, update.header.round);
    const adapter = new AggregatorAdapter({ address: stub.address, chunkBytes: MiB, maxMessageBytes: 4 * MiB, maxBlobBytes: 64 * MiB });
    try {
      const error = await adapter.submit(update).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(RoundClosedError);
      expect(error).toMatchObject({ jobId: 'big-job', round: 1, detail: 'round 1 is closed' });
    } finally {
      adapter.close();
    }
  });
});
