import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { FlagDefinition, StorageAdapter, StoredFlag, WriteOptions } from '@tiqology/elite';
import { validateFlag } from '@tiqology/elite/flags/validate';
import { type CommandContext, quoteArguments } from '../context.js';
import { CliError, type CliIo, EXIT, usageError } from '../io.js';
import { environmentOf, withStore } from '../stores.js';
import { didYouMean } from '../suggest.js';
import { renderTable } from '../table.js';
import { parseLimit, printHistory } from './flags-history.js';
import { writeTypes } from './flags-types.js';

const SUBCOMMANDS = ['list', 'get', 'set', 'rollout', 'enable', 'disable', 'delete', 'history', 'types'] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];

/** Arguments each subcommand takes after its name. */
const ARITY: Record<Subcommand, string[]> = {
  list: [],
  get: ['<key>'],
  set: ['<json | file | ->'],
  rollout: ['<key>', '<percent>'],
  enable: ['<key>'],
  disable: ['<key>'],
  delete: ['<key>'],
  history: ['<key>'],
  types: [],
};

const definitionOf = ({ version: _v, updatedAt: _u, ...definition }: StoredFlag): FlagDefinition => definition;

const updatedBy = (io: CliIo) => (io.env.USER ? `${io.env.USER} via tiqology` : 'tiqology');

async function mustGet(storage: StorageAdapter, key: string, environment: string): Promise<StoredFlag> {
  const flag = await storage.getFlag(key, environment);
  if (flag === undefined) throw new CliError(`flag "${key}" not found in environment "${environment}"`);
  return flag;
}

/** Reads `set`'s argument: inline JSON (starts with `{` or `[`), `-` for stdin, else a file path. */
async function readDefinitions(arg: string, io: CliIo, environment: string, envGiven: boolean): Promise<FlagDefinition[]> {
  const inline = /^\s*[{[]/.test(arg);
  let text: string;
  let source: string;
  if (inline) {
    text = arg;
    source = 'the argument';
  } else if (arg === '-') {
    text = await io.readStdin();
    source = 'stdin';
  } else {
    source = arg;
    try {
      text = await readFile(resolve(io.cwd, arg), 'utf8');
    } catch (error) {
      throw new CliError(`cannot read ${arg}: ${(error as Error).message}`, EXIT.FAILURE, { cause: error });
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CliError(`invalid JSON in ${source}: ${(error as Error).message}`, EXIT.FAILURE, { cause: error });
  }
  const list = Array.isArray(parsed) ? parsed : [parsed];
  if (list.length === 0) throw new CliError(`no flag in ${source}`);
  return list.map((item, index) => {
    const at = list.length > 1 ? `${source} [${index}]` : source;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) throw new CliError(`${at}: a flag must be a JSON object`);
    const flag = { ...(item as Record<string, unknown>) };
    if (flag.environment === undefined) flag.environment = environment;
    else if (envGiven && flag.environment !== environment) {
      throw new CliError(`${at}: environment "${String(flag.environment)}" differs from --env ${environment}`);
    }
    // The store manages these; a definition copied from `flags get` carries them.
    delete flag.version;
    delete flag.updatedAt;
    // Every definition is checked before anything is written: a batch is all or none.
    return validateFlag(flag);
  });
}

/**
 * Writes a batch of valid definitions: through the store's all-or-none `writeFlags` when it has
 * one; otherwise one by one (each was validated first, so only a store failure can stop midway).
 */
export async function writeAll(storage: StorageAdapter, flags: readonly FlagDefinition[], options: WriteOptions): Promise<StoredFlag[]> {
  if (flags.length > 1 && options.expectedVersion === undefined && typeof storage.writeFlags === 'function') {
    return storage.writeFlags(flags, { ...(options.updatedBy === undefined ? {} : { updatedBy: options.updatedBy }) });
  }
  const stored: StoredFlag[] = [];
  for (const flag of flags) stored.push(await storage.writeFlag(flag, options));
  return stored;
}

function parseVersion(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value) || !Number.isSafeInteger(n)) {
    throw usageError(`--if-version must be a whole number >= 0, got "${String(value)}"`);
  }
  return n;
}

function parsePercent(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 100)
    throw usageError(`rollout: percent must be a number from 0 to 100, got "${value}"`);
  return n;
}

function stateOf(flag: StoredFlag, colors: CommandContext['out']['colors']): string {
  return flag.enabled ? colors.green('on') : colors.red('off');
}

/** `tiqology flags <subcommand>`: see the help text in the command table. */
export async function run({ positionals, values, io, out }: CommandContext): Promise<number> {
  const [sub, ...args] = positionals;
  if (sub === undefined) throw usageError(`flags: a subcommand is needed: ${SUBCOMMANDS.join(', ')}`);
  if (!(SUBCOMMANDS as readonly string[]).includes(sub))
    throw usageError(`flags: unknown subcommand "${sub}"${didYouMean(sub, SUBCOMMANDS)}; one of ${SUBCOMMANDS.join(', ')}`);
  const subcommand = sub as Subcommand;
  const arity = ARITY[subcommand];
  if (args.length !== arity.length) {
    throw usageError(`flags ${subcommand}: expected ${arity.length === 0 ? 'no arguments' : arity.join(' ')}, got ${quoteArguments(args)}`);
  }
  if (subcommand !== 'set' && values['if-version'] !== undefined) throw usageError('--if-version applies to flags set');
  if (subcommand !== 'history' && values.limit !== undefined) throw usageError('--limit applies to flags history');
  const limit = subcommand === 'history' ? parseLimit(values.limit) : 0;
  if (subcommand !== 'types' && values.out !== undefined) throw usageError('--out applies to flags types');
  if (subcommand !== 'types' && values.react !== undefined) throw usageError('--react applies to flags types');
  const environment = environmentOf(values, io);
  const expectedVersion = parseVersion(values['if-version']);
  const percent = subcommand === 'rollout' ? parsePercent(args[1] as string) : undefined;
  // Parse the input before connecting: bad JSON fails fast, without a database round trip.
  const definitions =
    subcommand === 'set' ? await readDefinitions(args[0] as string, io, environment, typeof values.env === 'string') : undefined;

  // Only `set` may create a flags file: the other subcommands need what is in it.
  return withStore(
    values,
    io,
    async ({ storage, label }) => {
      const key = args[0] as string;
      const write = async (flag: FlagDefinition, options: WriteOptions) => {
        const stored = await storage.writeFlag(flag, { ...options, updatedBy: updatedBy(io) });
        if (out.json) out.data(stored);
        else
          out.line(
            `${stored.key} (${stored.environment}): version ${stored.version}, ${stored.enabled ? 'enabled' : 'disabled'}, rollout ${stored.rollout ?? 100}% [${label}]`,
          );
        return stored;
      };
      switch (subcommand) {
        case 'list': {
          const list = (await storage.listFlags(environment)).sort((a, b) => a.key.localeCompare(b.key));
          if (out.json) out.data(list);
          else if (list.length === 0) out.note(`no flags in environment "${environment}" [${label}]`);
          else {
            out.line(
              renderTable(
                [
                  { header: 'Key' },
                  { header: 'State' },
                  { header: 'Rollout', align: 'right' },
                  { header: 'Variants' },
                  { header: 'Version', align: 'right' },
                  { header: 'Updated' },
                ],
                list.map((f) => [
                  f.key,
                  stateOf(f, out.colors),
                  `${f.rollout ?? 100}%`,
                  f.variants ? f.variants.map((v) => `${v.key} ${v.weight}`).join(', ') : out.colors.dim('toggle'),
                  String(f.version),
                  f.updatedAt,
                ]),
                out.colors,
              ),
            );
          }
          return EXIT.OK;
        }
        case 'get':
          out.data(await mustGet(storage, key, environment));
          return EXIT.OK;
        case 'set': {
          const flags = definitions as FlagDefinition[];
          if (expectedVersion !== undefined && flags.length > 1) throw usageError('--if-version applies to a single flag');
          const options: WriteOptions = expectedVersion === undefined ? {} : { expectedVersion };
          const stored = await writeAll(storage, flags, { ...options, updatedBy: updatedBy(io) });
          if (out.json) out.data(stored.length === 1 ? stored[0] : stored);
          else for (const s of stored) out.line(`${s.key} (${s.environment}): version ${s.version} written [${label}]`);
          return EXIT.OK;
        }
        case 'rollout':
        case 'enable':
        case 'disable': {
          const current = await mustGet(storage, key, environment);
          const next = definitionOf(current);
          if (subcommand === 'rollout') next.rollout = percent as number;
          else next.enabled = subcommand === 'enable';
          // Read-modify-write guarded by the version read: a concurrent change fails with VERSION_CONFLICT instead of being lost.
          await write(next, { expectedVersion: current.version });
          return EXIT.OK;
        }
        case 'delete': {
          const deleted = await storage.deleteFlag(key, environment, { updatedBy: updatedBy(io) });
          if (!deleted) throw new CliError(`flag "${key}" not found in environment "${environment}"`);
          if (out.json) out.data({ key, environment, deleted: true });
          else out.line(`${key} (${environment}): deleted [${label}]`);
          return EXIT.OK;
        }
        case 'history':
          await printHistory(storage, { key, environment, label, limit }, out);
          return EXIT.OK;
        case 'types':
          await writeTypes(
            await storage.listFlags(environment),
            { source: `the ${environment} flags of ${label}`, out: values.out as string | undefined, react: values.react === true },
            io,
            out,
          );
          return EXIT.OK;
      }
    },
    { create: subcommand === 'set' },
  );
}
