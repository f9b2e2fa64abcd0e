import { getEventListeners } from 'node:events';

import { LIVE_BLOCKS_KEPT, watchBlocks, type BlockFeed } from '../watch-blocks';

interface Block {
  readonly height: number;
}

/** A chain that stores blocks when told to, counting what watchers read back from the store. */
class FakeChain implements BlockFeed<Block> {
  persistedHeight = 0;
  storeReads = 0;
  private readonly listeners = new Set<(block: Block) => void>();

  get watchers(): number {
    return this.listeners.size;
  }

  commit(count: number): void {
    for (let i = 0; i < count; i++) {
      this.persistedHeight += 1;
      for (const listener of this.listeners) listener({ height: this.persistedHeight });
    }
  }

  async storedBlock(height: number): Promise<Block | undefined> {
    this.storeReads += 1;
    return height <= this.persistedHeight ? { height } : undefined;
  }

  onBlock(listener: (block: Block) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** A client that takes blocks only when let: each send waits until `open()`. */
function slowClient() {
  const seen: number[] = [];
  let gate: { promise: Promise<void>; open: () => void } | undefined;
  const close = () => {
    let open = (): void => undefined;
    const promise = new Promise<void>((resolve) => (open = resolve));
    gate = { promise, open };
  };
  close();
  return {
    seen,
    send: async (block: Block) => {
      await gate?.promise;
      seen.push(block.height);
    },
    open: () => gate?.open(),
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('watchBlocks', () => {
  it('sends stored blocks, then new ones, in order', async () => {
    const chain = new FakeChain();
    chain.commit(5);
    const controller = new AbortController();
    const seen: number[] = [];
    const watching = watchBlocks(chain, 2, async (b) => void seen.push(b.height), controller.signal);
    await settle();
    chain.commit(3);
    await settle();
    controller.abort();
    await watching;
    expect(seen).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(chain.watchers).toBe(0);
  });

  it(`holds at most ${LIVE_BLOCKS_KEPT} blocks for a client that lags, and still gives it every block in order from the store`, async () => {
    const chain = new FakeChain();
    const controller = new AbortController();
    const client = slowClient();
    const watching = watchBlocks(chain, 1, client.send, controller.signal);
    await settle();
    chain.commit(1);
    await settle();
    // The client is stuck on block 1 while 10 times the buffer is committed.
    chain.commit(10 * LIVE_BLOCKS_KEPT);
    const readsBefore = chain.storeReads;
    client.open();
    while (client.seen.length < 1 + 10 * LIVE_BLOCKS_KEPT) await settle();
    expect(client.seen).toEqual(Array.from({ length: 1 + 10 * LIVE_BLOCKS_KEPT }, (_, i) => i + 1));
    // All but the last LIVE_BLOCKS_KEPT came back from the store.
    expect(chain.storeReads - readsBefore).toBe(10 * LIVE_BLOCKS_KEPT - LIVE_BLOCKS_KEPT);
    controller.abort();
    await watching;
    expect(chain.watchers).toBe(0);
  });

  it('holds one abort listener however many blocks it waited for', async () => {
    const chain = new FakeChain();
    const controller = new AbortController();
    const watching = watchBlocks(chain, 1, async () => undefined, controller.signal);
    for (let i = 0; i < 50; i++) {
      await settle();
      chain.commit(1);
    }
    await settle();
    expect(getEventListeners(controller.signal, 'abort').length).toBeLessThanOrEqual(1);
    controller.abort();
    await watching;
  });

  it('lets go of the chain when sending fails (the client went away)', async () => {
    const chain = new FakeChain();
    chain.commit(2);
    const watching = watchBlocks(chain, 1, async () => Promise.reject(new Error('closed')), new AbortController().signal);
    await expect(watching).rejects.toThrow('closed');
    expect(chain.watchers).toBe(0);
  });
});
