/**
 * The write-ahead log: every input the consensus core receives at the running
 * height, and every message this validator signs. Inputs are appended without
 * waiting; before an own vote or proposal leaves the process the log is
 * fsynced, so after a crash the core, replayed over the same inputs, signs the
 * same messages again and never conflicting ones. The log is reset at each
 * new height (the block store holds everything before it).
 */
import { closeSync, fdatasyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
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
  /** Starts the log of a new height: drops the old one. Durable on return. */
  startHeight(height: number): void;
  close(): void;
}

/** The entries of `height` in a recovered log (empty when the log is of another height). */
export function entriesOf(entries: readonly WalEntry[], height: number): WalEntry[] {
  const first = entries[0];
  if (!first || first.t !== 'height' || first.h !== height) return [];
  return entries.slice(1);
}

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
      return new FileWal(path, fd, parse(text));
    } catch (error) {
      throw new WalError(path, (error as Error).message);
    }
  }

  append(entry: WalEntry): void {
    writeSync(this.fd, `${JSON.stringify(entry)}\n`);
  }

  sync(): void {
    fdatasyncSync(this.fd);
  }

  startHeight(height: number): void {
    ftruncateSync(this.fd, 0);
    this.append({ t: 'height', h: height });
    this.sync();
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

/** A log that lives as long as the process (tests, simulations). */
export class MemoryWal implements Wal {
  readonly entries: WalEntry[] = [];
  syncs = 0;

  constructor(readonly recovered: readonly WalEntry[] = []) {}

  append(entry: WalEntry): void {
    this.entries.push(entry);
  }

  sync(): void {
    this.syncs += 1;
  }

  startHeight(height: number): void {
    this.entries.length = 0;
    this.entries.push({ t: 'height', h: height });
    this.syncs += 1;
  }

  close(): void {}
}
