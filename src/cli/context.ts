/**
 * The contract between the command table and the commands: what a command's `run` receives and
 * what its module exports, plus the small helpers every command uses to word its usage errors.
 * It lives apart from `registry.ts` because the registry lazy-loads the commands: were the
 * commands to import this type from the registry, the two would form an import cycle.
 * @packageDocumentation
 */
import type { CliIo } from './io.js';
import type { Output } from './output.js';

/** What a command's `run` gets: its parsed command line and where to write. */
export interface CommandContext {
  /** Positional arguments after the command name (for `flags`, the subcommand comes first). */
  positionals: string[];
  /** Parsed options, global and the command's own, by long name. */
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  /** Streams, environment and working directory of this run (the process's, or a test's). */
  io: CliIo;
  /** Where the command writes its text or JSON. */
  out: Output;
}

/** The module a command's `load()` resolves to. */
export interface CommandModule {
  /** Runs the command; resolves to the exit code (default 0). Throws `CliError` for failures. */
  run(context: CommandContext): Promise<number | undefined>;
}

/**
 * Arguments as a usage error shows them: `none` when there are none, else each one quoted and
 * separated by spaces (`"a" "b"`), so an empty or blank argument is still visible.
 */
export const quoteArguments = (args: readonly string[]): string => (args.length === 0 ? 'none' : args.map((a) => `"${a}"`).join(' '));
