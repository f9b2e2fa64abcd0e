/**
 * The Validator gRPC contract as the aggregator's JobSource and ChainClient:
 * QueryState("jobs/ID") for a job, QueryState("jobs") a page at a time for the list, BroadcastTx with wait=commit then GetBlock
 * for the block hash, QueryState("jobs/ID/rounds/R") for a committed round
 * (the ledger's RoundRecord: `height`, `model` in hex). Several validator addresses may be given; each call
 * tries them in turn until one answers.
 */
import { status as Status, type ServiceError } from '@grpc/grpc-js';

import { ConfigError, createClient, errorDetailOf, fromHex, toHex, unary } from '@learnchain/core';
import { contracts, type v1 } from '@learnchain/proto';

import { ledgerJobOf, parseLedgerJob, type LedgerJob } from '../domain/job';
import { JobFormatError } from '../errors';
import type { ChainClient, Committed, CommittedRound, JobSource, LedgerJobPage } from '../ports';

/** Jobs asked for in one QueryState page. */
const JOBS_PAGE = 100;

type ValidatorClient = InstanceType<ReturnType<typeof contracts>['validator']>;

/** A transaction refused without a block. */
const refused = (reason: string): Committed => ({ accepted: false, reason, height: 0, blockHash: new Uint8Array() });

export interface ValidatorAdapterOptions {
  readonly addresses: readonly string[];
  /** How long BroadcastTx may wait for the commit. */
  readonly commitTimeoutMs?: number;
}

export class ValidatorAdapter implements JobSource, ChainClient {
  private readonly clients: ValidatorClient[];
  private next = 0;

  constructor(private readonly options: ValidatorAdapterOptions) {
    if (options.addresses.length === 0) throw new ConfigError('LEARNCHAIN_VALIDATORS', 'validators', 'names no validator: the aggregator reads jobs from and submits round results to them');
    this.clients = options.addresses.map((address) => createClient(contracts().validator, address));
  }

  private async any<T>(call: (client: ValidatorClient) => Promise<T>): Promise<T> {
    let last: unknown;
    for (let i = 0; i < this.clients.length; i++) {
      const client = this.clients[(this.next + i) % this.clients.length] as ValidatorClient;
      try {
        return await call(client);
      } catch (error) {
        last = error;
        const code = (error as Partial<ServiceError>).code;
        if (code !== Status.UNAVAILABLE && code !== Status.DEADLINE_EXCEEDED) throw error;
        this.next = (this.next + i + 1) % this.clients.length;
      }
    }
    throw last;
  }

  async job(jobId: string, signal?: AbortSignal): Promise<LedgerJob | undefined> {
    try {
      const answer = await this.any((client) => unary(client, 'queryState', { path: `jobs/${jobId}` }, signal ? { signal } : {}));
      if (!answer.json || answer.json === 'null') return undefined;
      return parseLedgerJob(jobId, answer.json);
    } catch (error) {
      if ((error as Partial<ServiceError>).code === Status.NOT_FOUND) return undefined;
      throw error;
    }
  }

  async jobs(after: string, signal?: AbortSignal): Promise<LedgerJobPage> {
    const answer = await this.any((client) => unary(client, 'queryState', { path: 'jobs', after, limit: JOBS_PAGE }, signal ? { signal } : {}));
    let records: unknown;
    try {
      records = JSON.parse(answer.json || '[]');
    } catch {
      throw new JobFormatError('jobs', 'json', 'is not JSON');
    }
    if (!Array.isArray(records)) throw new JobFormatError('jobs', 'json', 'is not a list of jobs');
    const jobs: LedgerJob[] = [];
    const malformed: { jobId: string; reason: string }[] = [];
    for (const record of records as unknown[]) {
      const jobId = typeof record === 'object' && record !== null ? String((record as { jobId?: unknown }).jobId ?? '') : '';
      try {
        jobs.push(ledgerJobOf(jobId, record));
      } catch (error) {
        malformed.push({ jobId, reason: error instanceof Error ? error.message : String(error) });
      }
    }
    return { jobs, malformed, nextAfter: answer.nextAfter };
  }

  async submit(tx: v1.Tx, signal?: AbortSignal): Promise<Committed> {
    const options = { deadlineMs: this.options.commitTimeoutMs ?? 60_000, ...(signal ? { signal } : {}) };
    let answer: v1.BroadcastTxResponse__Output;
    try {
      answer = await this.any((client) => unary(client, 'broadcastTx', { tx, wait: 'TX_WAIT_COMMIT' }, options));
    } catch (error) {
      // A validator that found this round unverifiable refuses it whenever it comes again: a verdict, not a fault to retry.
      const detail = errorDetailOf(error);
      if (detail?.reason === 'round_unverifiable') return refused(detail.message);
      throw error;
    }
    if (!answer.accepted && answer.height === 0) return refused(answer.reason || 'refused');
    const block = await this.any((client) => unary(client, 'getBlock', { height: answer.height }, signal ? { signal } : {}));
    return { accepted: answer.accepted, reason: answer.reason, height: answer.height, blockHash: new Uint8Array(block.blockHash) };
  }

  async committedRound(jobId: string, round: number, signal?: AbortSignal): Promise<CommittedRound | undefined> {
    let json: string;
    try {
      json = (await this.any((client) => unary(client, 'queryState', { path: `jobs/${jobId}/rounds/${round}` }, signal ? { signal } : {}))).json;
    } catch (error) {
      if ((error as Partial<ServiceError>).code === Status.NOT_FOUND) return undefined;
      throw error;
    }
    const record = (json ? JSON.parse(json) : null) as { height?: unknown; model?: unknown } | null;
    if (!record || typeof record.height !== 'number' || typeof record.model !== 'string' || fromHex(record.model)?.length !== 32) return undefined;
    const height = record.height;
    const block = await this.any((client) => unary(client, 'getBlock', { height }, signal ? { signal } : {}));
    return { model: record.model, height, blockHash: new Uint8Array(block.blockHash) };
  }

  async lastNonce(publicKey: Uint8Array, signal?: AbortSignal): Promise<number> {
    try {
      const answer = await this.any((client) => unary(client, 'queryState', { path: `nonces/${toHex(publicKey)}` }, signal ? { signal } : {}));
      return Number(JSON.parse(answer.json));
    } catch (error) {
      if ((error as Partial<ServiceError>).code === Status.NOT_FOUND) return 0;
      throw error;
    }
  }

  close(): void {
    for (const client of this.clients) client.close();
  }
}
