/**
 * The `tiqology` executable on the Supabase store: the real supabase-js (loaded by the CLI) against
 * the PostgREST-protocol server of test/supabase/, backed by the real PostgreSQL with the Supabase
 * roles, our migrations and row-level security. The key comes from SUPABASE_SERVICE_ROLE_KEY and
 * is never printed.
 */
import { spawn } from 'node:child_process';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, type Run, removeCli, root } from '../cli/build.js';
import { experimentEvents, PRICING } from '../cli/events.js';
import { type PostgrestServer, signJwt, startPostgrestServer } from '../supabase/postgrest-server.js';
import { authenticator, createSupabaseDatabase, dropDatabase, dropSupabaseRoles, urlFor } from './supabase-db.js';

const DB = `elite_cli_supabase_${process.pid}`;
const SECRET = 'test-only-jwt-secret-with-at-least-32-characters';
const now = Math.floor(Date.now() / 1000);
const anonKey = signJwt({ iss: 'supabase', role: 'anon', iat: now, exp: now + 3600 }, SECRET);
const serviceKey = signJwt({ iss: 'supabase', role: 'service_role', iat: now, exp: now + 3600 }, SECRET);

let bin: string;
let admin: pg.Pool;
let server: PostgrestServer;
/** The CLI as a child process, asynchronously: the PostgREST server runs in this process and must answer meanwhile. */
function run(args: string[], key = serviceKey, input?: string): Promise<Run> {
  const child = spawn(process.execPath, [bin, ...args, '--supabase-url', server.url], {
    cwd: root,
    env: { PATH: process.env.PATH, SUPABASE_SERVICE_ROLE_KEY: key },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdin.end(input ?? '');
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

beforeAll(async () => {
  bin = await buildCli();
  admin = await createSupabaseDatabase(DB);
  server = await startPostgrestServer({ databaseUrl: urlFor(DB, authenticator), jwtSecret: SECRET, apiKeys: [anonKey, serviceKey] });
});
afterAll(async () => {
  removeCli(bin);
  await server?.close();
  await admin?.end();
  await dropDatabase(DB);
  await dropSupabaseRoles();
});

describe('tiqology on Supabase (subprocess, supabase-js, PostgREST protocol, real PostgreSQL)', () => {
  it('flags set, rollout, list, get, disable, delete', async () => {
    expect(await run(['flags', 'set', '-'], serviceKey, '{"key":"new-checkout","enabled":true,"rollout":10}')).toMatchObject({ code: 0 });
    expect(await run(['flags', 'rollout', 'new-checkout', '40'])).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse((await run(['flags', 'list', '--json'])).stdout)).toMatchObject([{ key: 'new-checkout', rollout: 40, version: 2 }]);
    const { rows } = await admin.query("select version, definition->>'rollout' as rollout from feature_flags where key = 'new-checkout'");
    expect(rows).toEqual([{ version: 2, rollout: '40' }]);
    expect(JSON.parse((await run(['flags', 'get', 'new-checkout', '--json'])).stdout)).toMatchObject({ key: 'new-checkout', version: 2 });
    expect((await run(['flags', 'disable', 'new-checkout'])).code).toBe(0);
    expect((await run(['flags', 'delete', 'new-checkout'])).code).toBe(0);
    expect(await run(['flags', 'get', 'new-checkout'])).toMatchObject({ code: 1, stderr: expect.stringMatching(/not found/) });
    // Every request went through the REST API.
    expect(server.requests.some((r) => r.startsWith('PATCH /rest/v1/feature_flags'))).toBe(true);
  });

  it('results of events stored in Supabase', async () => {
    expect((await run(['flags', 'set', '-'], serviceKey, JSON.stringify(PRICING))).code).toBe(0);
    const events = experimentEvents(200, { control: 20, 'variant-b': 40 });
    await admin.query(
      `insert into feature_flag_events (event_type, environment, flag_key, variant, user_id, event_name, occurred_at)
       select e->>'type', e->>'environment', e->>'flagKey', e->>'variant', e->>'userId', e->>'eventName', (e->>'occurredAt')::timestamptz
       from jsonb_array_elements($1::jsonb) e`,
      [JSON.stringify(events)],
    );
    const r = await run(['results', 'pricing', '--json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(
      json.variants.map((v: { variant: string; exposures: number; conversions: number }) => [v.variant, v.exposures, v.conversions]),
    ).toEqual([
      ['control', 200, 20],
      ['variant-b', 200, 40],
    ]);
  });

  it('the anon key cannot read flags: exit 1, one line, no key printed', async () => {
    const r = await run(['flags', 'list'], anonKey);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^tiqology: /);
    expect(`${r.stdout}${r.stderr}`).not.toContain(anonKey);
    const d = await run(['flags', 'list', '--debug'], anonKey);
    expect(`${d.stdout}${d.stderr}`).not.toContain(anonKey);
  });
});
