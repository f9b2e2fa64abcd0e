
import { Identity } from '@learnchain/core';
import { signTx } from '@learnchain/ledger';
import type { v1 } from '@learnchain/proto';

import { UsageError, type Output } from '../command';
import { checkFlags, isAddress, serviceAddress } from '../client/flags';
import { blockLines, blockView, chainStatusView, jobLines, jobView, membersView, roundLine, roundView, txSummary, type JobRecordJson } from '../client/views';
import { trainingFlags } from '../client/job';
import { parseJobSpec } from '../commands/job';
import { parseDevnetOptions } from '../devnet/options';
import { runCli } from '../main';
import { freePort } from '../devnet/mesh';

const flags = (entries: Record<string, string>): Map<string, string> => new Map(Object.entries(entries));

function capture(): Output & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, info: (l) => out.push(l), error: (l) => err.push(l) };
}

describe('service addresses and flags', () => {
  it('takes the flag, then the environment, then the default, and refuses a malformed address', () => {
    expect(serviceAddress(flags({}), 'validator', {})).toBe('127.0.0.1:7200');
    expect(serviceAddress(flags({}), 'registry', {})).toBe('127.0.0.1:7100');
    expect(serviceAddress(flags({}), 'validator', { LEARNCHAIN_VALIDATOR: 'v0:7201' })).toBe('v0:7201');
    expect(serviceAddress(flags({ validator: '10.0.0.2:9000' }), 'validator', { LEARNCHAIN_VALIDATOR: 'v0:7201' })).toBe('10.0.0.2:9000');
    expect(() => serviceAddress(flags({ validator: 'localhost' }), 'validator', {})).toThrow(/--validator must be HOST:PORT, got localhost/);
    expect(isAddress('[::1]:7200')).toBe(true);
    expect(isAddress('host:70000')).toBe(false);
    expect(() => checkFlags(flags({ validatr: 'x' }), ['validator'])).toThrow(UsageError);
  });
});

describe('job submit flags', () => {
  it('reads the training flags as the devnet does', () => {
    const given = flags({ alpha: '2', epochs: '3', batch: '64', lr: '0.1', momentum: '0', shift: '2', 'validation-samples': '500', seed: '9' });
    const expected = { alpha: 2, epochs: 3, batchSize: 64, learningRate: 0.1, momentum: 0, maxShift: 2, validationSamples: 500, seed: 9 };
    expect(trainingFlags(given)).toEqual(expected);
    expect(parseJobSpec(given, 0)).toMatchObject(expected);
    expect(parseDevnetOptions(given)).toMatchObject(expected);
    expect(() => parseDevnetOptions(flags({ lr: '11' }))).toThrow(/--lr must be a number from 0 to 10, got 11/);
  });

  it('builds the devnet-like default job and refuses bad values with the flag', () => {
    const spec = parseJobSpec(flags({}), 1_700_000_000_000);
    // trimmed-mean with f = 1 needs 3 updates a round: the default minimum is not half of 4 but 3
    expect(spec).toMatchObject({ model: 'mlp', rounds: 20, minTrainers: 3, roundDeadlineMs: 120_000, epochs: 2, batchSize: 32, maxShift: 1 });
    expect(spec.jobId).toBe(`mlp-mnist-${(1_700_000_000_000).toString(36)}`);
    expect(spec.rule).toMatchObject({ name: 'trimmed-mean', byzantineBudget: 1 });
    expect(spec.encoding).toBe('float32');
    expect(parseJobSpec(flags({ encoding: 'int8' }), 0).encoding).toBe('int8');
    expect(() => parseJobSpec(flags({ encoding: 'int4' }), 0)).toThrow(/--encoding must be one of float32, float16, int8/);
    expect(parseJobSpec(flags({ shift: '0' }), 0).maxShift).toBe(0);
    expect(() => parseJobSpec(flags({ shift: '5' }), 0)).toThrow(/--shift must be an integer from 0 to 4/);
    const custom = parseJobSpec(flags({ 'job-id': 'j1', rule: 'fedavg', rounds: '3', trainers: '2', 'min-trainers': '2', deadline: '30' }), 0);
    expect(custom).toMatchObject({ jobId: 'j1', rounds: 3, minTrainers: 2, roundDeadlineMs: 30_000, rule: { name: 'fedavg', byzantineBudget: 0 } });
    expect(() => parseJobSpec(flags({ rule: 'mean' }), 0)).toThrow(/--rule must be one of/);
    expect(() => parseJobSpec(flags({ 'job-id': 'a b' }), 0)).toThrow(/--job-id/);
    expect(() => parseJobSpec(flags({ trainers: '2', 'min-trainers': '3', rule: 'fedavg' }), 0)).toThrow(/--min-trainers must be an integer from 1 to 2/);
    expect(() => parseJobSpec(flags({ trainers: '8', 'min-trainers': '2' }), 0)).toThrow(/--min-trainers 2 is below the 6 updates trimmed-mean needs/); // beta = 1.5/8 trims one per side only from 6 updates
    expect(() => parseJobSpec(flags({ keyfile: 'x' }), 0)).toThrow(/unknown flag --keyfile/);
    // A rule that cannot aggregate as many updates as the job expects is refused before anything is stored.
    expect(() => parseJobSpec(flags({ trainers: '2' }), 0)).toThrow(/--rule trimmed-mean with a Byzantine budget of 1 cannot aggregate 2 trainers' updates \(needs /);
    expect(() => parseJobSpec(flags({ trainers: '4', byzantine: '1', rule: 'bulyan' }), 0)).toThrow(/needs n ≥ 4f\+3 = 7/);
    expect(parseJobSpec(flags({ trainers: '7', rule: 'bulyan' }), 0).rule.name).toBe('bulyan');
  });
});

describe('views', () => {
  const identity = Identity.generate();
  const createJob = signTx(identity, 'c', 1, { createJob: { jobId: 'j1', model: 'mlp', rule: { name: 'median' }, rounds: 5, minTrainers: 2 } }) as unknown as v1.Tx__Output;
  const precommit = (validator: string, hash: Buffer): v1.Vote__Output => ({ height: 2, round: 0, type: 'VOTE_TYPE_PRECOMMIT', blockHash: hash, validator, signature: null });

  it('summarizes a block: header, each transaction with its verdict and signer, and the commit signers', () => {
    const hash = Buffer.alloc(32, 0xab);
    const answer = {
      block: {
        header: { chainId: 'c', height: 2, timeMs: 1000, previousBlockHash: Buffer.alloc(32, 1), lastCommitHash: Buffer.alloc(0), dataHash: Buffer.alloc(32, 2), validatorsHash: Buffer.alloc(32, 3), nextValidatorsHash: Buffer.alloc(32, 3), appHash: Buffer.alloc(32, 4), proposer: 'v0', lastValidatorUpdates: [] },
        txs: [{ ...createJob, body: 'createJob' }],
        lastCommit: { height: 1, round: 0, blockHash: Buffer.alloc(32, 1), precommits: [precommit('v1', Buffer.alloc(32, 1)), precommit('v0', Buffer.alloc(32, 1))] },
      },
      blockHash: hash,
      commit: { height: 2, round: 1, blockHash: hash, precommits: [precommit('v2', hash), precommit('v0', hash), precommit('v3', Buffer.alloc(0))] },
      outcomes: [{ txHash: Buffer.alloc(32, 9), accepted: false, reason: 'job-exists' }],
    } as unknown as v1.GetBlockResponse__Output;
    const view = blockView(answer);
    expect(view).toMatchObject({ height: 2, hash: 'ab'.repeat(32), proposer: 'v0', commit: { round: 1, signers: ['v0', 'v2'] }, last_commit_signers: ['v0', 'v1'] });
    expect(view.txs).toEqual([{ hash: '09'.repeat(32), kind: 'createJob', signer: identity.address, nonce: 1, accepted: false, reason: 'job-exists', summary: 'job j1: model mlp, rule median, 5 rounds, at least 2 trainers' }]);
    const text = blockLines(view).join('\n');
    expect(text).toContain('refused (job-exists)');
    expect(text).toContain('round 1, 2 precommits: v0 v2');
  });

  it('describes each transaction kind in one line', () => {
    const rr = { body: 'roundResult', roundResult: { jobId: 'j', round: 3, newModelHash: Buffer.alloc(32, 0xcd), included: [{}, {}], excluded: [{}] } } as unknown as v1.Tx__Output;
    expect(txSummary(rr)).toBe(`job j round 3: 2 included, 1 excluded, model ${'cd'.repeat(6)}`);
    const join = { body: 'registerNode', registerNode: { nodeId: 'n1', role: 'ROLE_TRAINER', epoch: 4 } } as unknown as v1.Tx__Output;
    expect(txSummary(join)).toBe('node n1 joins as trainer at epoch 4');
  });

  it('reads chain status, jobs, rounds and members into their JSON forms', () => {
    const status = chainStatusView({ chainId: 'c', address: 'v0', latestHeight: 7, latestBlockHash: Buffer.alloc(2, 1), latestAppHash: Buffer.alloc(2, 2), latestBlockTimeMs: 5, catchingUp: false, validators: { validators: [{ address: 'v0', publicKey: Buffer.alloc(32), power: 1 }] }, mempoolSize: 0 });
    expect(status).toEqual({ chain_id: 'c', address: 'v0', height: 7, block_hash: '0101', app_hash: '0202', block_time_ms: 5, catching_up: false, mempool_size: 0, validators: [{ address: 'v0', power: 1 }] });
    const record: JobRecordJson = { jobId: 'j', creator: 'k', createdHeight: 3, head: 'aa', round: 2, ruleName: 'median', spec: { model: 'mlp', rounds: 2, dataset: 'mnist' } };
    expect(jobView(record)).toMatchObject({ job_id: 'j', round: 2, rounds: 2, finished: true, rule: 'median' });
    expect(jobView({ ...record, round: 1 }).finished).toBe(false);
    expect(jobLines([jobView({ ...record, round: 1 })])[1]).toMatch(/^j\s+mlp\s+median\s+1\/2\s+3\s+running$/);
    const round = roundView({ jobId: 'j', round: 1, height: 9, model: 'ff'.repeat(32), parent: '', aggregator: 'a', membershipEpoch: 1, included: [{ nodeId: 'n', decision: 'kept', numSamples: 1 }], excluded: [{ nodeId: 'bad-node-id', reason: 'late' }], metrics: { validationLoss: 0.5, validationAccuracy: 0.9 } }, 2);
    expect(round).toMatchObject({ round: 1, rounds: 2, height: 9, included: 1, excluded: [{ node_id: 'bad-node-id', reason: 'late' }], validation_loss: 0.5 });
    expect(roundLine(round)).toContain('accuracy 90.00%');
    expect(roundLine(round)).toContain('excluded bad-node-i (late)');
    const members = membersView({ epoch: 3, members: [{ nodeId: 'n', publicKey: Buffer.alloc(32), role: 'ROLE_TRAINER', capabilities: { device: 'cpu', memoryBytes: 0, datasetSize: 100, labels: {} }, status: 'MEMBER_STATUS_ACTIVE', joinedEpoch: 2, leaseExpiresAtMs: 9, endpoint: '' }] });
    expect(members).toEqual({ epoch: 3, members: [{ node_id: 'n', role: 'trainer', status: 'active', joined_epoch: 2, lease_expires_at_ms: 9, endpoint: '', device: 'cpu', dataset_size: 100 }] });
  });
});

describe('runCli exit codes', () => {
  it('exits 2 with the usage for a usage mistake', async () => {
    const io = capture();
    expect(await runCli(['chain', 'block', 'tip'], io)).toBe(2);
    expect(io.err.join('\n')).toMatch(/HEIGHT must be a non-negative integer, got tip\nusage: learnchain chain block/);
    expect(await runCli(['members', '--role', 'miner'], capture())).toBe(2);
    expect(await runCli(['job', 'watch'], capture())).toBe(2);
    expect(await runCli(['nonsense'], capture())).toBe(2);
  });

  it('exits 1 and names the service and its address when nothing answers there', async () => {
    const port = await freePort();
    for (const [args, service] of [[['chain', 'status', '--validator', `127.0.0.1:${port}`], 'validator'], [['members', '--registry', `127.0.0.1:${port}`], 'registry'], [['job', 'list', '--validator', `127.0.0.1:${port}`], 'validator']] as const) {
      const io = capture();
      expect(await runCli(args, io)).toBe(1);
      expect(io.err.join('\n')).toContain(`cannot reach ${service} at 127.0.0.1:${port}: `);
    }
  });
});
