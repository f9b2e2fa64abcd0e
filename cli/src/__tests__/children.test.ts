import { parseArgs } from '../command';
import { parseDevnetOptions } from '../devnet/options';

describe('devnet --processes', () => {
  it('needs --database and --nats, since separate processes share state only through them', () => {
    const flags = (args: string[]): Map<string, string> => parseArgs(args).flags;
    expect(() => parseDevnetOptions(flags(['--processes']))).toThrow(/--processes needs --database postgres:\/\/\.\.\. and --nats nats:\/\/\.\.\./);
    expect(() => parseDevnetOptions(flags(['--processes', '--database', 'postgres://h/db']))).toThrow(/--processes needs/);
    expect(parseDevnetOptions(flags(['--processes', '--database', 'postgres://h/db', '--nats', 'nats://h:4222'])).processes).toBe(true);
    expect(parseDevnetOptions(flags([])).processes).toBe(false);
  });
});
