/**
 * The registry as real processes against real PostgreSQL and NATS: joins and
 * leaves, a member killed with -9 is marked failed and the event published,
 * Watch resumes from an epoch, two replicas share one database without
 * double-counting, a registry restart keeps every lease, and heartbeat streams
 * keep members alive, refuse bad proofs and tell evicted members to join again.
 */
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';

import { NatsEventBus, SUBJECT, type Delivery } from '@learnchain/bus';
import { createClient, createLogger, errorDetailOf, Identity, serverStream, signStatement, unary } from '@learnchain/core';
import { heartbeatStreamStatement, MembershipClient } from '@learnchain/membership';
import { contracts, type v1 } from '@learnchain/proto';

import { eventually, ServiceProcess } from '../support/processes';
import { describeWith, serviceUrl, uniqueName } from '../support/services';

jest.setTimeout(120_000);

const logger = createLogger({ service: 'registry-it', level: 'silent' });
const TTL_MS = 1500;

describeWith(['postgres', 'nats'], 'registry processes', () => {
  const chainId = uniqueName('chain').replace(/_/g, '-');
  const schema = uniqueName('registry').toLowerCase();
  const processes: ServiceProcess[] = [];
  let bus: NatsEventBus;
  const events: Delivery[] = [];

  function registryEnv(port: number, schemaName: string, ttlMs: number): Record<string, string> {
    return {
      LEARNCHAIN_CHAIN_ID: chainId,
      LEARNCHAIN_REGISTRY_LISTEN: `127.0.0.1:${port}`,
      DATABASE_URL: serviceUrl('postgres'),
      LEARNCHAIN_REGISTRY_SCHEMA: schemaName,
      NATS_URL: serviceUrl('nats'),
      LEARNCHAIN_STREAM: 'learnchain_it',
      LEARNCHAIN_LEASE_TTL_MS: String(ttlMs),
      LEARNCHAIN_SWEEP_INTERVAL_MS: '100',
      LEARNCHAIN_WATCH_POLL_MS: '50',
    };
  }

  async function startRegistry(port = 0, schemaName = schema, ttlMs = TTL_MS): Promise<{ proc: ServiceProcess; address: string }> {
    const proc = await ServiceProcess.start({ name: 'registry', entry: 'services/registry/src/main.ts', env: registryEnv(port, schemaName, ttlMs), ready: /registry running/, timeoutMs: 90_000 });
    processes.push(proc);
    const listening = proc.logs('gRPC server listening')[0] as { address: string };
    return { proc, address: listening.address };
  }

  function member(address: string): MembershipClient {
    return new MembershipClient({ registry: address, chainId, identity: Identity.generate(), role: 'trainer', logger });
  }

  async function listAll(address: string): Promise<v1.ListMembersResponse__Output> {
    const client = createClient(contracts().registry, address);
    try {
      return await unary(client, 'list', {});
    } finally {
      client.close();
    }
  }

  beforeAll(async () => {
    bus = await NatsEventBus.create({ servers: serviceUrl('nats'), stream: 'learnchain_it', subjectsPrefix: chainId });
    void (async () => {
      for await (const event of await bus.subscribe({ from: 'all' })) {
        events.push(event);
        await event.ack();
      }
    })().catch(() => undefined);
  });

  afterAll(async () => {
    for (const proc of processes) await proc.stop().catch(() => undefined);
    await bus?.close();
  });

  it('marks a member killed with -9 failed and publishes it; a graceful leave is published too', async () => {
    const { address } = await startRegistry();
    const victim = await ServiceProcess.start({
      name: 'member',
      entry: 'test/support/member-process.ts',
      env: { LEARNCHAIN_REGISTRY: address, LEARNCHAIN_CHAIN_ID: chainId },
      ready: /^joined /,
    });
    const nodeId = /^joined ([0-9a-f]{40})/.exec(victim.lines.find((l) => l.startsWith('joined')) ?? '')?.[1];
    expect(nodeId).toBeDefined();
    await victim.kill();
    const failed = await eventually('membership.failed on NATS', () => events.find((e) => e.subject === SUBJECT.membershipFailed && e.payload.nodeId === nodeId));
    expect(failed.payload).toMatchObject({ nodeId, role: 'trainer' });
    const listed = await listAll(address);
    expect(listed.members.find((m) => m.nodeId === nodeId)?.status).toBe('MEMBER_STATUS_FAILED');

    const polite = member(address);
    const lease = await polite.start();
    await polite.stop('done');
    await eventually('membership.left on NATS', () => events.find((e) => e.subject === SUBJECT.membershipLeft && e.payload.nodeId === lease.nodeId));
  });

  it('resumes Watch from an epoch with exactly the changes after it', async () => {
    const { address } = await startRegistry();
    const from = (await listAll(address)).epoch;
    const joined = [];
    for (let i = 0; i < 3; i++) joined.push(await member(address).join());
    const client = createClient(contracts().registry, address);
    const controller = new AbortController();
    const seen: number[] = [];
    for await (const change of serverStream(client, 'watch', { fromEpoch: from + 1 }, { signal: controller.signal })) {
      seen.push(change.epoch);
      if (seen.length === 2) break;
    }
    client.close();
    expect(seen).toEqual([joined[1]!.epoch, joined[2]!.epoch]);
  });

  it('shares one database between two replicas without double-counting', async () => {
    const a = await startRegistry();
    const b = await startRegistry();
    const members = [member(a.address), member(b.address), member(a.address), member(b.address)];
    const leases = await Promise.all(members.map((m) => m.start()));
    // Both replicas see every member, whichever took the join.
    const listed = await listAll(b.address);
    for (const lease of leases) expect(listed.members.find((m) => m.nodeId === lease.nodeId)?.status).toBe('MEMBER_STATUS_ACTIVE');

    // Two members fall silent; both replicas sweep the same table.
    const silent = [member(a.address), member(b.address)];
    const silentLeases = await Promise.all(silent.map((m) => m.join()));
    await eventually('both silent members failed', async () => {
      const failed = (await listAll(a.address)).members.filter((m) => m.status === 'MEMBER_STATUS_FAILED').map((m) => m.nodeId);
      return silentLeases.every((l) => failed.includes(l.nodeId)) ? failed : undefined;
    });

    // Every change exactly once, epochs contiguous: no double eviction, no lost change.
    const client = createClient(contracts().registry, a.address);
    const changes: v1.MembershipChange__Output[] = [];
    const head = (await listAll(a.address)).epoch;
    for await (const change of serverStream(client, 'watch', { fromEpoch: 0 })) {
      changes.push(change);
      if (change.epoch === head) break;
    }
    client.close();
    expect(changes.map((c) => c.epoch)).toEqual(Array.from({ length: head }, (_, i) => i + 1));
    for (const lease of silentLeases) {
      expect(changes.filter((c) => c.member?.nodeId === lease.nodeId && c.member.status === 'MEMBER_STATUS_FAILED')).toHaveLength(1);
    }
    // The members that kept heartbeating were never evicted by either replica.
    for (const lease of leases) expect(changes.filter((c) => c.member?.nodeId === lease.nodeId && c.member.status === 'MEMBER_STATUS_FAILED')).toHaveLength(0);
    for (const m of members) await m.stop();
  });

  it('keeps every lease across a kill -9 and restart', async () => {
    const restartSchema = `${schema}_restart`;
    const first = await startRegistry(0, restartSchema, 20_000);
    const members = [member(first.address), member(first.address), member(first.address)];
    const leases = await Promise.all(members.map((m) => m.join()));
    const port = Number(first.address.split(':')[1]);
    await first.proc.kill();
    const restarted = await startRegistry(port, restartSchema, 20_000);
    // Each member renews the lease it had: no join again, no epoch change.
    for (const m of members) await eventually('heartbeat accepted after restart', () => m.heartbeat());
    const after = await listAll(restarted.address);
    expect(after.epoch).toBe(Math.max(...leases.map((l) => l.epoch)));
    for (const lease of leases) {
      const record = after.members.find((m) => m.nodeId === lease.nodeId);
      expect(record?.status).toBe('MEMBER_STATUS_ACTIVE');
      expect(record?.joinedEpoch).toBe(lease.epoch);
    }
    for (const m of members) await m.stop();
  });

  describe('heartbeat streams', () => {
    type RegistryClient = InstanceType<ReturnType<typeof contracts>['registry']>;

    /** A HeartbeatStream driven by hand: the nonce, the leases answered, and how the stream ended. */
    function rawStream(client: RegistryClient) {
      const call = client.heartbeatStream(new Metadata());
      const leases: v1.LeaseState__Output[] = [];
      let gotNonce: (nonce: Uint8Array) => void = () => undefined;
      const nonce = new Promise<Uint8Array>((resolve) => (gotNonce = resolve));
      const ended = new Promise<{ code: number | undefined; reason: string | undefined; field: string | undefined }>((resolve) => {
        call.on('error', (error: ServiceError) => {
          const detail = errorDetailOf(error);
          resolve({ code: error.code, reason: detail?.reason, field: detail?.field });
        });
        call.on('end', () => resolve({ code: status.OK, reason: undefined, field: undefined }));
      });
      call.on('data', (message: v1.HeartbeatStreamResponse__Output) => {
        if (message.challenge) gotNonce(new Uint8Array(message.challenge.nonce));
        if (message.lease) leases.push(message.lease);
      });
      const open = (signer: Identity, nodeId: string, signedNonce: Uint8Array, signedChain = chainId): void => {
        const signature = signStatement(signer, 'heartbeat', heartbeatStreamStatement({ chainId: signedChain, nodeId, streamNonce: signedNonce }));
        call.write({ open: { nodeId, signature: { publicKey: Buffer.from(signer.publicKey), signature: Buffer.from(signature) } } });
      };
      return { call, nonce, leases, ended, open };
    }

    async function joined(address: string): Promise<{ identity: Identity; nodeId: string; client: MembershipClient }> {
      const identity = Identity.generate();
      const client = new MembershipClient({ registry: address, chainId, identity, role: 'trainer', logger });
      const lease = await client.join();
      return { identity, nodeId: lease.nodeId, client };
    }

    async function memberRecord(address: string, nodeId: string): Promise<v1.Member__Output | undefined> {
      return (await listAll(address)).members.find((m) => m.nodeId === nodeId);
    }

    // One registry serves every stream test (starting processes is slow on a loaded machine).
    let shared: Promise<{ address: string }> | undefined;
    const registryForStreams = (): Promise<{ address: string }> => (shared ??= startRegistry());

    it('keeps a streaming member alive across several TTLs, and marks it failed within TTL + sweep after kill -9', async () => {
      const { address } = await registryForStreams();
      const proc = await ServiceProcess.start({
        name: 'member',
        entry: 'test/support/member-process.ts',
        env: { LEARNCHAIN_REGISTRY: address, LEARNCHAIN_CHAIN_ID: chainId },
        ready: /^streaming /,
        timeoutMs: 90_000,
      });
      const nodeId = /^joined ([0-9a-f]{40})/.exec(proc.lines.find((l) => l.startsWith('joined')) ?? '')?.[1] as string;
      const first = await memberRecord(address, nodeId);
      // Three TTLs of beats on the stream: still active, under the lease it joined with, renewed.
      await new Promise((resolve) => setTimeout(resolve, 3 * TTL_MS));
      const later = await memberRecord(address, nodeId);
      expect(later?.status).toBe('MEMBER_STATUS_ACTIVE');
      expect(later?.joinedEpoch).toBe(first?.joinedEpoch);
      expect(later!.leaseExpiresAtMs).toBeGreaterThan(first!.leaseExpiresAtMs);

      const killedAt = Date.now();
      await proc.kill();
      await eventually('membership.failed on NATS', () => events.find((e) => e.subject === SUBJECT.membershipFailed && e.payload.nodeId === nodeId));
      const failed = await memberRecord(address, nodeId);
      expect(failed?.status).toBe('MEMBER_STATUS_FAILED');
      // Skipped writes never stretch a lease: it ran out no later than one TTL after the member died.
      expect(failed!.leaseExpiresAtMs).toBeLessThanOrEqual(killedAt + TTL_MS);
    });

    it('refuses a stream opened with a bad, replayed or foreign-chain proof (UNAUTHENTICATED), and opens one with a good proof', async () => {
      const { address } = await registryForStreams();
      const client = createClient(contracts().registry, address);
      try {
        const alice = await joined(address);
        const mallory = Identity.generate();

        const forged = rawStream(client);
        forged.open(mallory, alice.nodeId, await forged.nonce);
        expect(await forged.ended).toMatchObject({ code: status.UNAUTHENTICATED, reason: 'bad_signature', field: 'signature' });

        const foreign = rawStream(client);
        foreign.open(alice.identity, alice.nodeId, await foreign.nonce, 'another-chain');
        expect(await foreign.ended).toMatchObject({ code: status.UNAUTHENTICATED, reason: 'bad_signature' });

        // A good proof opens its own stream...
        const good = rawStream(client);
        const goodNonce = await good.nonce;
        good.open(alice.identity, alice.nodeId, goodNonce);
        await eventually('the Open answered', () => good.leases[0]);
        expect(good.leases[0]).toMatchObject({ sequence: 0, leaseTtlMs: TTL_MS });
        good.call.write({ beat: { sequence: 1 } });
        await eventually('the beat answered', () => good.leases.find((l) => l.sequence === 1));
        // ...and replayed on another stream, opens nothing.
        const replayed = rawStream(client);
        await replayed.nonce;
        replayed.open(alice.identity, alice.nodeId, goodNonce);
        expect(await replayed.ended).toMatchObject({ code: status.UNAUTHENTICATED, reason: 'bad_signature' });

        const beatFirst = rawStream(client);
        await beatFirst.nonce;
        beatFirst.call.write({ beat: { sequence: 1 } });
        expect(await beatFirst.ended).toMatchObject({ code: status.INVALID_ARGUMENT, field: 'open' });
        good.call.cancel();
      } finally {
        client.close();
      }
    });

    it('tells a member whose lease lapsed, or who never joined, to join again', async () => {
      const { address } = await registryForStreams();
      const client = createClient(contracts().registry, address);
      try {
        const alice = await joined(address);
        const stream = rawStream(client);
        stream.open(alice.identity, alice.nodeId, await stream.nonce);
        await eventually('the Open answered', () => stream.leases[0]);
        // Alice stops beating: swept as failed, and the stream she still holds is ended with "join again".
        expect(await stream.ended).toMatchObject({ code: status.FAILED_PRECONDITION, reason: 'rejoin', field: 'node_id' });
        expect((await memberRecord(address, alice.nodeId))?.status).toBe('MEMBER_STATUS_FAILED');
        // A new stream for the evicted member is refused the same way.
        const again = rawStream(client);
        again.open(alice.identity, alice.nodeId, await again.nonce);
        expect(await again.ended).toMatchObject({ code: status.FAILED_PRECONDITION, reason: 'rejoin' });

        const stranger = Identity.generate();
        const unknown = rawStream(client);
        unknown.open(stranger, stranger.address, await unknown.nonce);
        expect(await unknown.ended).toMatchObject({ code: status.NOT_FOUND, field: 'node_id' });
      } finally {
        client.close();
      }
    });

    it('has a member process that was paused past its lease join again when it resumes', async () => {
      const { address } = await registryForStreams();
      const proc = await ServiceProcess.start({
        name: 'member',
        entry: 'test/support/member-process.ts',
        env: { LEARNCHAIN_REGISTRY: address, LEARNCHAIN_CHAIN_ID: chainId },
        ready: /^streaming /,
        timeoutMs: 90_000,
      });
      try {
        const nodeId = /^joined ([0-9a-f]{40})/.exec(proc.lines.find((l) => l.startsWith('joined')) ?? '')?.[1] as string;
        const before = await memberRecord(address, nodeId);
        proc.pause();
        await eventually('the paused member failed', async () => ((await memberRecord(address, nodeId))?.status === 'MEMBER_STATUS_FAILED' ? true : undefined));
        proc.resume();
        const back = await eventually('the member joined again', async () => {
          const record = await memberRecord(address, nodeId);
          return record?.status === 'MEMBER_STATUS_ACTIVE' ? record : undefined;
        });
        expect(back.joinedEpoch).toBeGreaterThan(before!.joinedEpoch);
      } finally {
        proc.resume();
        await proc.kill();
      }
    });
  });
});

