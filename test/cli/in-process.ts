/**
 * Runs the CLI in-process with captured streams: the same code path as the executable, for
 * tests that need coverage of src/cli and no subprocess per case.
 */
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(
  args: string[],
  options: { cwd: string; env?: Record<string, string | undefined>; stdin?: string; tty?: boolean },
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s), isTTY: options.tty ?? false },
    stderr: { write: (s: string) => (stderr += s) },
    env: options.env ?? {},
    cwd: options.cwd,
    readStdin: async () => options.stdin ?? '',
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}
