/**
 * The registry as real processes against real PostgreSQL and NATS: joins and
 * leaves, a member killed with -9 is marked failed and the event published,
 * Watch resumes from an epoch, two replicas share one database without
 * double-counting, and a registry restart keeps every lease.
 */
import { NatsEventBus, SUBJECT, type Delivery } from '@learnchain/bus';
import { createClient, createLogger, Identity, serverStream, unary } from '@learnchain/core';
import { MembershipClient } from '@learnchain/membership';
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
    const proc = await ServiceProcess.start({ name: 'registry', entry: 'services/registry/src/main.ts', env: registryEnv(port, schemaName, ttlMs), ready: /registry running/ });
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
});
