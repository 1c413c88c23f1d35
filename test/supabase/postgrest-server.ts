/**
 * A PostgREST-protocol server on 127.0.0.1 for the Supabase adapter's tests, backed by the real
 * PostgreSQL (PostgREST itself cannot be installed here). It implements exactly the requests the
 * adapter makes, the way PostgREST 12 answers them, and nothing else:
 *
 *   GET    /rest/v1/<table>?select=a,b&col=eq.v[&order=col.asc][&limit=n]  200, JSON array
 *   POST   /rest/v1/<table>[?columns="a","b"][&select=a,b]                 201, empty (no select) or JSON array
 *   POST   /rest/v1/<table>?columns=…&on_conflict=a,b  with `Prefer: resolution=ignore-duplicates`
 *          (or merge-duplicates)                                         201: INSERT … ON CONFLICT (a, b) DO NOTHING/UPDATE
 *   PATCH  /rest/v1/<table>?col=eq.v…&select=a,b                           200, JSON array
 *   DELETE /rest/v1/<table>?col=eq.v…&select=a,b                           200, JSON array
 *   POST   /rest/v1/rpc/<function>  (named arguments as a JSON object)     200, JSON array
 *
 * Like PostgREST it authenticates the JWT (HS256, `role` claim), connects as `authenticator`,
 * runs each request in one transaction after `set local role <role>` and
 * `set_config('request.jwt.claims', <claims>, true)`, so privileges and row-level security are
 * enforced by the database; PostgreSQL errors come back as `{ code, details, hint, message }` with
 * PostgREST's status mapping (42501 → 401/403, 23505 → 409, 42P01/42883 → 404, …). As Supabase's
 * gateway does, it first requires an `apikey` header holding one of the project's keys.
 * Anything outside this subset (other operators, Prefer options, verbs, paths) is answered 400, so
 * a change in what supabase-js sends fails a test instead of passing by accident.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';

export interface PostgrestServerOptions {
  /** Connection string of the `authenticator` role. */
  databaseUrl: string;
  /** HS256 secret the keys and user tokens are signed with. */
  jwtSecret: string;
  /** The project's API keys (anon, service_role), checked like Supabase's gateway does. */
  apiKeys: string[];
}

export interface PostgrestServer {
  /** `http://127.0.0.1:<port>`: pass it to `createClient` as the Supabase URL. */
  url: string;
  /** `METHOD path?query` of every request, for assertions on what the client sent. */
  requests: string[];
  close(): Promise<void>;
}

type ErrorBody = { code: string; details: string | null; hint: string | null; message: string };
class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
    readonly headers: Record<string, string> = {},
  ) {
    super(body.message);
  }
}

const ROLES = new Set(['anon', 'authenticated', 'service_role']);
const unsupported = (what: string) =>
  new HttpError(400, {
    code: 'PGRST100',
    details: null,
    hint: 'the test server implements only the requests the adapter makes',
    message: `unsupported: ${what}`,
  });

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/** Signs an HS256 JWT (for the tests' keys and user tokens). */
export function signJwt(claims: Record<string, unknown>, secret: string): string {
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = b64url(JSON.stringify(claims));
  const signature = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${signature}`;
}

function verifyJwt(token: string, secret: string): Record<string, unknown> {
  const jwtError = (message: string) =>
    new HttpError(401, { code: 'PGRST301', details: null, hint: null, message }, { 'WWW-Authenticate': 'Bearer' });
  const parts = token.split('.');
  if (parts.length !== 3) throw jwtError(`Expected 3 parts in JWT; got ${parts.length}`);
  const [head, body, signature] = parts as [string, string, string];
  let header: { alg?: string };
  let claims: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    throw jwtError('JWSError (CompactDecodeError Invalid number of parts: Expected 3 parts; got 2)');
  }
  if (header.alg !== 'HS256') throw jwtError('Wrong or unsupported encoding algorithm');
  const expected = createHmac('sha256', secret).update(`${head}.${body}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw jwtError('JWSError JWSInvalidSignature');
  if (typeof claims.exp === 'number' && claims.exp * 1000 < Date.now()) throw jwtError('JWT expired');
  return claims;
}

/** PostgREST's mapping of SQLSTATE to HTTP status. */
function statusOf(code: string, authenticated: boolean): number {
  if (code === '42501') return authenticated ? 403 : 401;
  if (code === '23503' || code === '23505') return 409;
  if (code === '25006') return 405;
  if (code === '42883' || code === '42P01') return 404;
  if (code === 'P0001') return 400;
  const prefixes: [string, number][] = [
    ['08', 503],
    ['09', 500],
    ['0L', 403],
    ['0P', 403],
    ['25', 500],
    ['28', 403],
    ['2D', 500],
    ['38', 500],
    ['39', 500],
    ['3B', 500],
    ['40', 500],
    ['53', 503],
    ['54', 500],
    ['55', 500],
    ['57', 500],
    ['58', 500],
    ['F0', 500],
    ['HV', 500],
    ['P0', 500],
    ['XX', 500],
  ];
  if (code === '53400') return 500;
  for (const [prefix, status] of prefixes) if (code.startsWith(prefix)) return status;
  return 400;
}

interface Schema {
  /** table → its columns. */
  tables: Map<string, Set<string>>;
  /** function → its argument names. */
  functions: Map<string, Set<string>>;
  /** table → its primary key columns, in order. */
  primaryKeys: Map<string, string[]>;
}

async function readSchema(pool: pg.Pool): Promise<Schema> {
  const tables = new Map<string, Set<string>>();
  // From the catalog, as PostgREST's schema cache: information_schema would hide what the
  // authenticator itself has no privilege on.
  const { rows } = await pool.query<{ table_name: string; column_name: string }>(
    `select c.relname as table_name, a.attname as column_name
     from pg_class c join pg_namespace n on n.oid = c.relnamespace join pg_attribute a on a.attrelid = c.oid
     where n.nspname = 'public' and c.relkind in ('r', 'v', 'p') and a.attnum > 0 and not a.attisdropped`,
  );
  for (const r of rows) {
    if (!tables.has(r.table_name)) tables.set(r.table_name, new Set());
    tables.get(r.table_name)?.add(r.column_name);
  }
  const functions = new Map<string, Set<string>>();
  const fns = await pool.query<{ proname: string; args: string[] | null }>(
    `select p.proname, array(select a.name from unnest(p.proargnames, p.proargmodes) with ordinality a(name, mode, i)
                              where a.mode is null or a.mode in ('i', 'b')) as args
     from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'public'`,
  );
  for (const f of fns.rows) functions.set(f.proname, new Set(f.args ?? []));
  const primaryKeys = new Map<string, string[]>();
  const keys = await pool.query<{ table_name: string; columns: string[] }>(
    `select c.relname as table_name, array(select a.attname from unnest(i.indkey) with ordinality k(attnum, n)
                                           join pg_attribute a on a.attrelid = c.oid and a.attnum = k.attnum order by k.n) as columns
     from pg_index i join pg_class c on c.oid = i.indrelid join pg_namespace s on s.oid = c.relnamespace
     where s.nspname = 'public' and i.indisprimary`,
  );
  for (const k of keys.rows) primaryKeys.set(k.table_name, k.columns);
  return { tables, functions, primaryKeys };
}

const ident = (name: string) => pg.escapeIdentifier(name);

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** Starts the server on an ephemeral port of 127.0.0.1. */
export async function startPostgrestServer(options: PostgrestServerOptions): Promise<PostgrestServer> {
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 4 });
  pool.on('error', () => {});
  const schema = await readSchema(pool);
  const requests: string[] = [];

  const columnsOf = (table: string, list: string[], what: string): string[] => {
    const known = schema.tables.get(table) as Set<string>;
    for (const c of list) {
      if (!known.has(c)) {
        throw new HttpError(400, {
          code: what === 'columns' ? 'PGRST204' : '42703',
          details: null,
          hint: null,
          message:
            what === 'columns'
              ? `Could not find the '${c}' column of '${table}' in the schema cache`
              : `column ${table}.${c} does not exist`,
        });
      }
    }
    return list;
  };

  /** Parses `select`, `columns`, `order` and `col=eq.value` filters; rejects anything else. */
  const parseQuery = (table: string, params: URLSearchParams) => {
    let select: string[] | undefined;
    let columns: string[] | undefined;
    let order: { column: string; direction: 'asc' | 'desc' } | undefined;
    let onConflict: string[] | undefined;
    let limit: number | undefined;
    const filters: { column: string; value: string }[] = [];
    for (const [name, value] of params) {
      if (name === 'select') {
        if (!/^[a-z_][a-z0-9_]*(,[a-z_][a-z0-9_]*)*$/.test(value)) throw unsupported(`select=${value}`);
        select = columnsOf(table, value.split(','), 'select');
      } else if (name === 'columns') {
        if (!/^"[a-z_][a-z0-9_]*"(,"[a-z_][a-z0-9_]*")*$/.test(value)) throw unsupported(`columns=${value}`);
        columns = columnsOf(
          table,
          value.split(',').map((c) => c.slice(1, -1)),
          'columns',
        );
      } else if (name === 'on_conflict') {
        if (!/^[a-z_][a-z0-9_]*(,[a-z_][a-z0-9_]*)*$/.test(value)) throw unsupported(`on_conflict=${value}`);
        onConflict = columnsOf(table, value.split(','), 'on_conflict');
      } else if (name === 'order') {
        const m = /^([a-z_][a-z0-9_]*)\.(asc|desc)$/.exec(value);
        if (!m) throw unsupported(`order=${value}`);
        order = { column: columnsOf(table, [m[1] as string], 'order')[0] as string, direction: m[2] as 'asc' | 'desc' };
      } else if (name === 'limit') {
        if (!/^[1-9][0-9]{0,5}$/.test(value)) throw unsupported(`limit=${value}`);
        limit = Number(value);
      } else {
        if (!value.startsWith('eq.')) throw unsupported(`filter ${name}=${value}`);
        filters.push({ column: columnsOf(table, [name], 'filter')[0] as string, value: value.slice(3) });
      }
    }
    return { select, columns, order, filters, onConflict, limit };
  };

  type Prefer = { return?: 'minimal' | 'representation'; resolution?: 'ignore' | 'merge' };
  /** The preferences supabase-js sends (several `Prefer` headers arrive joined by commas). */
  const parsePrefer = (header: string | undefined): Prefer => {
    const prefer: Prefer = {};
    if (header === undefined) return prefer;
    for (const part of header.split(',').map((p) => p.trim())) {
      if (part === 'return=minimal') prefer.return = 'minimal';
      else if (part === 'return=representation') prefer.return = 'representation';
      else if (part === 'resolution=ignore-duplicates') prefer.resolution = 'ignore';
      else if (part === 'resolution=merge-duplicates') prefer.resolution = 'merge';
      else throw unsupported(`Prefer: ${part}`);
    }
    return prefer;
  };

  const handle = async (request: IncomingMessage): Promise<{ status: number; body?: unknown }> => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const method = request.method ?? 'GET';
    // Supabase's gateway: a project key in `apikey`.
    const apikey = request.headers.apikey;
    if (typeof apikey !== 'string' || !options.apiKeys.includes(apikey)) {
      throw new HttpError(401, { code: '', details: null, hint: null, message: 'No API key found in request' });
    }
    // PostgREST: the bearer token picks the role (no token → the anonymous role).
    const authorization = request.headers.authorization;
    let claims: Record<string, unknown> = { role: 'anon' };
    let authenticated = false;
    if (authorization !== undefined) {
      const m = /^Bearer (.+)$/i.exec(authorization);
      if (!m) throw new HttpError(401, { code: 'PGRST301', details: null, hint: null, message: 'No suitable key or wrong key type' });
      claims = verifyJwt(m[1] as string, options.jwtSecret);
      authenticated = true;
    }
    const role = claims.role;
    if (typeof role !== 'string' || !ROLES.has(role)) {
      throw new HttpError(401, {
        code: 'PGRST301',
        details: null,
        hint: null,
        message: `role "${String(role)}" is not a Supabase API role`,
      });
    }
    const profile = request.headers[method === 'GET' ? 'accept-profile' : 'content-profile'];
    if (profile !== undefined && profile !== 'public') {
      throw new HttpError(406, {
        code: 'PGRST106',
        details: null,
        hint: 'Only the following schemas are exposed: public',
        message: `Invalid schema: ${profile}`,
      });
    }
    const path = url.pathname;
    if (!path.startsWith('/rest/v1/')) throw unsupported(`path ${path}`);
    const resource = path.slice('/rest/v1/'.length);
    const preferences = parsePrefer(request.headers.prefer as string | undefined);
    const prefer = preferences.return;
    const raw = method === 'GET' || method === 'DELETE' ? '' : await readBody(request);
    let body: unknown;
    if (method === 'POST' || method === 'PATCH') {
      const type = request.headers['content-type'] ?? '';
      if (!type.startsWith('application/json')) {
        throw new HttpError(415, {
          code: 'PGRST107',
          details: null,
          hint: null,
          message: `The request's Content-Type '${type}' is not supported`,
        });
      }
      try {
        body = JSON.parse(raw);
      } catch {
        throw new HttpError(400, { code: 'PGRST102', details: null, hint: null, message: 'Empty or invalid json' });
      }
    }

    let sql: string;
    let values: unknown[];
    let answer: 'rows' | 'none';
    let created = false;
    if (resource.startsWith('rpc/')) {
      const fn = resource.slice(4);
      if (method !== 'POST' || [...url.searchParams].length > 0 || prefer !== undefined || preferences.resolution !== undefined) {
        throw unsupported(`${method} /rpc with options`);
      }
      const args = schema.functions.get(fn);
      const named = body !== null && typeof body === 'object' && !Array.isArray(body) ? Object.keys(body as object) : undefined;
      if (!args || !named?.every((a) => args.has(a))) {
        throw new HttpError(404, {
          code: 'PGRST202',
          details: `Searched for the function public.${fn} with parameters ${(named ?? []).join(', ')} or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.`,
          hint: null,
          message: `Could not find the function public.${fn}(${(named ?? []).join(', ')}) in the schema cache`,
        });
      }
      values = named.map((a) => {
        const v = (body as Record<string, unknown>)[a];
        return v === null || typeof v !== 'object' ? v : JSON.stringify(v);
      });
      sql = `select coalesce(json_agg(r), '[]') as body from ${ident(fn)}(${named.map((a, i) => `${ident(a)} => $${i + 1}`).join(', ')}) r`;
      answer = 'rows';
    } else {
      const table = resource;
      if (!/^[a-z_][a-z0-9_]*$/.test(table) || !schema.tables.has(table)) {
        throw new HttpError(404, {
          code: 'PGRST205',
          details: null,
          hint: null,
          message: `Could not find the table 'public.${table}' in the schema cache`,
        });
      }
      const q = parseQuery(table, url.searchParams);
      const where = q.filters.map((f, i) => `${ident(f.column)} = $${i + 1}`);
      const filterValues = q.filters.map((f) => f.value);
      const returning = q.select ? q.select.map(ident).join(', ') : undefined;
      // supabase-js asks for rows back with `?select=` plus `Prefer: return=representation`.
      if ((q.select !== undefined) !== (prefer === 'representation') && method !== 'GET')
        throw unsupported('select without return=representation');
      if ((preferences.resolution !== undefined || q.onConflict !== undefined) && method !== 'POST') {
        throw unsupported(`${method} with on_conflict or resolution`);
      }
      if (method === 'GET') {
        if (prefer !== undefined || q.columns) throw unsupported('GET options');
        sql = `select ${returning ?? '*'} from ${ident(table)}${where.length ? ` where ${where.join(' and ')}` : ''}${
          q.order ? ` order by ${ident(q.order.column)} ${q.order.direction}` : ''
        }${q.limit === undefined ? '' : ` limit ${q.limit}`}`;
        values = filterValues;
        answer = 'rows';
      } else if (method === 'POST') {
        if (q.filters.length || q.order || q.limit !== undefined) throw unsupported('POST with filters');
        const rows = Array.isArray(body) ? body : [body];
        if (rows.some((r) => r === null || typeof r !== 'object' || Array.isArray(r))) throw unsupported('POST body not objects');
        const columns = q.columns ?? columnsOf(table, Object.keys(rows[0] as object), 'columns');
        // As PostgREST: the JSON body becomes rows of the table's type; listed columns only.
        const list = columns.map(ident).join(', ');
        sql = `insert into ${ident(table)} (${list}) select ${list} from json_populate_recordset(null::${ident(table)}, $1::json)`;
        // As PostgREST: `on_conflict` names the conflict target of an upsert (default: the primary
        // key); the resolution preference picks DO NOTHING or DO UPDATE of the sent columns. The
        // database itself refuses a target without a unique index (42P10, 400).
        if (q.onConflict !== undefined && preferences.resolution === undefined) throw unsupported('on_conflict without resolution');
        if (preferences.resolution !== undefined) {
          const target = q.onConflict ?? schema.primaryKeys.get(table);
          if (!target?.length) throw unsupported('upsert on a table without a primary key');
          sql += ` on conflict (${target.map(ident).join(', ')}) do ${
            preferences.resolution === 'ignore'
              ? 'nothing'
              : `update set (${columns.map(ident).join(', ')}) = row(${columns.map((c) => `excluded.${ident(c)}`).join(', ')})`
          }`;
        }
        if (returning) sql += ` returning ${returning}`;
        values = [JSON.stringify(rows)];
        answer = returning ? 'rows' : 'none';
        created = true;
      } else if (method === 'PATCH') {
        if (q.columns || q.order || q.limit !== undefined || q.filters.length === 0) throw unsupported('PATCH shape');
        if (body === null || typeof body !== 'object' || Array.isArray(body)) throw unsupported('PATCH body');
        const set = columnsOf(table, Object.keys(body as object), 'columns');
        const offset = filterValues.length;
        sql = `update ${ident(table)} set (${set.map(ident).join(', ')}) = (select ${set
          .map(ident)
          .join(', ')} from json_populate_record(null::${ident(table)}, $${offset + 1}::json)) where ${where.join(' and ')}`;
        if (returning) sql += ` returning ${returning}`;
        values = [...filterValues, JSON.stringify(body)];
        answer = returning ? 'rows' : 'none';
      } else if (method === 'DELETE') {
        if (q.columns || q.order || q.limit !== undefined || q.filters.length === 0) throw unsupported('DELETE shape');
        sql = `delete from ${ident(table)} where ${where.join(' and ')}`;
        if (returning) sql += ` returning ${returning}`;
        values = filterValues;
        answer = returning ? 'rows' : 'none';
      } else {
        throw unsupported(`verb ${method}`);
      }
      if (answer === 'rows') sql = `with r as (${sql}) select coalesce(json_agg(r), '[]') as body from r`;
    }

    const client = await pool.connect();
    try {
      await client.query('begin');
      await client.query(`set local role ${ident(role)}`);
      await client.query(
        "select set_config('request.jwt.claims', $1, true), set_config('request.method', $2, true), set_config('request.path', $3, true)",
        [JSON.stringify(claims), method, path],
      );
      const result = await client.query(sql, values);
      await client.query('commit');
      if (answer === 'none') return { status: created ? 201 : 204 };
      return { status: created ? 201 : 200, body: result.rows[0]?.body ?? [] };
    } catch (error) {
      await client.query('rollback').catch(() => {});
      const e = error as { code?: string; message?: string; detail?: string; hint?: string };
      if (typeof e.code !== 'string') throw error;
      throw new HttpError(statusOf(e.code, authenticated), {
        code: e.code,
        details: e.detail ?? null,
        hint: e.hint ?? null,
        message: e.message ?? '',
      });
    } finally {
      client.release();
    }
  };

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    requests.push(`${request.method} ${request.url}`);
    handle(request).then(
      ({ status, body }) => {
        if (body === undefined) {
          response.writeHead(status).end();
        } else {
          response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
        }
      },
      (error: unknown) => {
        const e =
          error instanceof HttpError ? error : new HttpError(500, { code: 'PGRSTX00', details: null, hint: null, message: String(error) });
        response.writeHead(e.status, { 'Content-Type': 'application/json; charset=utf-8', ...e.headers }).end(JSON.stringify(e.body));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.end();
    },
  };
}
