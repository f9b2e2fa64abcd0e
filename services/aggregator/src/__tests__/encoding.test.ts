import { encodeUpdate as modelEncode, manifestOf } from '@learnchain/model';

import { parseJob, ruleOf } from '../domain/job';
import { checkUpdateHeader, decodeUpdate, encodedSize, encodeUpdate, flatLayout, parameterBytes, parametersOf, type ParameterLayout } from '../encoding';
import { JobFormatError, UpdateEncodingError } from '../errors';

const manifest = manifestOf([
  { name: 'w', shape: [3, 4] },
  { name: 'b', shape: [5] },
]);
const layout: ParameterLayout = { size: manifest.size, tensors: manifest.entries.map((e) => ({ offset: e.offset, size: e.size })) };
const values = Float32Array.from({ length: manifest.size }, (_, i) => Math.sin(i + 1) * (i % 3 === 0 ? 3 : 0.25));

describe('update encodings', () => {
  it.each(['float32', 'float16', 'int8'] as const)('%s: the same bytes as @learnchain/model and the size rule', (encoding) => {
    const ours = encodeUpdate(values, layout, encoding);
    expect(Buffer.from(ours).equals(Buffer.from(modelEncode(values, manifest, encoding)))).toBe(true);
    expect(ours.byteLength).toBe(encodedSize(encoding, layout));
    const back = decodeUpdate(ours, encoding, layout);
    const tolerance = encoding === 'float32' ? 0 : encoding === 'float16' ? 2e-3 : 3 / 127;
    values.forEach((v, i) => expect(Math.abs((back[i] ?? NaN) - v)).toBeLessThanOrEqual(tolerance));
  });

  it('states the size rule: 16 + 4P, 16 + 2P, 16 + 4T + P', () => {
    expect(encodedSize('float32', flatLayout(100))).toBe(416);
    expect(encodedSize('float16', flatLayout(100))).toBe(216);
    expect(encodedSize('int8', { size: 100, tensors: [{ offset: 0, size: 60 }, { offset: 60, size: 40 }] })).toBe(124);
  });

  it('refuses a header of another encoding, count or tensor count', () => {
    const bytes = encodeUpdate(values, layout, 'float16');
    expect(() => checkUpdateHeader(bytes, 'float32', layout)).toThrow(UpdateEncodingError);
    expect(() => checkUpdateHeader(bytes, 'float16', flatLayout(layout.size))).toThrow(/tensors/);
    expect(() => checkUpdateHeader(bytes, 'float16', { ...layout, size: 3 })).toThrow(/values/);
    const bad = bytes.slice();
    bad[0] = 0;
    expect(() => checkUpdateHeader(bad, 'float16', layout)).toThrow(/magic/);
  });

  it('stores parameters as little-endian float32', () => {
    expect(Array.from(parametersOf(parameterBytes(values)))).toEqual(Array.from(values));
    expect(() => parametersOf(new Uint8Array(3))).toThrow(UpdateEncodingError);
  });
});

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
    });
    expect(ruleOf(job.rule)).toMatchObject({ name: 'trimmed-mean', beta: 0.2, f: 1 });
  });

  it('reads snake_case under "job" and base64 hashes', () => {
    const job = parseJob('j2', JSON.stringify({ job: { initial_parameters_hash: Buffer.from(hash, 'hex').toString('base64'), rule: { name: 'fedavg' }, min_trainers: 1, round_deadline_ms: 10 } }));
    expect(job).toMatchObject({ initialModelHash: hash, minTrainers: 1, roundDeadlineMs: 10, encoding: 'float32', tensors: [] });
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
