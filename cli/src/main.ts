/** The `learnchain` command: finds the sub-command by its words and runs it. */
import { chainBlockCommand, chainStatusCommand } from './commands/chain';
import { chainVerifyCommand } from './commands/chain-verify';
import { devnetCommand } from './commands/devnet';
import { genesisCommand } from './commands/genesis';
import { jobListCommand, jobSubmitCommand, jobWatchCommand } from './commands/job';
import { membersCommand } from './commands/members';
import { reportCommand } from './commands/report';
import { UsageError, type Command, type Output } from './command';

/** Every sub-command; add new ones here. */
export const COMMANDS: readonly Command[] = [
  genesisCommand,
  devnetCommand,
  jobSubmitCommand,
  jobWatchCommand,
  jobListCommand,
  chainStatusCommand,
  chainBlockCommand,
  chainVerifyCommand,
  membersCommand,
  reportCommand,
];

function help(out: Output): void {
  out.info('usage: learnchain <command> [flags]\n');
  for (const c of COMMANDS) out.info(`  ${c.path.join(' ').padEnd(16)} ${c.summary}\n      ${c.usage}`);
}

/** Runs the command line `args` (without node and script); resolves to the exit code. */
export async function runCli(args: readonly string[], out: Output): Promise<number> {
  const command = [...COMMANDS].sort((a, b) => b.path.length - a.path.length).find((c) => c.path.every((word, i) => args[i] === word));
  if (!command) {
    help(out);
    return args.length === 0 || args[0] === 'help' || args[0] === '--help' ? 0 : 2;
  }
  try {
    return await command.run(args.slice(command.path.length), out);
  } catch (error) {
    if (error instanceof UsageError) {
      out.error(`${error.message}\nusage: ${command.usage}`);
      return 2;
    }
    out.error(`learnchain ${command.path.join(' ')}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

/** The process entry: runs `process.argv` and exits with the command's code. */
export function main(): void {
  const out: Output = { info: (l) => process.stdout.write(`${l}\n`), error: (l) => process.stderr.write(`${l}\n`) };
  runCli(process.argv.slice(2), out).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`learnchain: ${String(error)}\n`);
      process.exit(1);
    },
  );
}

if (require.main === module) main();
