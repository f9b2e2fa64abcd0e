/** What every `learnchain` sub-command provides. */
export interface Command {
  /** The words that select it, e.g. ['chain', 'verify']. */
  readonly path: readonly string[];
  readonly summary: string;
  readonly usage: string;
  /** Runs with the arguments after the command words; resolves to the exit code. */
  run(args: readonly string[], out: Output): Promise<number>;
}

export interface Output {
  info(line: string): void;
  error(line: string): void;
}

/** Parses --name value and --name=value flags; bare words go to `rest`. */
export function parseArgs(args: readonly string[]): { flags: Map<string, string>; rest: string[] } {
  const flags = new Map<string, string>();
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (!a.startsWith('--')) {
      rest.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    if (eq > 0) flags.set(a.slice(2, eq), a.slice(eq + 1));
    else {
      const next = args[i + 1];
      if (next !== undefined && !next.startsWith('--')) {
        flags.set(a.slice(2), next);
        i++;
      } else flags.set(a.slice(2), 'true');
    }
  }
  return { flags, rest };
}

/** Thrown for a usage mistake; the message is shown with the command's usage. */
export class UsageError extends Error {}
