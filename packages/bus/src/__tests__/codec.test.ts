import { checkHeaders, checkPrefix, decodePayload, encodePayload, unqualify } from '../codec';
import { InvalidNameError, MalformedEventError, UnknownSubjectError } from '../errors';
import { matchesSubject } from '../local/consumer';
import { optional, record, text, uint } from '../schema';
import { SUBJECTS, type EventPayloads, type Subject } from '../subjects';

const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);
const key = bytes(32, 7);

const samples: { readonly [S in Subject]: EventPayloads[S] } = {
  'learnchain.membership.joined': { nodeId: 'n1', publicKey: key, role: 'trainer', epoch: 4, capabilities: ['cuda'] },
  'learnchain.membership.left': { nodeId: 'n1', publicKey: key, role: 'validator', epoch: 5 },
  'learnchain.membership.failed': { nodeId: 'n1', publicKey: key, role: 'aggregator', epoch: 6, reason: 'lease expired' },
  'learnchain.job.created': {
    chainId: 'c', jobId: 'j', initialModelHash: bytes(32, 1), height: 3, rule: 'trimmed-mean', minTrainers: 4, roundDeadlineMs: 30_000,
  },
  'learnchain.round.opened': {
    chainId: 'c', jobId: 'j', round: 0, baseModelHash: bytes(32, 2), deadlineMs: 1_700_000_000_000, participants: [], epoch: 0,
  },
  'learnchain.update.accepted': { chainId: 'c', jobId: 'j', round: 1, nodeId: 'a', updateHash: bytes(32, 3), size: 814_144 },
  'learnchain.round.closed': {
    chainId: 'c', jobId: 'j', round: 1, closedBy: 'deadline',
    included: [{ nodeId: 'a', updateHash: bytes(32, 3) }], excluded: [{ nodeId: 'b', reason: 'late' }],
  },
  'learnchain.round.committed': { chainId: 'c', jobId: 'j', round: 1, newModelHash: bytes(32, 4), height: 9, blockHash: bytes(32, 5) },
  'learnchain.round.failed': { chainId: 'c', jobId: 'j', round: 2, reason: 'below minimum trainers', willRetry: true },
  'learnchain.block.committed': { chainId: 'c', height: 1, blockHash: bytes(32, 6), appHash: bytes(32, 8), txCount: 0, time: 0 },
};

describe('event codec', () => {
  it.each(SUBJECTS.map((s) => [s]))('round-trips %s', (subject) => {
    const payload = samples[subject];
    const decoded = decodePayload(subject, encodePayload(subject, payload));
    expect(decoded).toEqual(payload);
  });

  it('writes bytes as lowercase hex and reads only that', () => {
    const wire = JSON.parse(new TextDecoder().decode(encodePayload('learnchain.round.failed', samples['learnchain.round.failed'])));
    expect(wire).toEqual({ chainId: 'c', jobId: 'j', round: 2, reason: 'below minimum trainers', willRetry: true });
    const committed = JSON.parse(new TextDecoder().decode(encodePayload('learnchain.block.committed', samples['learnchain.block.committed'])));
    expect(committed.blockHash).toBe('06'.repeat(32));
    const decode = (blockHash: string) =>
      decodePayload('learnchain.block.committed', new TextEncoder().encode(JSON.stringify({ ...committed, blockHash })));
    expect(() => decode('0'.repeat(63))).toThrow(MalformedEventError);
    expect(() => decode('0G'.repeat(32))).toThrow(/blockHash/);
    expect(() => decode('AB'.repeat(32))).toThrow(/lowercase hex/);
    expect(() => decode('ab'.repeat(31))).toThrow(/must be 32 bytes, got 31/);
  });

  it('ignores unknown fields on decode and drops them on encode', () => {
    const subject = 'learnchain.round.failed';
    const extra = { ...samples[subject], addedLater: 1 };
    const wire = new TextEncoder().encode(JSON.stringify(extra));
    expect(decodePayload(subject, wire)).toEqual(samples[subject]);
    expect(new TextDecoder().decode(encodePayload(subject, extra))).not.toContain('addedLater');
  });

  it('names the subject, field path and reason of a malformed payload', () => {
    const bad = { ...samples['learnchain.membership.joined'], role: 'king', capabilities: ['ok', ''] };
    const error = (() => {
      try {
        encodePayload('learnchain.membership.joined', bad as unknown as EventPayloads['learnchain.membership.joined']);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(MalformedEventError);
    expect(error).toMatchObject({ subject: 'learnchain.membership.joined', field: 'role' });
    expect(() => decodePayload('learnchain.membership.failed', new TextEncoder().encode('[]'))).toThrow(/\(payload\) must be an object/);
    expect(() => decodePayload('learnchain.membership.failed', new TextEncoder().encode('"x"'))).toThrow(MalformedEventError);
    expect(() => decodePayload('learnchain.round.opened', new Uint8Array([0xff, 0xfe]))).toThrow(/not UTF-8 JSON/);
    expect(() => encodePayload('learnchain.missing' as Subject, samples['learnchain.round.failed'])).toThrow(UnknownSubjectError);
  });

  it('checks prefixes and headers, and strips prefixes', () => {
    expect(checkPrefix('chain-7.mesh_2')).toBe('chain-7.mesh_2');
    for (const bad of ['a..b', 'a.*', 'x.>', 'with space', 'a.learnchain']) expect(() => checkPrefix(bad)).toThrow(InvalidNameError);
    expect(() => checkHeaders({ 'Nats-Expected-Stream': 'x' })).toThrow(/Nats-\* headers/);
    expect(() => checkHeaders({ ok: 'line\nbreak' })).toThrow(InvalidNameError);
    expect(checkHeaders({ traceparent: '00-a-b-01' })).toEqual({ traceparent: '00-a-b-01' });
    expect(unqualify('p', 'p.learnchain.round.opened')).toBe('learnchain.round.opened');
    expect(unqualify('p', 'q.learnchain.round.opened')).toBeUndefined();
  });

  it('matches NATS subject wildcards', () => {
    expect(matchesSubject('p.learnchain.>', 'p.learnchain.round.opened')).toBe(true);
    expect(matchesSubject('p.learnchain.>', 'p.learnchain')).toBe(false);
    expect(matchesSubject('p.*.round.opened', 'p.learnchain.round.opened')).toBe(true);
    expect(matchesSubject('p.learnchain.round.opened', 'p.learnchain.round.closed')).toBe(false);
    expect(matchesSubject('p.learnchain.round', 'p.learnchain.round.opened')).toBe(false);
  });
});

describe('payload schemas', () => {
  it('are checked against their types at compile time', () => {
    interface Pair {
      readonly a: string;
      readonly b?: number;
    }
    const pair = record<Pair>({ a: text(), b: optional(uint()) });
    expect(pair.decode({ a: 'x' }, '')).toEqual({ a: 'x' });
    // @ts-expect-error a required field may not be left out
    record<Pair>({ b: optional(uint()) });
    // @ts-expect-error a required field may not take an optional codec
    record<Pair>({ a: optional(text()), b: optional(uint()) });
    // @ts-expect-error a field's codec must produce its type
    record<Pair>({ a: uint(), b: optional(uint()) });
    // @ts-expect-error fields outside the type are refused
    record<Pair>({ a: text(), b: optional(uint()), c: text() });
  });
});
