import { ConfigError, Identity, loadConfig, UnknownFlagError } from '@learnchain/core';

import { autoClientIndex, checkTrainerConfig, shuffleSeed, trainerConfig } from '../config';
import { parsePartition } from '../data';
import { chooseDevice } from '../device';
import { GpuRequiredError, JobFormatError } from '../errors';
import { JOB_DEFAULTS, parseTrainingJob } from '../job';

const load = (argv: string[], env: Record<string, string> = {}) => loadConfig(trainerConfig, { argv, env });

describe('trainer configuration', () => {
  it('reads the shard, device and attack flags', () => {
    const config = load(['--dataset', 'mnist', '--partition', 'dirichlet:0.3', '--clients', '8', '--client-index', '7', '--seed', '4', '--device', 'cuda', '--require-gpu', '--attack', 'sign-flip']);
    expect(config).toMatchObject({ dataset: 'mnist', clients: 8, clientIndex: 7, seed: 4, device: 'cuda', requireGpu: true, attack: 'sign-flip', chunkBytes: 1024 * 1024 });
    expect(checkTrainerConfig(config).partition).toEqual({ kind: 'dirichlet', alpha: 0.3 });
  });

  it("takes 'auto' for the client index: each key picks a stable partition, spread over all of them", () => {
    expect(load(['--clients', '4', '--client-index', 'auto']).clientIndex).toBe('auto');
    expect(() => load(['--client-index', 'sometimes'])).toThrow(/LEARNCHAIN_CLIENT_INDEX/);
    const keys = Array.from({ length: 64 }, () => Identity.generate().publicKey);
    const picked = keys.map((key) => autoClientIndex(key, 4));
    expect(keys.map((key) => autoClientIndex(key, 4))).toEqual(picked);
    expect(new Set(picked)).toEqual(new Set([0, 1, 2, 3]));
  });

  it("seeds an 'auto' trainer's shuffles with its key too; a trainer given its index keeps the configured seed", () => {
    const [a, b] = [Identity.generate().publicKey, Identity.generate().publicKey] as [Uint8Array, Uint8Array];
    expect(shuffleSeed({ seed: 4, clientIndex: 2 }, a)).toBe(4);
    expect(shuffleSeed({ seed: 4, clientIndex: 2 }, b)).toBe(4);
    const auto = { seed: 4, clientIndex: 'auto' as const };
    expect(shuffleSeed(auto, a)).toBe(shuffleSeed(auto, a));
    expect(shuffleSeed(auto, a)).not.toBe(shuffleSeed(auto, b));
    expect(shuffleSeed(auto, a)).not.toBe(shuffleSeed({ seed: 5, clientIndex: 'auto' }, a));
    expect(Number.isInteger(shuffleSeed(auto, a)) && shuffleSeed(auto, a) >= 0).toBe(true);
  });

  it('names the variable and flag of a bad value', () => {
    expect(() => load(['--attack', 'bribe'])).toThrow(ConfigError);
    expect(() => load(['--attack', 'bribe'])).toThrow(/LEARNCHAIN_ATTACK \(--attack\)/);
    expect(() => load(['--device', 'tpu'])).toThrow(/LEARNCHAIN_DEVICE/);
    expect(() => load(['--chunk-bytes', String(4 * 1024 * 1024)])).toThrow(/LEARNCHAIN_CHUNK_BYTES/);
    expect(() => load(['--registry', 'nowhere'])).toThrow(/host:port/);
    expect(() => load(['--frobnicate', '1'])).toThrow(UnknownFlagError);
  });

  it('refuses a client index outside the partition, a bad partition, a chunk over the message limit, two keys', () => {
    expect(() => checkTrainerConfig(load(['--clients', '4', '--client-index', '4']))).toThrow(/must be below --clients/);
    expect(() => checkTrainerConfig(load(['--partition', 'dirichlet:-1']))).toThrow(/LEARNCHAIN_PARTITION/);
    expect(() => checkTrainerConfig(load(['--chunk-bytes', '70000', '--max-message-bytes', '65536']))).toThrow(/framing/);
    expect(() => checkTrainerConfig(load(['--key', 'aa'.repeat(32), '--key-file', '/tmp/k.json']))).toThrow(/not both/);
  });

  it('parses partitions', () => {
    expect(parsePartition('iid')).toEqual({ kind: 'iid' });
    expect(parsePartition('shards:3')).toEqual({ kind: 'shards', perClient: 3 });
    expect(parsePartition('dirichlet')).toEqual({ kind: 'dirichlet', alpha: 0.5 });
    for (const bad of ['', 'iid:2', 'shards:0', 'shards:1.5', 'zipf:2', 'dirichlet:0.5:1']) expect(() => parsePartition(bad)).toThrow();
  });
});

describe('execution provider', () => {
  const cuda = async () => ({ provider: 'cuda' as const, reason: 'ok' });
  const none = async () => ({ provider: 'cpu' as const, reason: 'libcudart missing' });

  it('uses the CPU when asked, or when no GPU is detected', async () => {
    expect((await chooseDevice('cpu', false, cuda, () => true)).provider).toBe('cpu');
    expect(await chooseDevice('auto', false, cuda, () => false)).toMatchObject({ provider: 'cpu', reason: 'no GPU detected' });
  });

  it('uses CUDA when asked for or detected and it works', async () => {
    expect((await chooseDevice('cuda', false, cuda, () => false)).provider).toBe('cuda');
    expect((await chooseDevice('auto', false, cuda, () => true)).provider).toBe('cuda');
  });

  it('falls back to CPU with a warning, or fails when a GPU is required', async () => {
    const choice = await chooseDevice('cuda', false, none, () => false);
    expect(choice.provider).toBe('cpu');
    expect(choice.warning).toMatch(/libcudart missing/);
    await expect(chooseDevice('cuda', true, none, () => false)).rejects.toBeInstanceOf(GpuRequiredError);
    await expect(chooseDevice('auto', true, none, () => false)).rejects.toThrow(/--require-gpu/);
  });
});

describe('parseTrainingJob', () => {
  const ledgerRecord = {
    jobId: 'j1',
    creator: 'ab',
    head: '00'.repeat(32),
    round: 0,
    spec: {
      jobId: 'j1',
      model: 'cnn',
      initialParametersHash: '11'.repeat(32),
      hyperParameters: { localEpochs: 2, batchSize: 50, learningRate: 0.02, momentum: 0.9, proximalMu: 0.01, maxShift: 2 },
      updateEncoding: 'DTYPE_FLOAT16',
      roundDeadlineMs: 60000,
    },
  };

  it('reads the ledger JobRecord with the CreateJob under spec', () => {
    expect(parseTrainingJob('j1', JSON.stringify(ledgerRecord))).toEqual({ jobId: 'j1', model: 'cnn', encoding: 'float16', epochs: 2, batchSize: 50, lr: 0.02, momentum: 0.9, proximalMu: 0.01, maxShift: 2 });
  });

  it('reads snake_case, numeric enums, and takes defaults for zeros', () => {
    const job = parseTrainingJob('j2', JSON.stringify({ model: 'mlp', hyper_parameters: { local_epochs: 0, batch_size: '16', learning_rate: 0 }, update_encoding: 3 }));
    expect(job).toEqual({ jobId: 'j2', model: 'mlp', encoding: 'int8', epochs: JOB_DEFAULTS.epochs, batchSize: 16, lr: JOB_DEFAULTS.lr, momentum: 0, proximalMu: 0, maxShift: 0 });
  });

  it('reads the job\'s parameter manifest, tensors one after another', () => {
    const manifest = { tensors: [{ name: 'w', shape: [3, 4], offset: 0 }, { name: 'b', shape: [4], offset: '12' }], totalElements: 16 };
    expect(parseTrainingJob('j', JSON.stringify({ spec: { ...ledgerRecord.spec, manifest } })).manifest).toEqual({
      entries: [
        { name: 'w', shape: [3, 4], offset: 0, size: 12 },
        { name: 'b', shape: [4], offset: 12, size: 4 },
      ],
      size: 16,
    });
    expect(parseTrainingJob('j', JSON.stringify({ spec: { ...ledgerRecord.spec, manifest: { tensors: [] } } })).manifest).toBeUndefined();
    const gap = { tensors: [{ name: 'w', shape: [3], offset: 0 }, { name: 'b', shape: [4], offset: 5 }] };
    expect(() => parseTrainingJob('j', JSON.stringify({ spec: { ...ledgerRecord.spec, manifest: gap } }))).toThrow(/offset is 5, expected 3/);
  });

  it('reads the job\'s privacy options', () => {
    const spec = { ...ledgerRecord.spec, privacy: { clipNorm: 1.5, noiseMultiplier: 0.8, secureAggregation: false } };
    expect(parseTrainingJob('j', JSON.stringify({ spec })).privacy).toEqual({ clipNorm: 1.5, noiseMultiplier: 0.8 });
    expect(parseTrainingJob('j', JSON.stringify({ spec: { ...spec, privacy: { clipNorm: 0, noiseMultiplier: 0 } } })).privacy).toBeUndefined();
    expect(() => parseTrainingJob('j', JSON.stringify({ spec: { ...spec, privacy: { clipNorm: 0, noiseMultiplier: 1 } } }))).toThrow(/needs a clip norm/);
  });

  it('names the field it cannot use', () => {
    expect(() => parseTrainingJob('j', '{')).toThrow(JobFormatError);
    expect(() => parseTrainingJob('j', JSON.stringify({ spec: {} }))).toThrow(/model is missing/);
    expect(() => parseTrainingJob('j', JSON.stringify({ model: 'mlp', updateEncoding: 'bfloat16' }))).toThrow(/updateEncoding/);
    expect(() => parseTrainingJob('j', JSON.stringify({ model: 'mlp', hyperParameters: { batchSize: 2.5 } }))).toThrow(/batchSize must be an integer/);
    expect(() => parseTrainingJob('j', JSON.stringify({ model: 'mlp', hyperParameters: { learningRate: -1 } }))).toThrow(/learningRate/);
    expect(() => parseTrainingJob('j', JSON.stringify({ model: 'mlp', hyperParameters: { maxShift: 1.5 } }))).toThrow(/maxShift must be an integer/);
  });
});
