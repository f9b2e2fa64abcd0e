/**
 * `learnchain job submit|watch|list`: training jobs on a running mesh. Submit
 * stores the job's initial model and validation set with the aggregator and
 * commits a signed CreateJob; watch follows the job's committed rounds on a
 * validator (QueryState) until its last round or Ctrl-C; list shows every job
 * on chain.
 */
import { checkBudget, parseRule } from '@learnchain/aggregation';
import { Identity } from '@learnchain/core';

import { parseArgs, UsageError, type Command, type Output } from '../command';
import { checkFlags, choiceFlag, intFlag, numberFlag, serviceAddress, wantsJson } from '../client/flags';
import { commitTx, defaultJobId, defaultMinTrainers, minimumTrainers, MIXINGS, prepareJob, ruleFor, RULES, storeJobBlobs, trainingFlags, type JobSpec } from '../client/job';
import { describeFailure, using, ValidatorApi } from '../client/services';
import { jobLines, jobView, roundLine, type JobRecordJson } from '../client/views';
import { aggregatorClient } from '../devnet/blobs';
import { followRounds } from './job-watch';

const SUBMIT_FLAGS = [
  'validator', 'aggregator', 'key', 'json', 'job-id', 'model', 'rounds', 'rule', 'byzantine', 'trainers', 'min-trainers', 'deadline',
  'alpha', 'epochs', 'batch', 'lr', 'momentum', 'shift', 'validation-samples', 'seed', 'encoding', 'mixing',
];

/** Reads `job submit`'s flags into a job spec (throws UsageError with the reason). */
export function parseJobSpec(flags: ReadonlyMap<string, string>, nowMs: number): JobSpec {
  checkFlags(flags, SUBMIT_FLAGS);
  const model = choiceFlag(flags, 'model', ['mlp', 'cnn'] as const, 'mlp');
  const trainers = intFlag(flags, 'trainers', 4, 1, 10_000);
  const byzantine = intFlag(flags, 'byzantine', 0, 0, trainers);
  const rule = choiceFlag(flags, 'rule', RULES, 'trimmed-mean');
  const mixing = choiceFlag(flags, 'mixing', MIXINGS, 'none');
  const aggregation = ruleFor({ rule, trainers, byzantine, mixing });
  const budget = checkBudget(parseRule({ name: aggregation.name, f: aggregation.byzantineBudget, ...aggregation.params }), trainers);
  if (!budget.ok) {
    throw new UsageError(`--rule ${rule} with a Byzantine budget of ${aggregation.byzantineBudget} cannot aggregate ${trainers} trainers' updates (needs ${budget.requirement}): raise --trainers or pick another --rule`);
  }
  const needed = minimumTrainers(aggregation, trainers);
  const minTrainers = intFlag(flags, 'min-trainers', defaultMinTrainers(aggregation, trainers), 1, trainers);
  if (minTrainers < needed) throw new UsageError(`--min-trainers ${minTrainers} is below the ${needed} updates ${rule} needs within its Byzantine budget: a round with fewer could never be aggregated`);
  const jobId = flags.get('job-id') ?? defaultJobId(model, nowMs);
  if (!/^[A-Za-z0-9._-]{1,128}$/.test(jobId)) throw new UsageError(`--job-id must be 1-128 characters of [A-Za-z0-9._-], got ${jobId}`);
  return {
    jobId,
    model,
    ...trainingFlags(flags),
    rule: aggregation,
    rounds: intFlag(flags, 'rounds', model === 'cnn' ? 10 : 20, 1, 1000),
    minTrainers,
    roundDeadlineMs: numberFlag(flags, 'deadline', 120, 1, 86_400) * 1000,
    encoding: choiceFlag(flags, 'encoding', ['float32', 'float16', 'int8'] as const, 'float32'),
  };
}

function signer(flags: ReadonlyMap<string, string>): { identity: Identity; fresh: boolean } {
  const path = flags.get('key');
  if (path === undefined) return { identity: Identity.generate(), fresh: true };
  try {
    return { identity: Identity.fromFile(path), fresh: false };
  } catch (error) {
    throw new UsageError(`--key: ${(error as Error).message}`);
  }
}

export const jobSubmitCommand: Command = {
  path: ['job', 'submit'],
  summary: 'commit a signed CreateJob, then store the initial model and validation set it names with the aggregator',
  usage:
    'learnchain job submit [--key FILE] [--validator HOST:PORT] [--aggregator HOST:PORT] [--json] [--job-id ID] [--model mlp|cnn] [--rounds N]\n' +
    '      [--rule NAME] [--trainers N] [--byzantine F] [--min-trainers M] [--deadline SECONDS] [--alpha A] [--epochs E] [--batch B]\n' +
    '      [--lr LR] [--momentum M] [--shift PIXELS] [--validation-samples S] [--seed S] [--encoding float32|float16|int8] [--mixing nnm|none]',
  async run(args: readonly string[], out: Output): Promise<number> {
    const { flags, rest } = parseArgs(args);
    if (rest.length > 0) throw new UsageError(`unexpected argument ${rest[0]}`);
    const spec = parseJobSpec(flags, Date.now());
    const validatorAddress = serviceAddress(flags, 'validator');
    const aggregatorAddress = serviceAddress(flags, 'aggregator');
    const { identity, fresh } = signer(flags);
    return using(new ValidatorApi(validatorAddress), async (validator) => {
      const { chainId } = await validator.status();
      const prepared = prepareJob(spec);
      const committed = await commitTx(validator, identity, chainId, { createJob: prepared.body });
      await using(aggregatorClient(aggregatorAddress), async (aggregator) => {
        try {
          await storeJobBlobs(prepared, aggregator);
        } catch (error) {
          throw describeFailure('aggregator', aggregatorAddress, 'PutBlob', error);
        }
      });
      const result = {
        job_id: spec.jobId,
        chain_id: chainId,
        height: committed.height,
        tx_hash: committed.txHash,
        signer: identity.address,
        nonce: committed.nonce,
        initial_model: prepared.initialHash,
        validation_set: prepared.validationHash,
        rule: spec.rule.name,
        rounds: spec.rounds,
      };
      if (wantsJson(flags)) out.info(JSON.stringify(result));
      else {
        out.info(`job ${spec.jobId} committed at height ${committed.height} on ${chainId} (tx ${committed.txHash.slice(0, 16)})`);
        out.info(`  model ${spec.model}, rule ${spec.rule.name}, ${spec.rounds} rounds, at least ${spec.minTrainers} trainers per round`);
        out.info(`  initial model ${prepared.initialHash}, validation set ${prepared.validationHash}`);
        out.info(`  signed by ${identity.address}${fresh ? ' (a new key; pass --key FILE to sign with your own)' : ''}, nonce ${committed.nonce}`);
        out.info(`follow it with: learnchain job watch ${spec.jobId} --validator ${validatorAddress}`);
      }
      return 0;
    });
  },
};

export const jobWatchCommand: Command = {
  path: ['job', 'watch'],
  summary: "follow a job's committed rounds until its last one (or Ctrl-C)",
  usage: 'learnchain job watch JOB_ID [--validator HOST:PORT] [--json] [--interval MS] [--timeout SECONDS]',
  async run(args: readonly string[], out: Output): Promise<number> {
    const { flags, rest } = parseArgs(args);
    checkFlags(flags, ['validator', 'json', 'interval', 'timeout']);
    const jobId = rest[0];
    if (jobId === undefined) throw new UsageError('JOB_ID is required');
    if (rest.length > 1) throw new UsageError(`unexpected argument ${rest[1]}`);
    const intervalMs = intFlag(flags, 'interval', 500, 10, 60_000);
    const timeoutMs = flags.has('timeout') ? numberFlag(flags, 'timeout', 0, 0.001, 7 * 86_400) * 1000 : undefined;
    const json = wantsJson(flags);
    const controller = new AbortController();
    const interrupt = (): void => controller.abort();
    process.once('SIGINT', interrupt);
    try {
      const end = await using(new ValidatorApi(serviceAddress(flags, 'validator')), (api) =>
        followRounds({ api, jobId, intervalMs, signal: controller.signal, ...(timeoutMs === undefined ? {} : { timeoutMs }), onRound: (view) => out.info(json ? JSON.stringify(view) : roundLine(view)) }),
      );
      const summary = { job_id: jobId, round: end.job.round, rounds: end.job.rounds, finished: end.job.finished, head: end.job.head, stopped: end.stopped };
      if (json) out.info(JSON.stringify(summary));
      else if (end.job.finished) out.info(`job ${jobId} finished: ${end.job.round}/${end.job.rounds} rounds committed, model ${end.job.head}`);
      else out.info(`stopped watching job ${jobId} at round ${end.job.round}/${end.job.rounds} (${end.stopped})`);
      return end.stopped === 'timeout' ? 1 : 0;
    } finally {
      process.removeListener('SIGINT', interrupt);
    }
  },
};

export const jobListCommand: Command = {
  path: ['job', 'list'],
  summary: 'every job on chain with its rule, progress and state',
  usage: 'learnchain job list [--validator HOST:PORT] [--json]',
  async run(args: readonly string[], out: Output): Promise<number> {
    const { flags, rest } = parseArgs(args);
    checkFlags(flags, ['validator', 'json']);
    if (rest.length > 0) throw new UsageError(`unexpected argument ${rest[0]}`);
    const { value, height } = await using(new ValidatorApi(serviceAddress(flags, 'validator')), (api) => api.list<JobRecordJson>('jobs'));
    const jobs = value.map(jobView);
    if (wantsJson(flags)) out.info(JSON.stringify({ height, jobs }));
    else jobLines(jobs).forEach((line) => out.info(line));
    return 0;
  },
};
