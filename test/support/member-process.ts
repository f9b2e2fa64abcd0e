/**
 * A cluster member as its own process, for tests that kill members: joins the
 * registry named by LEARNCHAIN_REGISTRY with a fresh key, prints its node id,
 * prints `streaming` once its heartbeat stream is open, and keeps its lease
 * until killed (or leaves on SIGTERM).
 */
import { createLogger, Identity } from '@learnchain/core';
import { MembershipClient, type RoleName } from '@learnchain/membership';

async function main(): Promise<void> {
  const registry = process.env.LEARNCHAIN_REGISTRY;
  if (!registry) throw new Error('LEARNCHAIN_REGISTRY is not set');
  const logger = createLogger({ service: 'member', level: 'warn' });
  const client = new MembershipClient({
    registry,
    chainId: process.env.LEARNCHAIN_CHAIN_ID ?? 'learnchain-devnet',
    identity: Identity.generate(),
    role: (process.env.LEARNCHAIN_ROLE as RoleName | undefined) ?? 'trainer',
    logger,
  });
  const lease = await client.start();
  process.stdout.write(`joined ${lease.nodeId} epoch ${lease.epoch}\n`);
  const streaming = setInterval(() => {
    if (!client.isStreaming) return;
    process.stdout.write(`streaming ${lease.nodeId}\n`);
    clearInterval(streaming);
  }, 20);
  process.on('SIGTERM', () => {
    void client.stop('shutdown').then(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`member: ${String(error)}\n`);
  process.exit(1);
});
