/**
 * JetStream administration the bus needs: a stream that covers the bus's
 * subjects (created or widened idempotently, safe when several services start
 * at once) and durable consumers that are created once and then resumed.
 */
import {
  JetStreamApiCodes,
  JetStreamApiError,
  StorageType,
  type ConsumerConfig,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';

/** How the stream is created when it does not exist yet. */
export interface StreamSpec {
  readonly name: string;
  /** The wildcard of the bus's subjects; added to an existing stream that lacks it. */
  readonly subject: string;
  readonly storage: 'file' | 'memory';
  readonly duplicateWindowMs: number;
  /** How long events are kept (0: no age limit); absent: 0 for a new stream, an existing one's stays. */
  readonly maxAgeMs?: number;
}

/**
 * The stream's limits in JetStream's terms: the age limit, and the duplicate
 * window (`spec`'s for a new stream, the stream's own for one that exists) cut
 * to the age limit, since JetStream refuses a window longer than it.
 */
function limits(spec: StreamSpec, windowNanos = nanos(spec.duplicateWindowMs)): { max_age: number; duplicate_window: number } {
  const maxAge = nanos(spec.maxAgeMs ?? 0);
  return { max_age: maxAge, duplicate_window: maxAge > 0 ? Math.min(windowNanos, maxAge) : windowNanos };
}

/** JetStream's "already in use/exists" answers to a racing create. */
const ALREADY_EXISTS = new Set([10058, 10013, 10148, 10105]);

function apiCode(error: unknown): number | undefined {
  return error instanceof JetStreamApiError ? error.code : undefined;
}

/** Makes sure the stream exists, covers `spec.subject` and has the age limit asked for (when one is). */
export async function ensureStream(jsm: JetStreamManager, spec: StreamSpec, attempt = 0): Promise<void> {
  try {
    const info = await jsm.streams.info(spec.name);
    const subjects = info.config.subjects ?? [];
    const change = {
      ...(subjects.includes(spec.subject) ? {} : { subjects: [...subjects, spec.subject] }),
      ...(spec.maxAgeMs === undefined || info.config.max_age === nanos(spec.maxAgeMs) ? {} : limits(spec, info.config.duplicate_window)),
    };
    if (Object.keys(change).length > 0) await jsm.streams.update(spec.name, change);
    return;
  } catch (error) {
    if (apiCode(error) !== JetStreamApiCodes.StreamNotFound) throw error;
  }
  try {
    await jsm.streams.add({
      name: spec.name,
      subjects: [spec.subject],
      storage: spec.storage === 'memory' ? StorageType.Memory : StorageType.File,
      ...limits(spec),
    });
  } catch (error) {
    const code = apiCode(error);
    if (code === undefined || !ALREADY_EXISTS.has(code) || attempt > 0) throw error;
    await ensureStream(jsm, spec, attempt + 1);
  }
}

/**
 * Creates the durable consumer `config.durable_name` at its start position, or
 * resumes the existing one (its position wins), adjusting ack wait, flow limit
 * and filter when they changed.
 */
export async function ensureDurable(jsm: JetStreamManager, stream: string, name: string, config: Partial<ConsumerConfig>): Promise<void> {
  try {
    const info = await jsm.consumers.info(stream, name);
    const want: Partial<ConsumerConfig> = {};
    if (config.ack_wait !== undefined) want.ack_wait = config.ack_wait;
    if (config.max_ack_pending !== undefined) want.max_ack_pending = config.max_ack_pending;
    if (config.filter_subject !== undefined) want.filter_subject = config.filter_subject;
    if (config.filter_subjects !== undefined) want.filter_subjects = config.filter_subjects;
    const have = info.config;
    const same =
      (want.ack_wait === undefined || have.ack_wait === want.ack_wait) &&
      (want.max_ack_pending === undefined || have.max_ack_pending === want.max_ack_pending) &&
      (want.filter_subject === undefined || have.filter_subject === want.filter_subject) &&
      (want.filter_subjects === undefined || sameList(have.filter_subjects, want.filter_subjects));
    if (!same) await jsm.consumers.update(stream, name, want);
    return;
  } catch (error) {
    if (apiCode(error) !== JetStreamApiCodes.ConsumerNotFound) throw error;
  }
  try {
    await jsm.consumers.add(stream, { ...config, durable_name: name });
  } catch (error) {
    const code = apiCode(error);
    if (code === undefined || !ALREADY_EXISTS.has(code)) throw error;
  }
}

function sameList(a: readonly string[] | undefined, b: readonly string[]): boolean {
  return a !== undefined && a.length === b.length && a.every((s, i) => s === b[i]);
}

/** Whether the server takes several filter subjects on one consumer (NATS 2.10 and later). */
export function supportsFilterSubjects(version: string | undefined): boolean {
  const match = /^v?(\d+)\.(\d+)/.exec(version ?? '');
  if (!match) return false;
  const major = Number(match[1]);
  const minor = Number(match[2]);
  return major > 2 || (major === 2 && minor >= 10);
}
