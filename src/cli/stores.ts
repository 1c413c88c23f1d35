/**
 * Where a command's flags live. Each source is one entry of {@link STORE_SOURCES}: the option
 * that selects it, an environment variable it falls back to, and `open()`, which loads its
 * adapter lazily: a flags file, PostgreSQL (`--database-url`) and Supabase (`--supabase-url`,
 * key from `SUPABASE_SERVICE_ROLE_KEY`). Adding a store is one entry here; options and help
 * follow from the table.
 */
import type { StorageAdapter } from '@tiqology/elite';
import { CliError, type CliIo, type OptionSpec, usageError } from './io.js';

/** A store a command opened, and how to release it. */
export interface OpenedStore {
  /** The store, ready to use. */
  storage: StorageAdapter;
  /** What to show the user (never a secret): `flags.json`, `postgres 127.0.0.1:5432/app`. */
  label: string;
  /** Releases the store (its connections, if any); called once the command is done. */
  close(): Promise<void>;
  /** The PostgreSQL pool behind the store, when there is one (for a rollout's lease across processes). */
  pool?: PgPool;
}

/** One kind of store the CLI can open. */
export interface StoreSource {
  /** Long option naming it, e.g. `database-url`. */
  option: string;
  /** Variable used when no store option is given (the first set one wins, in table order). */
  envVar?: string;
  /** The line of `--help`. */
  help: string;
  /**
   * Opens the store `value` names (a path, a URL), loading its adapter on first use. `create`:
   * the command writes, so a flags file that does not exist yet is created by its first write;
   * otherwise a missing file is a usage error (a mistyped path must not read as "no flags").
   */
  open(value: string, io: CliIo, create: boolean): Promise<OpenedStore>;
}

/** `postgres://user:***@host:port/db` → `host:port/db`, for messages. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname}`;
  } catch {
    return '(unparseable URL)';
  }
}

/** The `pg` module, an optional peer dependency. */
export async function importPg(): Promise<{ Pool: new (config: Record<string, unknown>) => PgPool }> {
  try {
    const mod = (await import('pg')) as unknown as { default?: { Pool: unknown }; Pool?: unknown };
    return (mod.default ?? mod) as { Pool: new (config: Record<string, unknown>) => PgPool };
  } catch (error) {
    throw new CliError('--database-url needs the pg package: npm install pg', 1, { cause: error });
  }
}

/** The few `pg.Pool` methods the CLI uses. */
export interface PgPool {
  /** Runs one parameterised statement. */
  query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: R[]; rowCount: number | null }>;
  /** Closes every connection. */
  end(): Promise<void>;
  /** Listens for errors of idle connections. */
  on(event: 'error', listener: (error: Error) => void): unknown;
  /** Checks out one connection (kept by a rollout's lease). */
  connect(): Promise<{
    query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
    release(destroy?: boolean | Error): void;
    on(event: 'error', listener: (error: Error) => void): unknown;
  }>;
}

/** A pool for one short command: two connections, a connect timeout, idle errors ignored (the command reports its own). */
export async function openPool(url: string): Promise<PgPool> {
  if (!/^postgres(ql)?:\/\//.test(url)) throw usageError('--database-url must be a postgres:// or postgresql:// URL');
  const { Pool } = await importPg();
  const pool = new Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 10_000 });
  pool.on('error', () => {});
  return pool;
}

/** The stores the CLI can open, in the order their environment variables are tried. */
export const STORE_SOURCES: readonly StoreSource[] = [
  {
    option: 'file',
    help: '--file <path>           a local flags file (JSON, see docs/cli.md); flags set creates it',
    async open(value, io, create) {
      const { resolve } = await import('node:path');
      const { existsSync } = await import('node:fs');
      const path = resolve(io.cwd, value);
      if (!create && !existsSync(path)) {
        throw usageError(`--file ${value}: no such file (a first \`tiqology flags set <json> --file ${value}\` creates it)`);
      }
      const { openFlagsFile } = await import('./flags-file.js');
      const storage = await openFlagsFile(path);
      return { storage, label: value, close: async () => {} };
    },
  },
  {
    option: 'database-url',
    envVar: 'DATABASE_URL',
    help: '--database-url <url>    PostgreSQL (default: $DATABASE_URL); needs the pg package',
    async open(value) {
      const pool = await openPool(value);
      const { createPostgresStorage } = await import('@tiqology/elite/adapters/postgres');
      const storage = createPostgresStorage({ pool, closePool: true });
      return { storage, pool, label: `postgres ${describeUrl(value)}`, close: () => storage.close?.() ?? pool.end() };
    },
  },
  {
    option: 'supabase-url',
    envVar: 'SUPABASE_URL',
    help: '--supabase-url <url>    Supabase project URL (default: $SUPABASE_URL), with the service_role key\n                          from $SUPABASE_SERVICE_ROLE_KEY; needs @supabase/supabase-js',
    async open(value, io) {
      if (!/^https?:\/\//.test(value))
        throw usageError('--supabase-url must be an http:// or https:// URL (https://<project>.supabase.co)');
      const key = io.env.SUPABASE_SERVICE_ROLE_KEY;
      // The key is never an option: options end up in shell history and process lists.
      if (!key) throw usageError('--supabase-url needs the service_role key in SUPABASE_SERVICE_ROLE_KEY');
      const { createClient } = await importSupabase();
      const client = createClient(value, key, {
        auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
        // supabase-js asks for a WebSocket at createClient on Node 20 (no global one) even though
        // the CLI never opens Realtime; a transport that refuses to connect satisfies it without ws.
        realtime: { transport: NoRealtime },
      });
      const { createSupabaseStorage } = await import('@tiqology/elite/adapters/supabase');
      const storage = createSupabaseStorage({ client: client as never });
      return { storage, label: `supabase ${describeUrl(value)}`, close: async () => storage.close?.() };
    },
  },
];

/** A Realtime transport that is never connected: the CLI makes REST calls only. */
class NoRealtime {
  constructor() {
    throw new Error('tiqology does not use Supabase Realtime');
  }
}

/** `@supabase/supabase-js`, an optional peer dependency. */
export async function importSupabase(): Promise<{
  createClient(url: string, key: string, options: Record<string, unknown>): unknown;
}> {
  try {
    const mod = (await import('@supabase/supabase-js')) as unknown as { createClient?: unknown; default?: { createClient: unknown } };
    return (mod.createClient ? mod : mod.default) as { createClient(url: string, key: string, options: Record<string, unknown>): unknown };
  } catch (error) {
    throw new CliError('--supabase-url needs the @supabase/supabase-js package: npm install @supabase/supabase-js', 1, { cause: error });
  }
}

/** The options of every store source, for the command table. */
export const STORE_OPTIONS: Record<string, OptionSpec> = Object.fromEntries([
  ...STORE_SOURCES.map((s) => [s.option, { type: 'string' } satisfies OptionSpec]),
  ['env', { type: 'string' } satisfies OptionSpec],
]);

/** The help section on stores. */
export const STORE_HELP = `Store (one of):
${STORE_SOURCES.map((s) => `  ${s.help}`).join('\n')}
  --env <name>            environment of the flags (default: $ELITE_FLAGS_ENVIRONMENT or production)`;

/**
 * The store the command line names: exactly one store option, else the first source whose
 * environment variable is set. Usage error (exit 2) when none or several are given.
 */
export function selectStore(values: Record<string, unknown>, io: CliIo): { source: StoreSource; value: string } {
  const given = STORE_SOURCES.filter((s) => typeof values[s.option] === 'string');
  if (given.length > 1) throw usageError(`choose one store: ${given.map((s) => `--${s.option}`).join(' or ')}`);
  const [explicit] = given;
  if (explicit) return { source: explicit, value: values[explicit.option] as string };
  for (const source of STORE_SOURCES) {
    const value = source.envVar === undefined ? undefined : io.env[source.envVar];
    if (value) return { source, value };
  }
  throw usageError(
    `no store: pass ${STORE_SOURCES.map((s) => `--${s.option}`).join(' or ')}${STORE_SOURCES.some((s) => s.envVar) ? ` or set ${STORE_SOURCES.flatMap((s) => s.envVar ?? []).join(' or ')}` : ''}`,
  );
}

const ENV_PATTERN = /^[a-z0-9][a-z0-9._-]{0,127}$/;

/** The environment: `--env`, else `ELITE_FLAGS_ENVIRONMENT`, else `production`; an invalid one is a usage error naming its source. */
export function environmentOf(values: Record<string, unknown>, io: CliIo): string {
  const given = typeof values.env === 'string';
  const env = given ? (values.env as string) : io.env.ELITE_FLAGS_ENVIRONMENT || 'production';
  if (!ENV_PATTERN.test(env)) {
    throw usageError(`${given ? '--env' : 'ELITE_FLAGS_ENVIRONMENT'} must match ${ENV_PATTERN.source} (e.g. staging), got "${env}"`);
  }
  return env;
}

/**
 * Opens the selected store, runs `fn`, and closes the store whatever happens. `create`: the
 * command writes, so a flags file may not exist yet (see {@link StoreSource.open}).
 */
export async function withStore<T>(
  values: Record<string, unknown>,
  io: CliIo,
  fn: (store: OpenedStore) => Promise<T>,
  { create = false }: { create?: boolean } = {},
): Promise<T> {
  const { source, value } = selectStore(values, io);
  const store = await source.open(value, io, create);
  try {
    return await fn(store);
  } catch (error) {
    throw inStore(error, store.label);
  } finally {
    await store.close().catch(() => {});
  }
}

/** A driver's error (connection refused, authentication failed) says which store it came from. */
export function inStore(error: unknown, label: string): unknown {
  if (error instanceof CliError || (error instanceof Error && error.name === 'EliteError')) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | undefined)?.code;
  const suffix = typeof code === 'string' && !message.includes(code) ? ` (${code})` : '';
  return new CliError(`${label}: ${message}${suffix}`, 1, { cause: error });
}
