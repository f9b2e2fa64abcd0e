/**
 * Traces and metrics of a real round: a small devnet (4 validators, a
 * registry, an aggregator, 2 trainers over loopback gRPC) runs one MNIST round
 * in a child process whose telemetry starts before gRPC is used, so the gRPC
 * instrumentation is the real one (test/support/observed-devnet.ts). The
 * round's trace is read back from its in-memory exporter; each service's
 * metrics endpoint is scraped before the job and after the round.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { roundTraceIds } from '@learnchain/core';

import type { ObservedRun, SpanRecord } from '../support/observed-devnet';
import { sample } from '../support/prometheus';

jest.setTimeout(600_000);

const ROOT = join(__dirname, '..', '..');
const SERVER = 1;
const CLIENT = 2;

function observe(rounds: number): Promise<ObservedRun> {
  const out = join(mkdtempSync(join(tmpdir(), 'learnchain-observability-')), 'run.json');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test', 'support', 'observed-devnet.ts'), out, String(rounds)], {
      cwd: ROOT,
      env: { ...process.env, NODE_OPTIONS: '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 560_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`observed devnet exited ${code}:\n${stderr.slice(-4000)}`));
      else resolve(JSON.parse(readFileSync(out, 'utf8')) as ObservedRun);
    });
  });
}

describe('observability of a round', () => {
  let run: ObservedRun;

  beforeAll(async () => {
    run = await observe(1);
  });

  describe('traces', () => {
    let round: SpanRecord;
    let trace: SpanRecord[];
    const service = (s: SpanRecord): unknown => s.attributes['learnchain.service'];
    const named = (name: string, of: string): SpanRecord[] => trace.filter((s) => s.name === name && service(s) === of);

    beforeAll(() => {
      const roots = run.spans.filter((s) => s.name === 'round' && s.attributes['learnchain.job'] === run.jobId && s.attributes['learnchain.round'] === 1);
      expect(roots).toHaveLength(1);
      round = roots[0] as SpanRecord;
      trace = run.spans.filter((s) => s.traceId === round.traceId);
    });

    it('gives the round one trace, whose id anyone can derive from chain, job and round', () => {
      expect(round.traceId).toBe(roundTraceIds({ chainId: run.chainId, jobId: run.jobId, round: 1 }).traceId);
      expect(round.spanId).toBe(roundTraceIds({ chainId: run.chainId, jobId: run.jobId, round: 1 }).spanId);
      expect(round.parentSpanId).toBeUndefined();
      expect(service(round)).toBe('aggregator');
      // gRPC client spans of this one process name no service; server spans name the one they serve.
      // The registry joins it only when the aggregator had to List the members (its Watch-kept view was not in step).
      const expected = new Set<unknown>(['aggregator', 'trainer', 'validator', undefined]);
      if (trace.some((s) => s.name === 'grpc.learnchain.v1.Registry/List' && s.parentSpanId === round.spanId)) expected.add('registry');
      expect(new Set(trace.map(service))).toEqual(expected);
    });

    it("names the membership epoch the round opened on, from the view the registry's Watch stream keeps in the aggregator", () => {
      expect(round.attributes['learnchain.membership_epoch']).toBe(run.epoch);
      // Both trainers joined (one epoch each) before the job was submitted.
      expect(run.epoch).toBeGreaterThanOrEqual(2);
      // The aggregator's Watch stream, held from its start until it stopped.
      expect(run.spans.some((s) => s.name === 'grpc.learnchain.v1.Registry/Watch' && s.kind === CLIENT)).toBe(true);
    });

    it("holds each trainer's fetch, training and upload, continued from the round.opened event's headers", () => {
      for (const name of ['fetch base model', 'train', 'upload']) {
        const spans = named(name, 'trainer');
        expect(new Set(spans.map((s) => s.attributes['learnchain.node'])).size).toBe(2);
        for (const s of spans) expect(s.parentSpanId).toBe(round.spanId);
      }
    });

    it('carries the upload to the aggregator in gRPC metadata: client span under the upload, server span under the client', () => {
      const uploads = new Set(named('upload', 'trainer').map((s) => s.spanId));
      const submits = trace.filter((s) => s.name === 'grpc.learnchain.v1.Aggregator/SubmitUpdate');
      const clients = submits.filter((s) => s.kind === CLIENT && uploads.has(s.parentSpanId ?? ''));
      expect(clients).toHaveLength(2);
      const clientIds = new Set(clients.map((s) => s.spanId));
      expect(submits.filter((s) => s.kind === SERVER && clientIds.has(s.parentSpanId ?? ''))).toHaveLength(2);
    });

    it('holds the aggregation and the RoundResult submission, whose BroadcastTx reaches a validator in metadata', () => {
      expect(named('aggregate', 'aggregator')).toHaveLength(1);
      const [submission] = named('submit round result', 'aggregator');
      expect(submission?.parentSpanId).toBe(round.spanId);
      const broadcast = trace.filter((s) => s.name === 'grpc.learnchain.v1.Validator/BroadcastTx');
      const client = broadcast.find((s) => s.kind === CLIENT && s.parentSpanId === submission?.spanId);
      expect(client).toBeDefined();
      expect(broadcast.some((s) => s.kind === SERVER && s.parentSpanId === client?.spanId)).toBe(true);
    });

    it("holds every validator's verification and commit of the round, though only one received the transaction", () => {
      const verifications = named('verify round', 'validator');
      const commits = named('commit round', 'validator');
      expect(new Set(verifications.map((s) => s.attributes['learnchain.validator'])).size).toBe(4);
      expect(new Set(commits.map((s) => s.attributes['learnchain.validator'])).size).toBe(4);
      for (const s of [...verifications, ...commits]) expect(s.parentSpanId).toBe(round.spanId);
      for (const s of verifications) expect(s.attributes['learnchain.verdict']).toBe('valid');
      expect(new Set(commits.map((s) => s.attributes['learnchain.height']))).toEqual(new Set([round.attributes['learnchain.height']]));
    });
  });

  describe('metrics', () => {
    const instances = ['aggregator', 'registry', 'trainer-0', 'trainer-1', 'validator-0', 'validator-1', 'validator-2', 'validator-3'];

    it('are served by every service', () => {
      expect(Object.keys(run.before).sort()).toEqual([...instances].sort());
      expect(Object.keys(run.after).sort()).toEqual([...instances].sort());
    });

    it("move in the aggregator: rounds opened, closed and committed, updates accepted with their bytes, aggregation time", () => {
      const [before, after] = [run.before.aggregator, run.after.aggregator];
      for (const name of ['learnchain_rounds_opened_total', 'learnchain_rounds_closed_total', 'learnchain_rounds_committed_total', 'learnchain_aggregation_seconds_count']) {
        expect(sample(before, name)).toBe(0);
        expect(sample(after, name)).toBeGreaterThanOrEqual(1);
      }
      expect(run.after.aggregator).toMatch(/^learnchain_rounds_failed_total\{[^}]*\} \d+$/m);
      expect(sample(after, 'learnchain_updates_total', { outcome: 'accepted' })).toBe(2);
      expect(sample(after, 'learnchain_update_bytes_count')).toBe(2);
      expect(sample(after, 'learnchain_update_bytes_sum')).toBeGreaterThan(0);
      expect(sample(after, 'learnchain_aggregation_seconds_sum')).toBeGreaterThan(0);
    });

    it('move in every validator: verification time and verdicts, blobs asked for, block height, commit latency', () => {
      for (const v of ['validator-0', 'validator-1', 'validator-2', 'validator-3']) {
        const [before, after] = [run.before[v], run.after[v]];
        expect(sample(before, 'learnchain_verification_seconds_count')).toBe(0);
        expect(sample(after, 'learnchain_verification_seconds_count', { verdict: 'valid' })).toBeGreaterThanOrEqual(1);
        expect(sample(after, 'learnchain_rounds_verified_total', { verdict: 'valid' })).toBeGreaterThanOrEqual(1);
        // the base model, the two updates and the validation set, from memory or the aggregator
        expect(sample(before, 'learnchain_verification_blobs_total')).toBe(0);
        expect(sample(after, 'learnchain_verification_blobs_total')).toBeGreaterThanOrEqual(4);
        expect(sample(after, 'learnchain_block_height')).toBeGreaterThan(sample(before, 'learnchain_block_height'));
        expect(sample(after, 'learnchain_commit_latency_seconds_count')).toBeGreaterThan(sample(before, 'learnchain_commit_latency_seconds_count'));
        expect(sample(after, 'learnchain_txs_committed_total', { kind: 'roundResult', outcome: 'accepted' })).toBe(1);
      }
    });

    it('show the members by role and status, the epoch and heartbeat latency in the registry', () => {
      const [before, after] = [run.before.registry, run.after.registry];
      expect(sample(after, 'learnchain_members', { role: 'trainer', status: 'active' })).toBe(2);
      expect(sample(after, 'learnchain_membership_epoch')).toBeGreaterThanOrEqual(2);
      expect(sample(after, 'learnchain_heartbeat_latency_seconds_count')).toBeGreaterThan(0);
      expect(sample(after, 'learnchain_heartbeat_latency_seconds_count')).toBeGreaterThanOrEqual(sample(before, 'learnchain_heartbeat_latency_seconds_count'));
    });

    it('move in every trainer: a round submitted, its training time and update bytes', () => {
      for (const t of ['trainer-0', 'trainer-1']) {
        const [before, after] = [run.before[t], run.after[t]];
        expect(sample(before, 'learnchain_trainer_rounds_total', { outcome: 'submitted' })).toBe(0);
        expect(sample(after, 'learnchain_trainer_rounds_total', { outcome: 'submitted' })).toBe(1);
        expect(sample(before, 'learnchain_training_seconds_count')).toBe(0);
        expect(sample(after, 'learnchain_training_seconds_count')).toBe(1);
        expect(sample(after, 'learnchain_update_bytes_sum')).toBeGreaterThan(0);
      }
    });
  });
});
