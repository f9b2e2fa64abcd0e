/** `learnchain chain status` and `learnchain chain block`: a validator's view of the chain. */
import { parseArgs, UsageError, type Command, type Output } from '../command';
import { checkFlags, serviceAddress, wantsJson } from '../client/flags';
import { using, ValidatorApi } from '../client/services';
import { blockLines, blockView, chainStatusLines, chainStatusView } from '../client/views';

export const chainStatusCommand: Command = {
  path: ['chain', 'status'],
  summary: "a validator's chain id, latest height and hashes, and the validator set",
  usage: 'learnchain chain status [--validator HOST:PORT] [--json]',
  async run(args: readonly string[], out: Output): Promise<number> {
    const { flags, rest } = parseArgs(args);
    checkFlags(flags, ['validator', 'json']);
    if (rest.length > 0) throw new UsageError(`unexpected argument ${rest[0]}`);
    const view = chainStatusView(await using(new ValidatorApi(serviceAddress(flags, 'validator')), (api) => api.status()));
    if (wantsJson(flags)) out.info(JSON.stringify(view));
    else chainStatusLines(view).forEach((line) => out.info(line));
    return 0;
  },
};

export const chainBlockCommand: Command = {
  path: ['chain', 'block'],
  summary: 'a committed block: header, transactions with their verdicts, commit signers',
  usage: 'learnchain chain block [HEIGHT] [--validator HOST:PORT] [--json]   (no HEIGHT: the latest)',
  async run(args: readonly string[], out: Output): Promise<number> {
    const { flags, rest } = parseArgs(args);
    checkFlags(flags, ['validator', 'json']);
    if (rest.length > 1) throw new UsageError(`unexpected argument ${rest[1]}`);
    const height = rest[0] === undefined ? 0 : Number(rest[0]);
    if (!Number.isSafeInteger(height) || height < 0) throw new UsageError(`HEIGHT must be a non-negative integer, got ${rest[0]}`);
    const view = blockView(await using(new ValidatorApi(serviceAddress(flags, 'validator')), (api) => api.block(height)));
    if (wantsJson(flags)) out.info(JSON.stringify(view));
    else blockLines(view).forEach((line) => out.info(line));
    return 0;
  },
};
