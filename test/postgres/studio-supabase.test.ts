/**
 * `tiqology studio` on the Supabase store: the real supabase-js against the PostgREST-protocol
 * server of test/supabase/, backed by the real PostgreSQL with the Supabase roles, our migrations
 * and row-level security. The studio runs in-process (the PostgREST server answers from this
 * process too); requests go over HTTP on loopback. The service key never appears on a page.
 */
import { request } from 'node:http';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServedStudio, serveStudio } from '../../src/cli/commands/studio.js';
import { experimentEvents, PRICING } from '../cli/events.js';
import { runCli } from '../cli/in-process.js';
import { type PostgrestServer, signJwt, startPostgrestServer } from '../supabase/postgrest-server.js';
import { authenticator, createSupabaseDatabase, dropDatabase, dropSupabaseRoles, urlFor } from './supabase-db.js';

const DB = `elite_studio_supabase_${process.pid}`;
const SECRET = 'test-only-jwt-secret-with-at-least-32-characters';
const now = Math.floor(Date.now() / 1000);
const serviceKey = signJwt({ iss: 'supabase', role: 'service_role', iat: now, exp: now + 3600 }, SECRET);

let admin: pg.Pool;
let server: PostgrestServer;
let studio: ServedStudio;
let env: Record<string, string>;

function call(url: string, fields?: Record<string, string>): Promise<{ status: number; body: string; location?: string }> {
  return new Promise((resolve, reject) => {
    const body = fields === undefined ? undefined : new URLSearchParams(fields).toString();
    const req = request(
      url,
      {
        method: body === undefined ? 'GET' : 'POST',
        headers: body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: text, ...(res.headers.location ? { location: res.headers.location } : {}) }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
const formKeyOf = (page: string) => /name="_key" value="([^"]+)"/.exec(page)?.[1] as string;

beforeAll(async () => {
  admin = await createSupabaseDatabase(DB);
  server = await startPostgrestServer({ databaseUrl: urlFor(DB, authenticator), jwtSecret: SECRET, apiKeys: [serviceKey] });
  env = { SUPABASE_SERVICE_ROLE_KEY: serviceKey };
  const cli = (args: string[], stdin?: string) =>
    runCli([...args, '--supabase-url', server.url], { cwd: process.cwd(), env, ...(stdin ? { stdin } : {}) });
  expect(
    (
      await cli(
        ['flags', 'set', '-'],
        JSON.stringify([PRICING, { key: 'checkout', environment: 'production', enabled: true, rollout: 10 }]),
      )
    ).code,
  ).toBe(0);
  const events = experimentEvents(200, { control: 20, 'variant-b': 40 });
  await admin.query(
    `insert into feature_flag_events (event_type, environment, flag_key, variant, user_id, event_name, occurred_at)
     select e->>'type', e->>'environment', e->>'flagKey', e->>'variant', e->>'userId', e->>'eventName', (e->>'occurredAt')::timestamptz
     from jsonb_array_elements($1::jsonb) e`,
    [JSON.stringify(events)],
  );
  studio = await serveStudio(
    { 'supabase-url': server.url },
    { stdout: { write: () => true }, stderr: { write: () => true }, env, cwd: process.cwd(), readStdin: async () => '' },
  );
});
afterAll(async () => {
  await studio?.stop();
  await server?.close();
  await admin?.end();
  await dropDatabase(DB);
  await dropSupabaseRoles();
});

describe('tiqology studio on Supabase (supabase-js, PostgREST protocol, real PostgreSQL)', () => {
  it('toggles and edits through the REST API, refuses a stale version, and shows the history', async () => {
    const base = studio.studio.url;
    const list = await call(`${base}flags`);
    expect(list.status).toBe(200);
    expect(list.body).toContain(`Store: supabase ${new URL(server.url).host}`);
    expect(list.body).not.toContain(serviceKey);
    const key = formKeyOf(list.body);
    const toggled = await call(`${base}flags/checkout/toggle?env=production`, { _key: key, version: '1', enabled: '' });
    expect(toggled.status).toBe(303);
    const fields = { _key: key, _version: '2', rollout: '40', rules: '', segments: '', _step: 'save' };
    expect((await call(`${base}flags/checkout/edit?env=production`, fields)).status).toBe(303);
    const stale = await call(`${base}flags/checkout/edit?env=production`, { ...fields, rollout: '70' });
    expect(stale.status).toBe(409);
    const { rows } = await admin.query(
      "select version, definition->>'rollout' as rollout, definition->>'enabled' as enabled from feature_flags where key = 'checkout'",
    );
    expect(rows).toEqual([{ version: 3, rollout: '40', enabled: 'false' }]);
    const page = await call(`${base}flags/checkout?env=production`);
    expect(page.body).toContain('id="history"');
    expect(page.body).toContain('rollout 10 → 40');
    expect(server.requests.some((r) => r.startsWith('PATCH /rest/v1/feature_flags') || r.startsWith('POST /rest/v1/rpc'))).toBe(true);
  });

  it('answers the JSON of tiqology results --json', async () => {
    const json = JSON.parse((await call(`${studio.studio.url}experiments/pricing/results.json?env=production`)).body);
    const cli = await runCli(['results', 'pricing', '--json', '--supabase-url', server.url], { cwd: process.cwd(), env });
    expect(cli.code).toBe(0);
    expect(json).toEqual(JSON.parse(cli.stdout));
    expect(json.variants.map((v: { exposures: number }) => v.exposures)).toEqual([200, 200]);
  });
});
