import { describeConfig, field, loadConfig, parseFlags } from '../config';
import { ConfigError, UnknownFlagError } from '../errors';

const schema = {
  port: field.int({ env: 'LEARNCHAIN_PORT', flag: 'port', doc: 'gRPC port', default: 7000, min: 0, max: 65535 }),
  database: field.optional(field.url({ env: 'DATABASE_URL', flag: 'database', doc: 'PostgreSQL', protocols: ['postgres', 'postgresql'] })),
  role: field.oneOf({ env: 'LEARNCHAIN_ROLE', flag: 'role', doc: 'role', values: ['trainer', 'validator'] as const }),
  verbose: field.boolean({ env: 'LEARNCHAIN_VERBOSE', flag: 'verbose', doc: 'more logs', default: false }),
};

describe('configuration', () => {
  it('reads the environment, lets flags win, and applies defaults', () => {
    const config = loadConfig(schema, { env: { LEARNCHAIN_PORT: '7100', LEARNCHAIN_ROLE: 'trainer' }, argv: ['--port', '7200', '--verbose'] });
    expect(config).toEqual({ port: 7200, database: undefined, role: 'trainer', verbose: true });
  });

  it('names the variable and the flag of a bad value', () => {
    expect(() => loadConfig(schema, { env: { LEARNCHAIN_PORT: 'seventy', LEARNCHAIN_ROLE: 'trainer' } })).toThrow(
      new ConfigError('LEARNCHAIN_PORT', 'port', "expected an integer, got 'seventy'"),
    );
    expect(() => loadConfig(schema, { env: { LEARNCHAIN_ROLE: 'trainer', DATABASE_URL: 'http://x' } })).toThrow(/DATABASE_URL \(--database\)/);
    expect(() => loadConfig(schema, { env: { LEARNCHAIN_PORT: '70000', LEARNCHAIN_ROLE: 'trainer' } })).toThrow(/at most 65535/);
  });

  it('takes 0 or a value in range where 0 turns a limit off, naming the variable otherwise', () => {
    const limit = { keep: field.intOrZero({ env: 'LEARNCHAIN_KEEP_MS', flag: 'keep-ms', doc: 'keep', default: 5_000, min: 1_000, max: 10_000 }) };
    expect(loadConfig(limit, { env: {} }).keep).toBe(5_000);
    expect(loadConfig(limit, { env: { LEARNCHAIN_KEEP_MS: '0' } }).keep).toBe(0);
    expect(loadConfig(limit, { env: { LEARNCHAIN_KEEP_MS: '1000' } }).keep).toBe(1_000);
    expect(() => loadConfig(limit, { env: { LEARNCHAIN_KEEP_MS: '999' } })).toThrow(new ConfigError('LEARNCHAIN_KEEP_MS', 'keep-ms', 'must be 0 or at least 1000, got 999'));
    expect(() => loadConfig(limit, { env: { LEARNCHAIN_KEEP_MS: '10001' } })).toThrow(/LEARNCHAIN_KEEP_MS \(--keep-ms\): must be at most 10000/);
    expect(() => loadConfig(limit, { env: { LEARNCHAIN_KEEP_MS: '-1' } })).toThrow(/must be 0 or at least 1000, got -1/);
  });

  it('names a missing required variable', () => {
    expect(() => loadConfig(schema, { env: {} })).toThrow(/LEARNCHAIN_ROLE \(--role\): is required/);
  });

  it('refuses flags it does not know', () => {
    expect(() => loadConfig(schema, { env: { LEARNCHAIN_ROLE: 'trainer' }, argv: ['--prot', '1'] })).toThrow(UnknownFlagError);
  });

  it('parses --x=y, --no-switch and positionals', () => {
    const { flags, positionals } = parseFlags(['job', '--a=1', '--no-verbose', 'list', '--b', '2'], (n) => n === 'verbose');
    expect(Object.fromEntries(flags)).toEqual({ a: '1', verbose: 'false', b: '2' });
    expect(positionals).toEqual(['job', 'list']);
  });

  it('describes itself for the reference table', () => {
    expect(describeConfig(schema).map((row) => [row.env, row.flag, row.default])).toEqual([
      ['LEARNCHAIN_PORT', '--port', '7000'],
      ['DATABASE_URL', '--database', ''],
      ['LEARNCHAIN_ROLE', '--role', '(required)'],
      ['LEARNCHAIN_VERBOSE', '--verbose', 'false'],
    ]);
  });
});
