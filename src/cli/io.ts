/**
 * What a command reads and writes: streams, environment, working directory. `main()` gets the
 * process's; tests pass their own, so every command runs in-process as it does from a shell.
 */
export interface CliIo {
  /** Where results go: text, or the one JSON document of `--json`. */
  stdout: {
    /** Writes a chunk as is (lines end with `\n`). */
    write(chunk: string): unknown;
    /** True on a terminal: colour is on by default there. */
    isTTY?: boolean;
  };
  /** Where messages, notes and progress go, so stdout stays parseable. */
  stderr: {
    /** Writes a chunk as is. */
    write(chunk: string): unknown;
  };
  /** Standard input as text, read only by commands that take `-`. */
  readStdin(): Promise<string>;
  /** Environment variables (`DATABASE_URL`, `NO_COLOR`…). */
  env: Record<string, string | undefined>;
  /** Directory that relative paths (`--file`, `--svg`, a CSV) are resolved against. */
  cwd: string;
}

/** Exit codes, documented in docs/cli.md. */
export const EXIT = {
  /** The command did what it was asked. */
  OK: 0,
  /** The command ran and failed: invalid input data, a missing flag, an unreachable store. */
  FAILURE: 1,
  /** The command line is wrong: unknown command or option, missing or extra argument, bad option value. */
  USAGE: 2,
} as const;

/**
 * A failure the user can act on; `main()` prints its message as one line and exits with
 * `exitCode`. Everything else thrown is reported the same way with exit code 1.
 */
export class CliError extends Error {
  /** Always `'CliError'`. */
  override readonly name = 'CliError';
  /** The exit code `main()` returns for it: {@link EXIT}.FAILURE (default) or {@link EXIT}.USAGE. */
  readonly exitCode: number;
  constructor(message: string, exitCode: number = EXIT.FAILURE, options?: { cause?: unknown }) {
    super(message, options);
    this.exitCode = exitCode;
  }
}

/** A wrong command line: exit code 2, with a pointer to `--help`. */
export const usageError = (message: string): CliError => new CliError(message, EXIT.USAGE);

/** Writes a text file (an SVG chart) at `path`, relative to the run's working directory. */
export async function writeTextFile(io: CliIo, path: string, text: string): Promise<void> {
  // Loaded here, not at the top: `main()` imports this module at startup, before any command runs.
  const { writeFile } = await import('node:fs/promises');
  const { resolve } = await import('node:path');
  await writeFile(resolve(io.cwd, path), text);
}

// user:password@ in any URL-looking text (postgres://, https://, …).
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:)[^@\s/]*@/gi;

/**
 * Hides secrets in text meant for a terminal: the password of any `scheme://user:password@host`
 * URL, and each of `secrets` (values taken from the environment) wherever it appears.
 */
export function redact(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text.replace(URL_PASSWORD, '$1***@');
  for (const secret of secrets) {
    // Very short values would redact ordinary words; real secrets are longer.
    if (secret !== undefined && secret.length >= 4) out = out.split(secret).join('***');
  }
  return out;
}

/** A `node:util` `parseArgs` option. */
export interface OptionSpec {
  /** `string` takes a value (`--horizon 24h`); `boolean` is a switch (`--json`). */
  type: 'string' | 'boolean';
  /** One-letter alias (`h` for `-h`). */
  short?: string;
  /** The option may repeat; its values come as an array. */
  multiple?: boolean;
}
