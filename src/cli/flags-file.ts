import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import type { FlagDefinition, FlagEvent, ResultsQuery, StorageAdapter, StoredFlag, WriteOptions } from '@tiqology/elite';
import { EliteError } from '@tiqology/elite';
import { createMemoryStorage } from '@tiqology/elite/adapters/memory';
import { validateFlag } from '@tiqology/elite/flags/validate';
import { CliError } from './io.js';

/**
 * The flags file (docs/cli.md#flags-file): `{ "flags": [...], "events": [...] }`. `flags` holds
 * definitions as stored (with `version` and `updatedAt`); `events` (optional) holds exposures and
 * conversions in the `FlagEvent` shape, read by `tiqology results`. Other top-level keys are kept.
 */
export interface FlagsFileContent {
  /** Flag definitions as stored. */
  flags: FlagDefinition[];
  /** Exposures and conversions for `tiqology results`. */
  events?: FlagEvent[];
  /** Other top-level keys (a `$comment`), kept as they are when the file is rewritten. */
  [key: string]: unknown;
}

const id = (key: string, environment: string) => `${environment}\u0000${key}`;

async function load(path: string): Promise<FlagsFileContent> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    // A missing file is an empty store: the first write creates it.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { flags: [] };
    throw new CliError(`cannot read flags file ${path}: ${(error as Error).message}`, 1, { cause: error });
  }
  let content: unknown;
  try {
    content = JSON.parse(text);
  } catch (error) {
    throw new CliError(`flags file ${path} is not valid JSON: ${(error as Error).message}`, 1, { cause: error });
  }
  if (typeof content !== 'object' || content === null || Array.isArray(content) || !Array.isArray((content as { flags?: unknown }).flags)) {
    throw new CliError(`flags file ${path} must be an object with a "flags" array (see docs/cli.md#flags-file)`);
  }
  const events = (content as { events?: unknown }).events;
  if (events !== undefined) {
    const bad = Array.isArray(events)
      ? events.findIndex((e) => typeof e !== 'object' || e === null || (e.type !== 'exposure' && e.type !== 'conversion'))
      : 0;
    if (bad !== -1) {
      throw new CliError(`flags file ${path}: events[${bad}] must be an object with type "exposure" or "conversion"`);
    }
  }
  return content as FlagsFileContent;
}

/** Writes to a temporary file beside `path`, then renames it over: readers see the old or the new file, never half of one. */
async function save(path: string, content: FlagsFileContent): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o644 });
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw new CliError(`cannot write flags file ${path}: ${(error as Error).message}`, 1, { cause: error });
  }
}

const conflict = (key: string, environment: string, found: number, expected: number) =>
  new EliteError(
    'VERSION_CONFLICT',
    `elite/flags: flag "${key}" (${environment}) is at version ${found}, expected ${expected}; read it again and retry`,
  );

/**
 * A `StorageAdapter` over a flags file. Reads the file once; each write validates the flag,
 * raises its version and rewrites the file atomically. Events and results are served by the
 * memory store. Across processes the last writer wins: use PostgreSQL for shared flags.
 */
export async function openFlagsFile(path: string, now: () => number = Date.now): Promise<StorageAdapter> {
  const content = await load(path);
  const flags = new Map<string, StoredFlag>();
  content.flags.forEach((raw, index) => {
    let flag: FlagDefinition;
    try {
      flag = validateFlag(raw);
    } catch (error) {
      throw new CliError(`flags file ${path}: flags[${index}]: ${(error as Error).message}`, 1, { cause: error });
    }
    if (flags.has(id(flag.key, flag.environment))) {
      throw new CliError(`flags file ${path}: flags[${index}]: "${flag.key}" (${flag.environment}) is defined twice`);
    }
    flags.set(id(flag.key, flag.environment), {
      ...flag,
      version: flag.version ?? 1,
      updatedAt: flag.updatedAt ?? new Date(now()).toISOString(),
    });
  });
  const events = createMemoryStorage({ now });
  await events.appendEvents(content.events ?? []);

  const persist = () => {
    const sorted = [...flags.values()].sort((a, b) =>
      a.environment === b.environment ? a.key.localeCompare(b.key) : a.environment.localeCompare(b.environment),
    );
    const next: FlagsFileContent = { ...content, flags: sorted };
    if (events.events.length > 0) next.events = [...events.events];
    return save(path, next);
  };
  const check = (key: string, environment: string, expected: number | undefined) => {
    const found = flags.get(id(key, environment))?.version ?? 0;
    if (expected !== undefined && found !== expected) throw conflict(key, environment, found, expected);
  };

  // Metric statistics come from the memory store's events when it computes them.
  const metricStats = events.queryMetricStats?.bind(events);
  return {
    metadata: { name: 'file' },
    ...(metricStats === undefined ? {} : { queryMetricStats: metricStats }),
    async getFlag(key, environment) {
      const flag = flags.get(id(key, environment));
      return flag && structuredClone(flag);
    },
    async listFlags(environment) {
      return [...flags.values()].filter((f) => f.environment === environment).map((f) => structuredClone(f));
    },
    async writeFlag(input: FlagDefinition, options: WriteOptions = {}) {
      const { version: _version, updatedAt: _updatedAt, ...definition } = validateFlag(input);
      check(definition.key, definition.environment, options.expectedVersion);
      const stored: StoredFlag = {
        ...structuredClone(definition),
        version: (flags.get(id(definition.key, definition.environment))?.version ?? 0) + 1,
        updatedAt: new Date(now()).toISOString(),
      };
      flags.set(id(stored.key, stored.environment), stored);
      await persist();
      return structuredClone(stored);
    },
    async deleteFlag(key, environment, options = {}) {
      check(key, environment, options.expectedVersion);
      if (!flags.delete(id(key, environment))) return false;
      await persist();
      return true;
    },
    async appendEvents(batch: readonly FlagEvent[]) {
      await events.appendEvents(batch);
      await persist();
    },
    queryResults: (query: ResultsQuery) => events.queryResults(query),
    queryMetricStats: (query) => events.queryMetricStats(query),
  };
}
