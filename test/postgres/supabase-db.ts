/**
 * Test helpers: a database shaped like a Supabase project (roles, auth helpers, default
 * privileges from supabase-roles.sql) with our migrations applied, and a connection as
 * PostgREST's `authenticator` that switches role and JWT claims per transaction.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { migrate } from '../../src/adapters/postgres.js';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL is not set: run `npm run db:start` and export the URL it prints');
export const databaseUrl: string = url;

const ROLES = ['anon', 'authenticated', 'service_role', 'authenticator'];

/** The URL of another database of the same cluster, optionally as another user. */
export function urlFor(database: string, user?: { name: string; password: string }): string {
  const u = new URL(databaseUrl);
  u.pathname = `/${database}`;
  if (user) {
    u.username = user.name;
    u.password = user.password;
  }
  return u.toString();
}

export const authenticator = { name: 'authenticator', password: 'elite-authenticator' };

/** Creates `database` afresh, without the Supabase roles in the cluster. */
export async function createPlainDatabase(database: string): Promise<void> {
  await dropSupabaseRoles();
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${database}`);
    await admin.query(`create database ${database}`);
  } finally {
    await admin.end();
  }
}

/** Creates `database` afresh as a Supabase project has it, then applies our migrations. */
export async function createSupabaseDatabase(database: string): Promise<pg.Pool> {
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${database}`);
    await admin.query(`create database ${database}`);
  } finally {
    await admin.end();
  }
  const pool = new pg.Pool({ connectionString: urlFor(database), max: 4 });
  await pool.query(readFileSync(new URL('./supabase-roles.sql', import.meta.url), 'utf8'));
  await migrate(pool);
  return pool;
}

/** Drops `database` and the Supabase roles (they are cluster-wide: other suites expect a plain server). */
export async function dropDatabase(database: string): Promise<void> {
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${database} with (force)`);
  } finally {
    await admin.end();
  }
}

export async function dropSupabaseRoles(): Promise<void> {
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ rolname: string }>('select rolname from pg_roles where rolname = any($1)', [ROLES]);
    if (rows.length === 0) return;
    const names = rows.map((r) => r.rolname).join(', ');
    // Privileges a role holds in this database would block DROP ROLE (the suites' databases are dropped before).
    await admin.query(`drop owned by ${names}`);
    await admin.query(`drop role ${names}`);
  } finally {
    await admin.end();
  }
}

/** Runs `fn` in one transaction as PostgREST does: `set local role`, then the JWT claims. */
export async function asRole<T>(
  pool: pg.Pool,
  role: string,
  claims: Record<string, unknown>,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query(`set local role ${pg.escapeIdentifier(role)}`);
    await client.query("select set_config('request.jwt.claims', $1, true)", [JSON.stringify({ ...claims, role })]);
    const result = await fn(client);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
