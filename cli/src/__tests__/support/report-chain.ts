/**
 * A small chain for the report's tests, as a validator's GetBlock answers it:
 * a CreateJob, three rounds of three trainers (one late, one rejected), a
 * refused RoundResult, and empty blocks between them. Times follow a fixed
 * plan so every phase of every round is known.
 */
import type { v1 } from '@learnchain/proto';

export const T0 = 1_700_000_000_000;
export const JOB = 'mlp-mnist-test';
export const CHAIN = 'learnchain-report-test';
export const NODES = ['aa11aa11aa11aa11aa11', 'bb22bb22bb22bb22bb22', 'cc33cc33cc33cc33cc33'] as const;

/** Round r opens at T0 + r * ROUND_MS; the plan inside a round, in ms after its opening. */
export const ROUND_MS = 10_000;
export const PLAN = { slowestTrainingMs: 6000, lastArrivalMs: 7000, closeMs: 7300, aggregationMs: 200, blockMs: 7800, lastCommitBoundMs: 1500 } as const;

const bytes = (n: number, fill: number): Buffer => Buffer.alloc(n, fill);

interface TxSpec {
  readonly tx: Partial<v1.Tx__Output>;
  readonly accepted: boolean;
  readonly reason?: string;
}

function block(height: number, timeMs: number, txs: readonly TxSpec[] = []): v1.GetBlockResponse__Output {
  return {
    block: {
      header: { chainId: CHAIN, height, timeMs, proposer: `validator-${height % 4}` },
      txs: txs.map((t) => t.tx),
      lastCommit: null,
    },
    blockHash: bytes(32, height),
    commit: null,
    outcomes: txs.map((t) => ({ txHash: bytes(32, 0), accepted: t.accepted, reason: t.reason ?? '' })),
  } as unknown as v1.GetBlockResponse__Output;
}

function createJob(): TxSpec {
  return {
    accepted: true,
    tx: {
      body: 'createJob',
      createJob: {
        jobId: JOB,
        model: 'mlp',
        dataset: 'mnist',
        partition: 'dirichlet:0.5',
        rule: { name: 'trimmed-mean', params: { beta: 0.3 }, byzantineBudget: 1, normBound: 0 },
        rounds: 3,
        minTrainers: 2,
        updateEncoding: 'DTYPE_INT8',
        initialParametersHash: bytes(32, 1),
        validation: { datasetHash: bytes(32, 2), maxLoss: 0, maxLossIncrease: 0 },
        hyperParameters: { localEpochs: 2, batchSize: 32, learningRate: 0.05, momentum: 0.9, proximalMu: 0 },
      } as unknown as v1.CreateJob__Output,
    },
  };
}

interface UpdatePlan {
  readonly node: string;
  readonly trainingMs: number;
  readonly arrivalMs: number;
  readonly decision: string;
}

function roundResult(round: number, included: readonly UpdatePlan[], excluded: readonly { node: string; reason: string }[]): Partial<v1.Tx__Output> {
  const opened = T0 + round * ROUND_MS;
  return {
    body: 'roundResult',
    roundResult: {
      jobId: JOB,
      round,
      baseModelHash: bytes(32, 10 + round - 1),
      newModelHash: bytes(32, 10 + round),
      membershipEpoch: 1,
      rule: null,
      included: included.map((u) => ({
        nodeId: u.node,
        updateHash: bytes(32, 50 + round),
        numSamples: 1000,
        encoding: 'DTYPE_INT8',
        signature: null,
        decision: u.decision,
        score: 0,
        trainMicros: u.trainingMs * 1000,
        receivedAtMs: opened + u.arrivalMs,
        size: 50_000,
      })),
      excluded: excluded.map((e) => ({ nodeId: e.node, updateHash: Buffer.alloc(0), reason: e.reason })),
      metrics: {
        validationLoss: 0,
        validationAccuracy: 0,
        baseLoss: 0,
        aggregationMicros: PLAN.aggregationMs * 1000,
        updateBytes: 50_000 * (included.length + (round === 3 ? 1 : 0)),
        openedAtMs: opened,
        closedAtMs: opened + PLAN.closeMs,
      },
    } as unknown as v1.RoundResult__Output,
  };
}

const [A, B, C] = NODES;

/** The chain's blocks, heights 1 to 13. */
export function reportChain(): v1.GetBlockResponse__Output[] {
  const all = (round: number): UpdatePlan[] => [
    { node: A, trainingMs: PLAN.slowestTrainingMs, arrivalMs: 6800, decision: 'selected' },
    { node: B, trainingMs: 5000, arrivalMs: PLAN.lastArrivalMs, decision: round === 2 ? 'trimmed' : 'selected' },
    { node: C, trainingMs: 4000, arrivalMs: 6000, decision: 'selected' },
  ];
  const at = (round: number, ms: number): number => T0 + round * ROUND_MS + ms;
  return [
    block(1, T0 - 3000),
    block(2, T0 - 2000, [{ accepted: true, tx: { body: 'registerNode' } }]),
    block(3, T0 - 1000, [createJob()]),
    block(4, at(1, 3000)),
    block(5, at(1, PLAN.blockMs), [{ accepted: true, tx: roundResult(1, all(1), []) }]),
    block(6, at(2, 3000)),
    block(7, at(2, PLAN.blockMs), [{ accepted: true, tx: roundResult(2, all(2).slice(0, 2), [{ node: C, reason: 'late: no update by the deadline' }]) }]),
    // A repeat of round 2 the ledger refuses.
    block(8, at(2, 9000), [{ accepted: false, reason: 'round 2 is not the next round of the job', tx: roundResult(2, all(2), []) }]),
    block(9, at(3, 3000)),
    block(10, at(3, PLAN.blockMs), [{ accepted: true, tx: roundResult(3, [all(3)[0] as UpdatePlan, all(3)[2] as UpdatePlan], [{ node: B, reason: 'rejected: norm 4.2 above the bound 3' }]) }]),
    block(11, at(3, PLAN.blockMs + PLAN.lastCommitBoundMs)),
  ];
}
