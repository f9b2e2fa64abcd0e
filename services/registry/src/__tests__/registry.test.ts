import { status, type ServiceError } from '@grpc/grpc-js';

import { LocalEventBus, SUBJECT, type Delivery } from '@learnchain/bus';
import { createClient, createLogger, errorDetailOf, GrpcServer, Identity, serverStream, signStatement, toHex, unary } from '@learnchain/core';
import { joinStatement, listMembers, MembershipClient } from '@learnchain/membership';
import { contracts, SERVICE_NAMES, type v1 } from '@learnchain/proto';
import { openStorage, type Storage } from '@learnchain/storage';

import { registryService } from '../grpc';
import { Registry } from '../registry';
import { MemberStore } from '../store/members';
import type { RegistryDb } from '../store/schema';

jest.setTimeout(60_000);

const CHAIN = 'test-chain';
const TTL = 1000;
const logger = createLogger({ service: 'registry-test', level: 'silent' });

let now = 1_000_000;
/** While set, every call to the member store fails as a lost connection does. */
let databaseAway = false;

/** The store, but failing every call while `databaseAway` is set. */
function withOutages(store: MemberStore): MemberStore {
  return new Proxy(store, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => (databaseAway ? Promise.reject(new Error('Connection terminated unexpectedly')) : (value as (...a: unknown[]) => unknown).apply(target, args));
    },
  });
}
let storage: Storage<RegistryDb>;
let bus: LocalEventBus;
let registry: Registry;
let server: GrpcServer;
let client: InstanceType<ReturnType<typeof contracts>['registry']>;
const events: Delivery[] = [];

beforeAll(async () => {
  storage = await openStorage<RegistryDb>({ url: 'pglite:memory', schema: 'registry' });
  bus = await LocalEventBus.create({ subjectsPrefix: CHAIN });
  registry = new Registry({
    chainId: CHAIN,
    store: withOutages(await MemberStore.create(storage)),
    bus,
    policy: { kind: 'open' },
    logger,
    leaseTtlMs: TTL,
    challengeTtlMs: 5000,
    sweepIntervalMs: 60_000,
    pollIntervalMs: 50,
    clock: () => now,
  });
  registry.start();
  server = await GrpcServer.create({
    address: '127.0.0.1:0',
    logger,
    services: [{ name: SERVICE_NAMES.registry, definition: contracts().registry.service, implementation: registryService(registry, logger) }],
  });
  client = createClient(contracts().registry, server.address);
  void (async () => {
    for await (const event of await bus.subscribe({ from: 'all' })) {
      events.push(event);
      await event.ack();
    }
  })();
});

afterAll(async () => {
  client.close();
  await server.shutdown(100);
  await registry.stop();
  await bus.close();
  await storage.close();
});

function member(identity = Identity.generate(), labels: Record<string, string> = {}): MembershipClient {
  return new MembershipClient({ registry: server.address, chainId: CHAIN, identity, role: 'trainer', capabilities: { device: 'cpu', datasetSize: 100, labels }, logger });
}

async function signedJoin(identity: Identity, overrides: Partial<v1.JoinRequest> = {}, chainId = CHAIN): Promise<v1.JoinRequest> {
  const challenge = await unary(client, 'getChallenge', { publicKey: Buffer.from(identity.publicKey) });
  const statement = joinStatement({ chainId, nonce: challenge.nonce, issuedAtMs: challenge.issuedAtMs, expiresAtMs: challenge.expiresAtMs, role: 'trainer', capabilities: { device: '', memoryBytes: 0, datasetSize: 0, labels: {} }, endpoint: '' });
  return {
    challenge,
    role: 'ROLE_TRAINER',
    capabilities: {},
    endpoint: '',
    signature: { publicKey: Buffer.from(identity.publicKey), signature: Buffer.from(signStatement(identity, 'join', statement)) },
    ...overrides,
  };
}

describe('listing', () => {
  it('pages through the members in node id order, each once, the pages of one list at one epoch', async () => {
    for (let i = 0; i < 5; i++) await member().join();
    const all = await unary(client, 'list', { status: 'MEMBER_STATUS_ACTIVE' });
    expect(all.nextAfterNodeId).toBe('');
    const first = await unary(client, 'list', { status: 'MEMBER_STATUS_ACTIVE', limit: 2 });
    expect(first.members).toHaveLength(2);
    const pages = [first];
    for (let next = first.nextAfterNodeId; next; next = (pages.at(-1) as v1.ListMembersResponse__Output).nextAfterNodeId) {
      pages.push(await unary(client, 'list', { status: 'MEMBER_STATUS_ACTIVE', limit: 2, afterNodeId: next, atEpoch: first.epoch }));
    }
    const paged = pages.flatMap((p) => p.members.map((m) => m.nodeId));
    expect(paged).toEqual(all.members.map((m) => m.nodeId));
    expect(paged).toEqual([...paged].sort());
    expect(pages.every((p) => p.epoch === first.epoch)).toBe(true);
    // listMembers reads the same, a page at a time.
    const listed = await listMembers((page) => unary(client, 'list', page), { status: 'MEMBER_STATUS_ACTIVE' }, { limit: 2 });
    expect(listed.members.map((m) => m.nodeId)).toEqual(paged);
  });

  it('refuses a later page once the membership changed since the first, and listMembers lists again', async () => {
    for (let i = 0; i < 3; i++) await member().join();
    const first = await unary(client, 'list', { limit: 1 });
    await member().join();
    expect(await failure(unary(client, 'list', { limit: 1, afterNodeId: first.nextAfterNodeId, atEpoch: first.epoch }))).toEqual({ code: status.ABORTED, field: 'at_epoch', reason: 'membership_changed' });
    let calls = 0;
    let joined = false;
    const listed = await listMembers(
      async (page) => {
        calls += 1;
        // A join between the first list's first and second page.
        if (page.afterNodeId && !joined) {
          joined = true;
          await member().join();
        }
        return unary(client, 'list', page);
      },
      {},
      { limit: 1 },
    );
    expect(listed.epoch).toBe((await unary(client, 'list', {})).epoch);
    expect(listed.members.map((m) => m.nodeId)).toEqual((await unary(client, 'list', {})).members.map((m) => m.nodeId));
    expect(calls).toBeGreaterThan(listed.members.length + 1);
    expect(await failure(unary(client, 'list', { limit: 5001 }))).toEqual({ code: status.INVALID_ARGUMENT, field: 'limit', reason: 'too_large' });
  });
});

async function failure(call: Promise<unknown>): Promise<{ code: number | undefined; field: string | undefined; reason: string | undefined }> {
  const error = (await call.then(() => undefined, (e: unknown) => e)) as ServiceError | undefined;
  if (!error) throw new Error('expected the call to fail');
  const detail = errorDetailOf(error);
  return { code: error.code, field: detail?.field, reason: detail?.reason };
}

async function until(predicate: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !predicate(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(predicate()).toBe(true);
}

describe('joining', () => {
  it('admits a node that proves its key, grants a lease and bumps the epoch', async () => {
    const before = (await unary(client, 'list', {})).epoch;
    const node = member();
    const lease = await node.join();
    expect(lease.epoch).toBe(before + 1);
    expect(lease.expiresAtMs).toBe(now + TTL);
    const listed = await unary(client, 'list', { role: 'ROLE_TRAINER', status: 'MEMBER_STATUS_ACTIVE' });
    expect(listed.members.map((m) => m.nodeId)).toContain(lease.nodeId);
    await until(() => events.some((e) => e.subject === SUBJECT.membershipJoined && e.payload.nodeId === lease.nodeId && e.payload.epoch === lease.epoch));
  });

  it('refuses a replayed join proof', async () => {
    const request = await signedJoin(Identity.generate());
    await unary(client, 'join', request);
    expect(await failure(unary(client, 'join', request))).toEqual({ code: status.UNAUTHENTICATED, field: 'challenge', reason: 'replayed_challenge' });
  });

  it('refuses a stale challenge', async () => {
    const request = await signedJoin(Identity.generate());
    now += 10_000;
    expect(await failure(unary(client, 'join', request))).toMatchObject({ code: status.UNAUTHENTICATED, reason: 'stale_challenge' });
  });

  it('refuses a challenge issued to another key', async () => {
    const alice = Identity.generate();
    const mallory = Identity.generate();
    const stolen = await signedJoin(alice);
    const statement = joinStatement({ chainId: CHAIN, nonce: stolen.challenge!.nonce as Buffer, issuedAtMs: Number(stolen.challenge!.issuedAtMs), expiresAtMs: Number(stolen.challenge!.expiresAtMs), role: 'trainer', capabilities: { device: '', memoryBytes: 0, datasetSize: 0, labels: {} }, endpoint: '' });
    const request = { ...stolen, signature: { publicKey: Buffer.from(mallory.publicKey), signature: Buffer.from(signStatement(mallory, 'join', statement)) } };
    expect(await failure(unary(client, 'join', request))).toMatchObject({ code: status.UNAUTHENTICATED, reason: 'forged_challenge' });
  });

  it('refuses a signature over something else', async () => {
    const request = await signedJoin(Identity.generate(), { endpoint: 'evil.example:1' });
    expect(await failure(unary(client, 'join', request))).toMatchObject({ code: status.UNAUTHENTICATED, reason: 'bad_signature' });
  });

  it('names the field of malformed requests', async () => {
    const identity = Identity.generate();
    expect(await failure(unary(client, 'join', await signedJoin(identity, { role: 'ROLE_UNSPECIFIED' })))).toEqual({ code: status.INVALID_ARGUMENT, field: 'role', reason: 'unknown_role' });
    const labels = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, 'v']));
    expect(await failure(unary(client, 'join', await signedJoin(identity, { capabilities: { labels } })))).toMatchObject({ code: status.INVALID_ARGUMENT, field: 'capabilities.labels' });
    expect(await failure(unary(client, 'join', await signedJoin(identity, { capabilities: { labels: { big: 'x'.repeat(10_000) } } })))).toMatchObject({ code: status.INVALID_ARGUMENT, field: 'capabilities.labels["big"]' });
    expect(await failure(unary(client, 'join', { ...(await signedJoin(identity)), challenge: null }))).toMatchObject({ code: status.INVALID_ARGUMENT, field: 'challenge' });
    expect(await failure(unary(client, 'getChallenge', { publicKey: Buffer.alloc(5) }))).toMatchObject({ code: status.INVALID_ARGUMENT, field: 'public_key' });
  });
});

describe('leases', () => {
  it('renew on heartbeat and refuse a replayed heartbeat', async () => {
    const identity = Identity.generate();
    const node = member(identity);
    const lease = await node.join();
    now += 500;
    const renewed = await node.heartbeat();
    expect(renewed.expiresAtMs).toBe(now + TTL);
    const sequence = Date.now() + 10_000_000;
    const signature = signStatement(identity, 'heartbeat', { chainId: CHAIN, nodeId: lease.nodeId, sequence });
    const beat = { nodeId: lease.nodeId, sequence, signature: { publicKey: Buffer.from(identity.publicKey), signature: Buffer.from(signature) } };
    await unary(client, 'heartbeat', beat);
    expect(await failure(unary(client, 'heartbeat', beat))).toMatchObject({ code: status.UNAUTHENTICATED, reason: 'stale_sequence' });
  });

  it('refuse heartbeats signed by another key', async () => {
    const lease = await member().join();
    const mallory = Identity.generate();
    const signature = signStatement(mallory, 'heartbeat', { chainId: CHAIN, nodeId: lease.nodeId, sequence: 1 });
    const beat = { nodeId: lease.nodeId, sequence: 1, signature: { publicKey: Buffer.from(mallory.publicKey), signature: Buffer.from(signature) } };
    expect(await failure(unary(client, 'heartbeat', beat))).toMatchObject({ code: status.UNAUTHENTICATED, reason: 'bad_signature' });
  });

  it('answer NOT_FOUND for a node never admitted', async () => {
    const stranger = Identity.generate();
    const signature = signStatement(stranger, 'heartbeat', { chainId: CHAIN, nodeId: stranger.address, sequence: 1 });
    const beat = { nodeId: stranger.address, sequence: 1, signature: { publicKey: Buffer.from(stranger.publicKey), signature: Buffer.from(signature) } };
    expect(await failure(unary(client, 'heartbeat', beat))).toMatchObject({ code: status.NOT_FOUND, field: 'node_id' });
  });

  it('lapse into failure, published, and a failed node must join again', async () => {
    const node = member();
    const lease = await node.join();
    now += TTL + 1;
    const failed = await registry.sweep();
    expect(failed.map((c) => c.member.nodeId)).toContain(lease.nodeId);
    await until(() => events.some((e) => e.subject === SUBJECT.membershipFailed && e.payload.nodeId === lease.nodeId));
    expect(await failure(node.heartbeat())).toMatchObject({ code: status.FAILED_PRECONDITION, reason: 'rejoin' });
    const again = await node.join();
    expect(again.epoch).toBeGreaterThan(lease.epoch);
  });

  it('are forgiven a lapse from an outage of the database until a lease after it: a member heard again keeps its lease, one not heard is failed', async () => {
    const before = member();
    const beforeLease = await before.join();
    now += TTL + 1; // its lease lapsed before the outage: not forgiven
    const [alive, dead] = [member(), member()];
    const [aliveLease, deadLease] = [await alive.join(), await dead.join()];
    databaseAway = true;
    try {
      expect(await failure(alive.heartbeat())).toMatchObject({ code: status.UNAVAILABLE });
      now += TTL + 1;
      await expect(registry.sweep()).rejects.toThrow('Connection terminated');
    } finally {
      databaseAway = false;
    }
    // Both leases lapsed while the registry could not hear them; the one that lapsed before is failed.
    const hidden = (await registry.sweep()).map((c) => c.member.nodeId);
    expect(hidden).toContain(beforeLease.nodeId);
    expect(hidden).not.toContain(aliveLease.nodeId);
    expect(hidden).not.toContain(deadLease.nodeId);
    await alive.heartbeat();
    now += TTL - 1;
    expect(await registry.sweep()).toEqual([]);
    now += 1;
    const failed = (await registry.sweep()).map((c) => c.member.nodeId);
    expect(failed).toContain(deadLease.nodeId);
    expect(failed).not.toContain(aliveLease.nodeId);
    // Past the grace, a lapsed lease is lost again.
    now += TTL + 1;
    expect(await failure(alive.heartbeat())).toMatchObject({ code: status.FAILED_PRECONDITION, reason: 'rejoin' });
  });

  it('end gracefully on leave', async () => {
    const node = member();
    const lease = await node.join();
    await node.stop('maintenance');
    const listed = await unary(client, 'list', { status: 'MEMBER_STATUS_LEFT' });
    expect(listed.members.map((m) => m.nodeId)).toContain(lease.nodeId);
    await until(() => events.some((e) => e.subject === SUBJECT.membershipLeft && e.payload.nodeId === lease.nodeId && e.payload.reason === 'maintenance'));
  });

  it('are counted by role and status at one epoch, as List shows them', async () => {
    await member().join();
    const census = await registry.census();
    const listed = await registry.list({}, { limit: 1000 });
    expect(listed.next).toBe('');
    expect(census.epoch).toBe(listed.epoch);
    const byKey = new Map<string, number>();
    for (const m of listed.members) byKey.set(`${m.role}/${m.status}`, (byKey.get(`${m.role}/${m.status}`) ?? 0) + 1);
    expect(new Map(census.counts.map((c) => [`${c.role}/${c.status}`, c.count]))).toEqual(byKey);
    expect(byKey.get('trainer/active')).toBeGreaterThan(0);
    expect(byKey.get('trainer/left')).toBeGreaterThan(0);
  });
});

describe('heartbeat streams', () => {
  it('renew the lease of a started member, writing only when half of it is gone', async () => {
    const node = member();
    const lease = await node.start();
    try {
      await until(() => node.isStreaming);
      expect(lease.expiresAtMs).toBe(now + TTL);
      const stored = async (): Promise<number> => (await unary(client, 'list', {})).members.find((m) => m.nodeId === lease.nodeId)!.leaseExpiresAtMs;
      // Less than half gone: beats are answered from the stored lease.
      now += TTL / 4;
      await new Promise((resolve) => setTimeout(resolve, 800));
      expect(await stored()).toBe(lease.expiresAtMs);
      // More than half gone: the next beat renews it.
      now += TTL / 2;
      const renewedTo = now + TTL;
      await until(() => node.lease?.expiresAtMs === renewedTo);
      expect(await stored()).toBe(renewedTo);
    } finally {
      await node.stop();
    }
  });

  it('tell an evicted member to join again, and it does', async () => {
    const node = member();
    const lease = await node.start();
    try {
      now += TTL + 1;
      const failed = await registry.sweep();
      expect(failed.map((c) => c.member.nodeId)).toContain(lease.nodeId);
      await until(() => (node.lease?.epoch ?? 0) > failed[failed.length - 1]!.epoch);
      const listed = await unary(client, 'list', { status: 'MEMBER_STATUS_ACTIVE' });
      expect(listed.members.map((m) => m.nodeId)).toContain(lease.nodeId);
    } finally {
      await node.stop();
    }
  });
});

describe('watching membership', () => {
  it('delivers exactly the changes after the epoch asked for, then live ones', async () => {
    const from = (await unary(client, 'list', {})).epoch;
    const first = await member().join();
    const second = await member().join();
    const seen: v1.MembershipChange__Output[] = [];
    const controller = new AbortController();
    const stream = (async () => {
      for await (const change of serverStream(client, 'watch', { fromEpoch: from }, { signal: controller.signal })) {
        seen.push(change);
        if (seen.length === 3) controller.abort();
      }
    })().catch(() => undefined);
    await until(() => seen.length === 2);
    const third = await member().join();
    await until(() => seen.length === 3);
    await stream;
    expect(seen.map((c) => [c.epoch, c.member?.nodeId])).toEqual([
      [first.epoch, first.nodeId],
      [second.epoch, second.nodeId],
      [third.epoch, third.nodeId],
    ]);
    expect(toHex(seen[0]!.member!.publicKey)).toMatch(/^[0-9a-f]{64}$/);
  });
});
