/**
 * A share of the registry bench's simulated members, run in a worker thread of
 * its own (its own heap and event loop: a garbage collection here holds up only
 * this share's answers). Members are the indices i < members with
 * i % threads = index. Each joins, opens its HeartbeatStream (or beats with
 * signed unary calls), then beats at i/members of every second of the shared
 * clock. The main thread says when to measure and which members stop; at the
 * end this thread sends its latencies and counts.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';

import { createClient, Identity, signStatement, unary } from '@learnchain/core';
import { capabilitiesStatement, joinStatement, LeaseStream, mustRejoin } from '@learnchain/membership';
import { contracts } from '@learnchain/proto';

/** What the main thread gives each worker. */
export interface MembersSetup {
  readonly address: string;
  readonly chainId: string;
  readonly members: number;
  readonly threads: number;
  readonly index: number;
  readonly channels: number;
  readonly mode: 'stream' | 'unary';
  /** The shared clock: member i beats at clockStartMs + k·1000 + 1000·i/members (Unix ms). */
  readonly clockStartMs: number;
}

/** Main thread → worker. */
export type ToMembers = { readonly type: 'measure'; readonly on: boolean } | { readonly type: 'stop'; readonly members: readonly number[] } | { readonly type: 'finish' };

/** Worker → main thread. */
export type FromMembers =
  | { readonly type: 'joined'; readonly nodeIds: readonly (readonly [number, string])[]; readonly rejoins: number; readonly setupRetries: number }
  | {
      readonly type: 'result';
      readonly latencies: Float64Array;
      readonly sent: number;
      readonly errors: number;
      readonly reopened: number;
      readonly loopP99Ms: number;
      readonly loopMaxMs: number;
    };

type RegistryClient = InstanceType<ReturnType<typeof contracts>['registry']>;

const setup = workerData as MembersSetup;
const port = parentPort!;
const post = (message: FromMembers, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);
const now = (): number => performance.timeOrigin + performance.now();

async function pool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

async function main(): Promise<void> {
  const { members, threads, index, chainId, mode } = setup;
  const mine = Array.from({ length: members }, (_, i) => i).filter((i) => i % threads === index);
  const clients: RegistryClient[] = Array.from({ length: setup.channels }, (_, c) =>
    // A distinct option per client gives each its own connection.
    createClient(contracts().registry, setup.address, { channelOptions: { 'learnchain.channel': `${index}-${c}` } }),
  );
  const clientOf = (i: number): RegistryClient => clients[Math.floor(i / threads) % clients.length] as RegistryClient;
  const identities = new Map(mine.map((i) => [i, Identity.generate()]));
  const nodeIds = new Map<number, string>();

  let latencies = new Float64Array(1 << 16);
  let count = 0;
  const record = (ms: number): void => {
    if (count === latencies.length) {
      const grown = new Float64Array(2 * latencies.length);
      grown.set(latencies);
      latencies = grown;
    }
    latencies[count++] = ms;
  };
  let measuring = false;
  let finished = false;
  let errors = 0;
  let reopened = 0;
  let rejoins = 0;
  let setupRetries = 0;
  let sent = 0;
  let sequence = Date.now();
  const stopped = new Set<number>();
  const loop = monitorEventLoopDelay({ resolution: 10 });

  // Stream mode: each member's stream, and when its last few beats went out (slot = sequence mod SLOTS).
  const SLOTS = 4;
  const streams = new Map<number, LeaseStream>();
  const sentSeq = new Float64Array(members * SLOTS);
  const sentTime = new Float64Array(members * SLOTS);

  const join = async (i: number): Promise<void> => {
    const identity = identities.get(i) as Identity;
    const client = clientOf(i);
    // Setup on a loaded machine can be slow: generous deadlines (the measured phase has none of these calls).
    const challenge = await unary(client, 'getChallenge', { publicKey: Buffer.from(identity.publicKey) }, { deadlineMs: 60_000 });
    const statement = joinStatement({ chainId, nonce: challenge.nonce, issuedAtMs: challenge.issuedAtMs, expiresAtMs: challenge.expiresAtMs, role: 'trainer', capabilities: capabilitiesStatement({}), endpoint: '' });
    const joined = await unary(
      client,
      'join',
      { challenge, role: 'ROLE_TRAINER', capabilities: {}, endpoint: '', signature: { publicKey: Buffer.from(identity.publicKey), signature: Buffer.from(signStatement(identity, 'join', statement)) } },
      { deadlineMs: 60_000 },
    );
    nodeIds.set(i, joined.nodeId);
  };
  // Setup retries what a member would retry (a deadline, an unavailable registry, a reset connection on a loaded machine).
  const retrying = async (work: () => Promise<void>): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        const code = (error as { code?: number }).code;
        if (attempt >= 5 || (code !== 4 && code !== 13 && code !== 14)) throw error;
        setupRetries++;
      }
    }
  };
  const openStream = async (i: number): Promise<void> => {
    const stream = new LeaseStream({
      client: clientOf(i),
      chainId,
      identity: identities.get(i) as Identity,
      nodeId: nodeIds.get(i) as string,
      intervalMs: Infinity, // the scheduler beats
      silenceMs: Infinity,
      onLease: (update) => {
        const slot = i * SLOTS + (update.sequence % SLOTS);
        if (sentSeq[slot] !== update.sequence) return;
        sentSeq[slot] = 0;
        if (measuring) record(now() - sentTime[slot]!);
      },
    });
    let opened = false;
    void stream.closed.then((reason) => {
      if (streams.get(i) === stream) streams.delete(i);
      if (stopped.has(i) || finished || !opened) return;
      if (measuring) errors++;
      if (reason && measuring) console.error(`member ${i}: stream ended: ${String(reason)}`);
      // As a member would: open a new stream, joining again first when told to.
      reopened++;
      void (async () => {
        if (mustRejoin(reason)) await join(i);
        await openStream(i);
      })().catch((error: unknown) => console.error(`member ${i}: could not come back: ${String(error)}`));
    });
    await stream.opened;
    opened = true;
    streams.set(i, stream);
  };
  const streamBeat = (i: number): void => {
    const seq = streams.get(i)?.beat() ?? 0;
    if (seq > 0 && measuring) {
      sentSeq[i * SLOTS + (seq % SLOTS)] = seq;
      sentTime[i * SLOTS + (seq % SLOTS)] = now();
      sent++;
    }
  };
  const inflight = new Set<Promise<void>>();
  const unaryBeat = async (i: number): Promise<void> => {
    const identity = identities.get(i) as Identity;
    const nodeId = nodeIds.get(i) as string;
    const seq = ++sequence;
    const signature = signStatement(identity, 'heartbeat', { chainId, nodeId, sequence: seq });
    const started = now();
    if (measuring) sent++;
    try {
      await unary(clientOf(i), 'heartbeat', { nodeId, sequence: seq, signature: { publicKey: Buffer.from(identity.publicKey), signature: Buffer.from(signature) } });
      if (measuring) record(now() - started);
    } catch {
      if (measuring) errors++;
    }
  };

  // Member i beats at i/members of every second, from the moment it has joined.
  let due = Math.floor(((now() - setup.clockStartMs) / 1000) * members);
  const scheduler = setInterval(() => {
    const until = Math.floor(((now() - setup.clockStartMs) / 1000) * members);
    for (; due < until; due++) {
      const i = due % members;
      if (i % threads !== index || stopped.has(i) || !nodeIds.has(i)) continue;
      if (mode === 'stream') streamBeat(i);
      else {
        const p = unaryBeat(i).finally(() => inflight.delete(p));
        inflight.add(p);
      }
    }
  }, 5);

  port.on('message', (message: ToMembers) => {
    switch (message.type) {
      case 'measure':
        measuring = message.on;
        if (message.on) loop.enable();
        else loop.disable();
        return;
      case 'stop':
        for (const i of message.members) stopped.add(i);
        return;
      case 'finish':
        void (async () => {
          clearInterval(scheduler);
          await Promise.all(inflight);
          finished = true;
          for (const stream of streams.values()) stream.close();
          for (const client of clients) client.close();
          const result = latencies.slice(0, count);
          post({ type: 'result', latencies: result, sent, errors, reopened, loopP99Ms: loop.percentile(99) / 1e6, loopMaxMs: loop.max / 1e6 }, [result.buffer]);
          port.close();
        })();
        return;
    }
  });

  await pool(mine, Math.max(1, Math.floor(128 / threads)), async (i) => {
    await retrying(() => join(i));
    // As a member would: when the lease lapsed before the stream opened (a slow, loaded start), join again.
    for (let attempt = 0; mode === 'stream'; attempt++) {
      try {
        await openStream(i);
        break;
      } catch (error) {
        if (!mustRejoin(error) || attempt >= 20) throw error;
        rejoins++;
        await retrying(() => join(i));
      }
    }
  });
  post({ type: 'joined', nodeIds: [...nodeIds.entries()], rejoins, setupRetries });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
