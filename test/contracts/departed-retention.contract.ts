/**
 * The registry's retention of departed members and old membership changes
 * (services/registry/src/store/departed.ts), through the Registry service on a
 * real socket. Run against PGlite (services/registry) and PostgreSQL
 * (test/integration).
 */
import { status, type ServiceError } from '@grpc/grpc-js';
import { LocalEventBus, type EventBus } from '@learnchain/bus';
import { createClient, createLogger, errorDetailOf, GrpcServer, Identity, serverStream, unary } from '@learnchain/core';
import { MembershipClient } from '@learnchain/membership';
import { contracts, SERVICE_NAMES, type v1 } from '@learnchain/proto';
import type { Storage } from '@learnchain/storage';

import { registryService } from '../../services/registry/src/grpc';
import { Registry } from '../../services/registry/src/registry';
import { MemberStore } from '../../services/registry/src/store/members';
import type { RegistryDb } from '../../services/registry/src/store/schema';

const CHAIN = 'departed-chain';
const TTL = 60_000;
const KEEP = 600_000;
const logger = createLogger({ service: 'departed-test', level: 'silent' });

/** A bus that takes nothing: every change stays unpublished in the outbox. */
const refusingBus = (inner: EventBus): EventBus => ({
  publish: () => Promise.reject(new Error('connection lost')),
  subscribe: (options) => inner.subscribe(options),
  close: () => inner.close(),
});

export function departedRetentionContract(name: string, open: () => Promise<Storage<RegistryDb>>): void {
  describe(`forgetting departed members (${name})`, () => {
    let storage: Storage<RegistryDb>;
    let store: MemberStore;
    let bus: LocalEventBus;
    let registry: Registry;
    let server: GrpcServer;
    let client: InstanceType<ReturnType<typeof contracts>['registry']>;
    let now: number;

    async function start(options: { publishes: boolean }): Promise<void> {
      storage = await open();
      store = await MemberStore.create(storage);
      bus = await LocalEventBus.create({ subjectsPrefix: CHAIN });
      now = 1_000_000;
      registry = new Registry({
        chainId: CHAIN,
        store,
        bus: options.publishes ? bus : refusingBus(bus),
        policy: { kind: 'open' },
        logger,
        leaseTtlMs: TTL,
        challengeTtlMs: 10 * KEEP,
        sweepIntervalMs: 3_600_000,
        pollIntervalMs: 20,
        clock: () => now,
        keepDepartedMs: KEEP,
      });
      registry.start();
      server = await GrpcServer.create({
        address: '127.0.0.1:0',
        logger,
        services: [{ name: SERVICE_NAMES.registry, definition: contracts().registry.service, implementation: registryService(registry, logger) }],
      });
      client = createClient(contracts().registry, server.address);
    }

    afterEach(async () => {
      client?.close();
      await server?.shutdown(100);
      await registry?.stop();
      await bus?.close();
      await storage?.close();
    });

    const member = (): MembershipClient => new MembershipClient({ registry: server.address, chainId: CHAIN, identity: Identity.generate(), role: 'trainer', logger });
    const listed = async (): Promise<Map<string, string>> => new Map((await unary(client, 'list', {})).members.map((m) => [m.nodeId, m.status]));
    const changes = async (): Promise<number[]> => (await storage.db.selectFrom('membership_changes').select('epoch').orderBy('epoch').execute()).map((r) => Number(r.epoch));
    async function published(): Promise<void> {
      for (let i = 0; i < 500; i += 1) {
        if ((await storage.db.selectFrom('membership_changes').select('epoch').where('published', '=', false).execute()).length === 0) return;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new Error('changes were not published');
    }
    async function watchFrom(fromEpoch: number, count: number): Promise<v1.MembershipChange__Output[]> {
      const seen: v1.MembershipChange__Output[] = [];
      const controller = new AbortController();
      try {
        for await (const change of serverStream(client, 'watch', { fromEpoch }, { signal: controller.signal, deadlineMs: 10_000 })) {
          seen.push(change);
          if (seen.length === count) controller.abort();
        }
      } catch (error) {
        if (!controller.signal.aborted) throw error;
      }
      return seen;
    }

    it('forgets members that left or failed longer ago than kept, and changes that old; Watch from before them is FAILED_PRECONDITION', async () => {
      await start({ publishes: true });
      const [leaving, failing, staying] = [member(), member(), member()];
      const left = await leaving.join();
      const failed = await failing.join();
      const stays = await staying.join();
      await leaving.stop('done');
      now += TTL / 2;
      await staying.heartbeat();
      now += TTL; // the failing one's lease lapsed; the staying one's not
      const lapsed = await registry.sweep();
      expect(lapsed.map((c) => c.member.nodeId)).toEqual([failed.nodeId]);
      const failedAt = now;
      await published();
      const before = await changes();

      // Nothing is old enough yet.
      expect(await registry.forgetDeparted()).toEqual({ members: 0, changes: 0 });

      // The leave is past the limit; the lapse is not.
      now = 1_000_000 + KEEP + 1;
      expect(await registry.forgetDeparted()).toEqual({ members: 1, changes: 4 });
      expect(await listed()).toEqual(new Map([[failed.nodeId, 'MEMBER_STATUS_FAILED'], [stays.nodeId, 'MEMBER_STATUS_ACTIVE']]));
      expect(await changes()).toEqual(before.slice(4));

      // Watch from an epoch whose changes went: refused, naming the field; from the first kept one on: whole.
      const compacted = before[3] as number;
      const refused = (await watchFrom(compacted - 1, 1).then(() => undefined, (e: unknown) => e)) as ServiceError | undefined;
      expect(refused?.code).toBe(status.FAILED_PRECONDITION);
      expect(errorDetailOf(refused)).toMatchObject({ field: 'from_epoch', reason: 'compacted' });
      expect((await watchFrom(compacted, 1)).map((c) => c.epoch)).toEqual([before[4]]);

      now = failedAt + KEEP + 1;
      expect(await registry.forgetDeparted()).toEqual({ members: 1, changes: 1 });
      expect(await listed()).toEqual(new Map([[stays.nodeId, 'MEMBER_STATUS_ACTIVE']]));
      // A departed member's key joins again as a new member.
      const back = await failing.join();
      expect((await listed()).get(back.nodeId)).toBe('MEMBER_STATUS_ACTIVE');
    });

    it('keeps changes not yet published, and those not yet recorded on chain when it records there', async () => {
      await start({ publishes: false });
      const leaving = member();
      await leaving.join();
      await leaving.stop('done');
      now += KEEP + 1;
      expect(await registry.forgetDeparted()).toEqual({ members: 1, changes: 0 });
      expect(await changes()).toHaveLength(2);

      await storage.db.updateTable('membership_changes').set({ published: true }).execute();
      const options = { beforeMs: now - KEEP, limit: 1 };
      expect(await store.forgetDeparted({ ...options, recordsOnChain: true })).toEqual({ members: 0, changes: 0 });
      // At most `limit` of each a call, oldest first; the compacted epoch follows the deleted ones.
      const [first, second] = await changes();
      expect(await store.forgetDeparted({ ...options, recordsOnChain: false })).toEqual({ members: 0, changes: 1 });
      expect(await store.compactedEpoch()).toBe(first);
      expect(await store.forgetDeparted({ ...options, recordsOnChain: false })).toEqual({ members: 0, changes: 1 });
      expect(await store.compactedEpoch()).toBe(second);
    });
  });
}
