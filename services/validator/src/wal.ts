/**
 * The write-ahead log: every input the consensus core receives at the running
 * height, and every message this validator signs. Inputs are appended without
 * waiting; before an own vote or proposal leaves the process the log is
 * fsynced, so after a crash the core, replayed over the same inputs, signs the
 * same messages again and never conflicting ones. Syncs are grouped: one
 * fsync covers everything appended before it began, and whoever asks while
 * one runs shares the next one. Each height starts with a
 * marker; the log is compacted (older heights dropped) only once the block
 * store durably holds every block before the new height, so a block whose
 * storing was still in flight at a crash is decided again from the log.
 */
import { closeSync, fdatasync, fdatasyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

import type { Input } from '@learnchain/consensus';

import { WalError } from './errors';

/** One line of the log. */
export type WalEntry =
  | { readonly t: 'height'; readonly h: number }
  | { readonly t: 'input'; readonly input: Input; readonly block?: string }
  | { readonly t: 'signed'; readonly key: string; readonly value: string | null; readonly msg: string };

/** The port: a file in production, memory in tests. */
export interface Wal {
  /** What the log held when it was opened. */
  readonly recovered: readonly WalEntry[];
  append(entry: WalEntry): void;
  /** Makes everything appended durable. */
  sync(): void;
  /**
   * Resolves once everything appended so far is durable, without blocking the
   * event loop meanwhile; callers share fsyncs (in the order they called).
   */
  flush(): Promise<void>;
  /** True when the log is large enough that the next height should compact it. */
  readonly needsCompaction: boolean;
  /**
   * Starts the log of a new height with a marker. With `compact`, the caller
   * promises every earlier block is durably stored: the log may drop them.
   */
  startHeight(height: number, compact: boolean): void;
  /** Closes the log once the fsyncs already asked for have run. */
  close(): Promise<void>;
}

/** The entries of `height` in a recovered log: those after its last marker, up to the next marker. */
export function entriesOf(entries: readonly WalEntry[], height: number): WalEntry[] {
  let start = -1;
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i] as WalEntry;
    if (e.t === 'height' && e.h === height) {
      start = i;
      break;
    }
  }
  if (start < 0) return [];
  const out: WalEntry[] = [];
  for (let i = start + 1; i < entries.length; i++) {
    const e = entries[i] as WalEntry;
    if (e.t === 'height') break;
    out.push(e);
  }
  return out;
}

/** Past this size a compacting height marker rewrites the log. */
const COMPACT_BYTES = 4 * 1024 * 1024;

function parse(text: string): WalEntry[] {
  const out: WalEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      out.push(JSON.parse(line) as WalEntry);
    } catch {
      break; // a torn last line: the crash came mid-write, nothing after it was synced
    }
  }
  return out;
}

export class FileWal implements Wal {
  private size = 0;
  /** Entries appended, and how many of them an fsync has covered. */
  private appended = 0;
  private synced = 0;
  /** The fsync running now, and the one that will follow it for entries appended meanwhile. */
  private running: Promise<void> | undefined;
  private following: Promise<void> | undefined;

  private constructor(
    readonly path: string,
    private fd: number,
    readonly recovered: readonly WalEntry[],
  ) {}

  static open(dir: string): FileWal {
    const path = join(dir, 'consensus.wal');
    try {
      mkdirSync(dir, { recursive: true });
      let text = '';
      try {
        text = readFileSync(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
      const fd = openSync(path, 'a');
      const wal = new FileWal(path, fd, parse(text));
      wal.size = Buffer.byteLength(text);
      return wal;
    } catch (error) {
      throw new WalError(path, (error as Error).message);
    }
  }

  append(entry: WalEntry): void {
    this.size += writeSync(this.fd, `${JSON.stringify(entry)}\n`);
    this.appended += 1;
  }

  sync(): void {
    const covered = this.appended;
    fdatasyncSync(this.fd);
    this.synced = Math.max(this.synced, covered);
  }

  flush(): Promise<void> {
    if (this.synced >= this.appended && !this.running) return Promise.resolve();
    if (!this.running) return this.startSync();
    // The running fsync may have begun before the last append: share the next one.
    this.following ??= this.running.then(
      () => this.startSync(),
      () => this.startSync(),
    );
    return this.following;
  }

  private startSync(): Promise<void> {
    this.following = undefined;
    const covered = this.appended;
    const running = new Promise<void>((resolve, reject) =>
      fdatasync(this.fd, (error) => {
        if (this.running === running) this.running = undefined;
        if (error) return reject(new WalError(this.path, error.message));
        this.synced = Math.max(this.synced, covered);
        resolve();
      }),
    );
    this.running = running;
    return running;
  }

  get needsCompaction(): boolean {
    return this.size > COMPACT_BYTES;
  }

  startHeight(height: number, compact: boolean): void {
    if (compact) {
      ftruncateSync(this.fd, 0);
      this.size = 0;
      this.append({ t: 'height', h: height });
      this.sync();
      return;
    }
    // No sync: a marker lost in a crash only hides a height that had no inputs yet.
    this.append({ t: 'height', h: height });
  }

  /** Closes the file once every fsync asked for has run (one on a closed descriptor would fail). */
  async close(): Promise<void> {
    for (let pending = this.following ?? this.running; pending; pending = this.following ?? this.running) {
      await pending.catch(() => undefined);
    }
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

/** A log that lives as long as the process (tests, simulations). */
export class MemoryWal implements Wal {
  readonly entries: WalEntry[] = [];
  syncs = 0;

  constructor(readonly recovered: readonly WalEntry[] = []) {}

  get needsCompaction(): boolean {
    return this.entries.length > 10_000;
  }

  append(entry: WalEntry): void {
    this.entries.push(entry);
  }

  sync(): void {
    this.syncs += 1;
  }

  async flush(): Promise<void> {
    this.syncs += 1;
  }

  startHeight(height: number, compact: boolean): void {
    if (compact) this.entries.length = 0;
    this.entries.push({ t: 'height', h: height });
  }

  async close(): Promise<void> {}
}
