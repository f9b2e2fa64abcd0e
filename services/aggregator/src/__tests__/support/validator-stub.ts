/**
 * A test server implementing the Validator contract, enough for an aggregator:
 * QueryState("jobs/ID") answers the jobs it was given (as the ledger's JobRecord
 * JSON, the CreateJob under `spec`) and "jobs" lists them a page at a time, BroadcastTx checks the transaction with the
 * ledger's own decodeTx (form, chain, signature), records it and "commits" it
 * at the next height, QueryState("jobs/ID/rounds/R") answers a committed
 * round, GetBlock answers a block hash for a height.
 */
import { createLogger, failedPrecondition, GrpcServer, HandlerFactory, notFound, sha256, unavailable } from '@learnchain/core';
import { decodeTx, type Tx } from '@learnchain/ledger';
import { contracts, SERVICE_NAMES, type v1 } from '@learnchain/proto';

export interface StubJob {
  readonly jobId: string;
  readonly initialParametersHash: string;
  readonly rule: { name: string; params?: Record<string, number>; byzantineBudget?: number; normBound?: number };
  readonly minTrainers: number;
  readonly maxTrainers?: number;
  readonly roundDeadlineMs: number;
  readonly rounds?: number;
  readonly updateEncoding?: 'DTYPE_FLOAT32' | 'DTYPE_FLOAT16' | 'DTYPE_INT8';
  readonly manifest?: { readonly tensors: readonly { readonly name: string; readonly shape: readonly number[]; readonly offset: number }[]; readonly totalElements: number };
  /** The validation set's hash (hex), when the job names one. */
  readonly validation?: { readonly datasetHash: string };
}

export class ValidatorStub {
  readonly jobs = new Map<string, StubJob>();
  readonly committed: Tx[] = [];
  /** Every well-formed transaction BroadcastTx received, committed or not (held ones too). */
  readonly received: Tx[] = [];
  /** Set to make the next BroadcastTx calls fail (as if no validator answered) or be refused. */
  mode: 'commit' | 'unavailable' | 'refuse' | 'lose-answer' = 'commit';
  private height = 0;
  private gate: Promise<void> = Promise.resolve();
  private readonly rounds = new Map<string, { height: number; model: string }>();
  /** The last committed nonce of each signer (hex key). */
  private readonly nonces = new Map<string, number>();

  private constructor(
    private readonly server: GrpcServer,
    readonly chainId: string,
  ) {}

  get address(): string {
    return this.server.address;
  }

  /** Records round `round` of `jobId` as committed, as a RoundResult that another aggregator sent would. */
  recordRound(jobId: string, round: number, model: string): void {
    this.height += 1;
    this.rounds.set(`${jobId}/${round}`, { height: this.height, model });
  }

  /** The ledger's record of a job: its CreateJob under `spec`, and its last committed round. */
  jobRecord(jobId: string): { jobId: string; round: number; spec: StubJob } | undefined {
    const job = this.jobs.get(jobId);
    if (!job) return undefined;
    const committed = [...this.rounds.keys()].filter((key) => key.startsWith(`${jobId}/`)).map((key) => Number(key.slice(jobId.length + 1)));
    return { jobId, round: Math.max(0, ...committed), spec: job };
  }

  static async start(chainId: string, address = '127.0.0.1:0'): Promise<ValidatorStub> {
    const logger = createLogger({ service: 'validator-stub', level: 'silent' });
    const h = new HandlerFactory(logger, SERVICE_NAMES.validator);
    let stub: ValidatorStub | undefined;
    const server = await GrpcServer.create({
      address,
      logger,
      services: [
        {
          name: SERVICE_NAMES.validator,
          definition: contracts().validator.service,
          implementation: {
            QueryState: h.unary('QueryState', async (request: v1.QueryStateRequest__Output): Promise<v1.QueryStateResponse> => {
              const signer = /^nonces\/([0-9a-f]{64})$/.exec(request.path)?.[1];
              if (signer) {
                const nonce = stub?.nonces.get(signer);
                if (nonce === undefined) throw notFound('state', request.path, 'path');
                return { height: stub?.height ?? 0, json: JSON.stringify(nonce) };
              }
              const roundPath = /^jobs\/([^/]+)\/rounds\/(\d+)$/.exec(request.path);
              if (roundPath) {
                const record = stub?.rounds.get(`${roundPath[1]}/${roundPath[2]}`);
                if (!record) throw notFound('state', request.path, 'path');
                return { height: stub?.height ?? 0, json: JSON.stringify({ jobId: roundPath[1], round: Number(roundPath[2]), ...record }) };
              }
              if (request.path === 'jobs' && stub) {
                const ids = [...stub.jobs.keys()].sort().filter((id) => id > request.after);
                const limit = request.limit || 100;
                const page = ids.slice(0, limit).map((id) => stub?.jobRecord(id));
                return { height: stub.height, json: JSON.stringify(page), nextAfter: ids.length > limit ? (ids[limit - 1] as string) : '' };
              }
              const jobId = /^jobs\/([^/]+)$/.exec(request.path)?.[1];
              const job = jobId === undefined ? undefined : stub?.jobRecord(jobId);
              if (!job) throw notFound('state', request.path, 'path');
              return { height: stub?.height ?? 0, json: JSON.stringify(job) };
            }),
            BroadcastTx: h.unary('BroadcastTx', async (request: v1.BroadcastTxRequest__Output): Promise<v1.BroadcastTxResponse> => {
              if (!stub || !request.tx) throw unavailable('not ready');
              if (stub.mode === 'unavailable') throw unavailable('no quorum');
              const tx = decodeTx(request.tx, { chainId: stub.chainId });
              stub.received.push(tx);
              await stub.gate;
              // As the ledger: each signer's nonces run 1, 2, 3, ... without gaps.
              const last = stub.nonces.get(tx.signerHex) ?? 0;
              if (tx.nonce !== last + 1) throw failedPrecondition(`nonce-gap: expected ${last + 1}, got ${tx.nonce}`, 'nonce', 'nonce');
              stub.nonces.set(tx.signerHex, tx.nonce);
              stub.height += 1;
              if (stub.mode === 'refuse') return { txHash: Buffer.from(tx.hash), height: stub.height, accepted: false, reason: 'wrong-base-model: test refusal' };
              stub.committed.push(tx);
              if (tx.kind === 'roundResult') stub.rounds.set(`${tx.body.jobId}/${tx.body.round}`, { height: stub.height, model: Buffer.from(tx.body.newModelHash).toString('hex') });
              if (stub.mode === 'lose-answer') throw unavailable('committed, but the answer is lost');
              return { txHash: Buffer.from(tx.hash), height: stub.height, accepted: true, reason: '' };
            }),
            GetBlock: h.unary('GetBlock', async (request: v1.GetBlockRequest__Output): Promise<v1.GetBlockResponse> => {
              return { blockHash: Buffer.from(sha256(new TextEncoder().encode(`block ${request.height}`))) };
            }),
          },
        },
      ],
    });
    stub = new ValidatorStub(server, chainId);
    return stub;
  }

  /** Holds every BroadcastTx answer until the function returned is called (as a chain slow to commit). */
  hold(): () => void {
    let release = (): void => undefined;
    this.gate = new Promise((resolve) => (release = resolve));
    return release;
  }

  /** The RoundResult bodies committed so far. */
  roundResults(): v1.RoundResult__Output[] {
    return this.committed.flatMap((tx) => (tx.kind === 'roundResult' ? [tx.body] : []));
  }

  stop(): Promise<void> {
    return this.server.shutdown(100);
  }
}
