/** The registry adapter against a real registry (PGlite): the followed view agrees with List as members join, leave and lapse. */
import { createLogger, Identity, loadConfig } from '@learnchain/core';
import { MembershipClient } from '@learnchain/membership';

import { registryConfig } from '../../../registry/src/config';
import { startRegistry, type RunningRegistry } from '../../../registry/src/main';
import { RegistryMembership } from '../adapters/registry';
import { until } from './support/mesh';

const logger = createLogger({ service: 'aggregator-test', level: 'silent' });
const chainId = 'view-chain';

describe('registry membership (followed)', () => {
  let registry: RunningRegistry;
  let followed: RegistryMembership;
  let listed: RegistryMembership;
  let stopFollowing: AbortController;
  let following: Promise<void>;
  const clients: MembershipClient[] = [];

  beforeEach(async () => {
    registry = await startRegistry(
      loadConfig(registryConfig, { env: { LEARNCHAIN_CHAIN_ID: chainId, LEARNCHAIN_REGISTRY_LISTEN: '127.0.0.1:0', DATABASE_URL: 'pglite:memory', LEARNCHAIN_LEASE_TTL_MS: '600000', LEARNCHAIN_LOG_LEVEL: 'silent' } }),
    );
    followed = new RegistryMembership(registry.address);
    listed = new RegistryMembership(registry.address);
    stopFollowing = new AbortController();
  });
  afterEach(async () => {
    stopFollowing.abort();
    await following;
    for (const c of clients.splice(0)) await c.stop().catch(() => undefined);
    followed.close();
    listed.close();
    await registry.stop().catch(() => undefined);
  });

  async function join(): Promise<{ client: MembershipClient; nodeId: string }> {
    const client = new MembershipClient({ registry: registry.address, chainId, identity: Identity.generate(), role: 'trainer', logger });
    const { nodeId } = await client.join();
    clients.push(client);
    return { client, nodeId };
  }

  /** The followed answer once it has caught up with List's epoch, with List's answer. */
  async function caughtUp(): Promise<{ view: Awaited<ReturnType<RegistryMembership['activeTrainers']>>; list: Awaited<ReturnType<RegistryMembership['activeTrainers']>> }> {
    return until('the followed view to reach the registry epoch', async () => {
      const list = await listed.activeTrainers();
      if (!followed.inStep()) return undefined;
      const view = await followed.activeTrainers();
      return view.epoch === list.epoch ? { view, list } : undefined;
    });
  }

  const ids = (answer: { trainers: readonly { nodeId: string }[] }): string[] => answer.trainers.map((t) => t.nodeId);

  it('agrees with List at the same epoch as trainers join and leave, also across a fresh listing', async () => {
    await join();
    following = followed.follow(stopFollowing.signal, logger, { retryMs: 50, resyncMs: 400 });
    const first = await caughtUp();
    expect(ids(first.view)).toEqual(ids(first.list));
    expect(ids(first.view)).toHaveLength(1);

    const [b, c] = [await join(), await join()];
    await b.client.stop('leaving');
    const after = await caughtUp();
    expect(ids(after.view)).toEqual(ids(after.list));
    expect(ids(after.view)).toHaveLength(2);
    expect(ids(after.view)).toContain(c.nodeId);
    expect(ids(after.view)).not.toContain(b.nodeId);
    expect(after.view.trainers.map((t) => Buffer.from(t.publicKey).toString('hex'))).toEqual(after.list.trainers.map((t) => Buffer.from(t.publicKey).toString('hex')));

    // Past a fresh listing (resyncMs) the view is in step still, and a change after it arrives too.
    const before = after.view.epoch;
    await new Promise((resolve) => setTimeout(resolve, 500));
    await join();
    const later = await caughtUp();
    expect(later.view.epoch).toBeGreaterThan(before);
    expect(ids(later.view)).toEqual(ids(later.list));
    expect(ids(later.view)).toHaveLength(3);
  });

  it('falls back to asking List when the stream breaks, and answers from List alone without follow', async () => {
    await join();
    expect(listed.inStep()).toBe(false);
    expect(ids(await listed.activeTrainers())).toHaveLength(1);
    following = followed.follow(stopFollowing.signal, logger, { retryMs: 50 });
    await caughtUp();
    await registry.stop();
    await until('the view to be dropped', () => (followed.inStep() ? undefined : true));
    await expect(followed.activeTrainers()).rejects.toThrow();
  });
});
