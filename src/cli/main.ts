import { parseArgs } from 'node:util';
import { CliError, type CliIo, EXIT, redact, usageError } from './io.js';
import { colorEnabled, createOutput } from './output.js';
import { packageRoot } from './package-root.js';
import { COMMANDS, type CommandSpec, findCommand, GLOBAL_OPTIONS } from './registry.js';

const NAME = 'tiqology';

function globalHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `${NAME}: feature flags, experiments, forecasts and scaling decisions of @tiqology/elite from the command line

Usage:
  ${NAME} <command> [arguments] [options]

Commands:
${lines.join('\n')}

Options:
  -h, --help     help; ${NAME} <command> --help for a command's
  -v, --version  the package version

Exit codes: 0 ok, 1 failure, 2 usage error.
Docs: docs/cli.md in the installed package, or https://github.com/tiqology/elite/blob/main/docs/cli.md`;
}

/** The version of the installed package, from the nearest package.json named @tiqology/elite. */
const version = (): string => packageRoot()?.version ?? 'unknown';

/** Secrets that must never be printed: passwords of database URLs and keys from the environment. */
function secretsOf(argv: readonly string[], env: CliIo['env']): string[] {
  const secrets = [env.SUPABASE_SERVICE_ROLE_KEY];
  for (const candidate of [env.DATABASE_URL, ...argv]) {
    if (candidate === undefined || !candidate.includes('://')) continue;
    try {
      const password = decodeURIComponent(new URL(candidate.replace(/^--[a-z-]+=/, '')).password);
      if (password) secrets.push(password);
    } catch {
      // Not a URL.
    }
  }
  return secrets.filter((s): s is string => typeof s === 'string' && s.length > 0);
}

function parse(spec: CommandSpec, args: string[]) {
  try {
    return parseArgs({ args, options: { ...GLOBAL_OPTIONS, ...spec.options }, strict: true, allowPositionals: true });
  } catch (error) {
    // parseArgs messages name the option and say what is wrong; keep the first sentence.
    const message = error instanceof Error ? error.message.split(/\.\s/)[0]?.replace(/\.$/, '') : 'invalid arguments';
    throw usageError(`${spec.name}: ${message}`);
  }
}

/**
 * Runs the `tiqology` command line and resolves to its exit code: 0 ok, 1 failure, 2 usage
 * error. Failures are one line on stderr (`tiqology: …`), with the stack under `--debug`;
 * passwords of database URLs and keys from the environment are redacted from every message.
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const debug = argv.includes('--debug');
  let helpCommand = NAME;
  const secrets = secretsOf(argv, io.env);
  try {
    const [first, ...rest] = argv;
    if (first === undefined) {
      io.stderr.write(`${globalHelp()}\n`);
      return EXIT.USAGE;
    }
    if (first === '-h' || first === '--help' || first === 'help') {
      const topic = first === 'help' ? rest[0] : undefined;
      const spec = topic === undefined ? undefined : findCommand(topic);
      if (topic !== undefined && spec === undefined) throw usageError(`unknown command "${topic}"; run ${NAME} --help`);
      io.stdout.write(`${spec ? spec.help : globalHelp()}\n`);
      return EXIT.OK;
    }
    if (first === '-v' || first === '--version') {
      io.stdout.write(`${version()}\n`);
      return EXIT.OK;
    }
    const spec = findCommand(first);
    if (spec === undefined) {
      throw usageError(
        first.startsWith('-')
          ? `a command comes first, got "${first}"; run ${NAME} --help`
          : `unknown command "${first}"; run ${NAME} --help`,
      );
    }
    helpCommand = `${NAME} ${spec.name}`;
    const { values, positionals } = parse(spec, rest);
    if (values.help === true) {
      io.stdout.write(`${spec.help}\n`);
      return EXIT.OK;
    }
    const out = createOutput(io, { json: values.json === true, color: colorEnabled(io, values['no-color'] === true) });
    const command = await spec.load();
    return (await command.run({ positionals, values, io, out })) ?? EXIT.OK;
  } catch (error) {
    const exitCode = error instanceof CliError ? error.exitCode : EXIT.FAILURE;
    const message = error instanceof Error ? error.message : typeof error === 'string' ? error : 'unknown error';
    const code = (error as { code?: unknown } | undefined)?.code;
    const suffix = typeof code === 'string' && !(error instanceof CliError) && !message.includes(code) ? ` (${code})` : '';
    const hint = exitCode === EXIT.USAGE && !message.includes('--help') ? `; run ${helpCommand} --help` : '';
    // One line: messages from drivers may span several.
    io.stderr.write(`${NAME}: ${redact(message.replace(/\s*\n\s*/g, ' '), secrets)}${suffix}${hint}\n`);
    if (debug) {
      // The stack, then the chain of causes (a driver's error wrapped by the SDK or the CLI).
      for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
        io.stderr.write(`${depth === 0 ? '' : 'Caused by: '}${redact(e.stack ?? e.message, secrets)}\n`);
      }
    }
    return exitCode;
  }
}
