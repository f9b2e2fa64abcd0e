import { intakeOf, parseJob, parseLedgerJob, ruleOf } from '../domain/job';
import { JobFormatError } from '../errors';

describe('parseJob', () => {
  const hash = 'ab'.repeat(32);

  it('reads the CreateJob fields in camelCase, hashes in hex, the encoding by enum name', () => {
    const job = parseJob(
      'j1',
      JSON.stringify({
        jobId: 'j1',
        initialParametersHash: hash,
        rule: { name: 'trimmed-mean', params: { beta: 0.2 }, byzantineBudget: 1 },
        minTrainers: 3,
        maxTrainers: 5,
        roundDeadlineMs: 2000,
        updateEncoding: 'DTYPE_INT8',
        manifest: { tensors: [{ name: 'w', shape: [3, 4], offset: 0 }, { name: 'b', shape: [5], offset: 12 }], totalElements: 17 },
        modelHash: '',
        validation: { datasetHash: 'cd'.repeat(32), maxLoss: 0 },
      }),
    );
    expect(job).toEqual({
      jobId: 'j1',
      initialModelHash: hash,
      rule: { name: 'trimmed-mean', params: { beta: 0.2 }, byzantineBudget: 1, normBound: 0 },
      minTrainers: 3,
      maxTrainers: 5,
      roundDeadlineMs: 2000,
      rounds: 0,
      encoding: 'int8',
      tensors: [{ offset: 0, size: 12 }, { offset: 12, size: 5 }],
      blobs: [
        { hash, kind: 'parameters', field: 'initial_parameters_hash' },
        { hash: 'cd'.repeat(32), kind: 'dataset', field: 'validation.dataset_hash' },
      ],
    });
    expect(ruleOf(job.rule)).toMatchObject({ name: 'trimmed-mean', beta: 0.2, f: 1 });
  });

  it('reads snake_case under "job" and base64 hashes', () => {
    const job = parseJob('j2', JSON.stringify({ job: { initial_parameters_hash: Buffer.from(hash, 'hex').toString('base64'), rule: { name: 'fedavg' }, min_trainers: 1, round_deadline_ms: 10 } }));
    expect(job).toMatchObject({ initialModelHash: hash, minTrainers: 1, roundDeadlineMs: 10, encoding: 'float32', tensors: [] });
    expect(parseJob('j3', JSON.stringify({ job: { initial_parameters_hash: hash, model_hash: Buffer.alloc(32, 1).toString('base64'), rule: { name: 'fedavg' }, min_trainers: 1, round_deadline_ms: 10 } })).blobs).toEqual([
      { hash, kind: 'parameters', field: 'initial_parameters_hash' },
      { hash: '01'.repeat(32), kind: 'model', field: 'model_hash' },
    ]);
  });

  it.each([
    ['not json', 'json'],
    [JSON.stringify({ rule: { name: 'fedavg' }, minTrainers: 1, roundDeadlineMs: 5 }), 'initialParametersHash'],
    [JSON.stringify({ initialParametersHash: hash, rule: { name: 'fedavg' }, minTrainers: 0, roundDeadlineMs: 5 }), 'minTrainers'],
    [JSON.stringify({ initialParametersHash: hash, minTrainers: 1, roundDeadlineMs: 5 }), 'rule.name'],
  ])('refuses %s naming the field %s', (json, field) => {
    let thrown: unknown;
    try {
      parseJob('j', json);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(JobFormatError);
    expect((thrown as JobFormatError).field).toBe(field);
  });
});

describe('a job the aggregator has no record of', () => {
  const record = (round: number, rounds: number) =>
    JSON.stringify({ jobId: 'j', round, spec: { jobId: 'j', initialParametersHash: 'ab'.repeat(32), rule: { name: 'fedavg' }, minTrainers: 1, roundDeadlineMs: 5, rounds } });

  it.each([
    [0, 3, { kind: 'run' }],
    [0, 0, { kind: 'run' }],
    [2, 3, { kind: 'run-elsewhere', committed: 2 }],
    [7, 0, { kind: 'run-elsewhere', committed: 7 }],
    [3, 3, { kind: 'finished' }],
  ])('with %i of its %i rounds committed (0: no limit) is taken as %j', (round, rounds, intake) => {
    const job = parseLedgerJob('j', record(round, rounds));
    expect(job.round).toBe(round);
    expect(intakeOf(job)).toEqual(intake);
  });

  it('refuses a committed round that is not a count, naming it', () => {
    expect(() => parseLedgerJob('j', record(-1, 3))).toThrow(expect.objectContaining({ name: 'JobFormatError', field: 'round' }));
  });
});
