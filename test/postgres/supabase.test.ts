/**
 * The Supabase adapter with the real supabase-js (2.109, the newest v2 that supports Node 20)
 * against the PostgREST-protocol server of test/supabase/, backed by the real PostgreSQL with the
 * Supabase roles, our migrations and row-level security.
 */
import { createClient } from '@supabase/supabase-js';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ws from 'ws';
import { createMemoryStorage } from '../../src/adapters/memory.js';
import { describeStorageAdapter } from '../../src/adapters/storage.case.js';
import { createSupabaseStorage } from '../../src/adapters/supabase.js';
import type { FlagEvent, StorageAdapter, VariantAggregate } from '../../src/adapters/types.js';
import { createFlags } from '../../src/flags/create-flags.js';
import { createOverrideReader, signOverrides } from '../../src/flags/overrides.js';
import { type PostgrestServer, signJwt, startPostgrestServer } from '../supabase/postgrest-server.js';
import { seededExperimentEvents, VARIANTS } from './seeded-events.js';
import { authenticator, createSupabaseDatabase, dropDatabase, dropSupabaseRoles, urlFor } from './supabase-db.js';

const DB = `elite_supabase_${process.pid}`;
const SECRET = 'test-only-jwt-secret-with-at-least-32-characters';
const OVERRIDES_SECRET = 'test-only-overrides-secret-of-32-characters';
const now = Math.floor(Date.now() / 1000);
const anonKey = signJwt({ iss: 'supabase', role: 'anon', iat: now, exp: now + 3600 }, SECRET);
const serviceKey = signJwt({ iss: 'supabase', role: 'service_role', iat: now, exp: now + 3600 }, SECRET);

let admin: pg.Pool;
let server: PostgrestServer;
const clientFor = (key: string, accessToken?: string) =>
  createClient(server.url, key, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: ws as never }, // Node 20 has no global WebSocket; supabase-js asks for one
    ...(accessToken ? { global: { headers: { Authorization: `Bearer ${accessToken}` } } } : {}),
  });

beforeAll(async () => {
  admin = await createSupabaseDatabase(DB);
  server = await startPostgrestServer({ databaseUrl: urlFor(DB, authenticator), jwtSecret: SECRET, apiKeys: [anonKey, serviceKey] });
});
afterAll(async () => {
  await server?.close();
  await admin?.end();
  await dropDatabase(DB);
  await dropSupabaseRoles();
});
const clean = () => admin.query('truncate feature_flags, feature_flag_events, feature_flag_history');

describeStorageAdapter('supabase', async () => {
  await clean();
  return { storage: createSupabaseStorage({ client: clientFor(serviceKey) }) };
});

const variants = VARIANTS;
const seededEvents = (count: number): FlagEvent[] => seededExperimentEvents({ count, users: 400, exposureShare: 0.55, seed: 1234 });
// A browser key may write events of the last 24 hours only: the seeded day, moved to the last hour.
const recentEvents = (count: number): FlagEvent[] =>
  seededEvents(count).map((e) => ({
    ...e,
    occurredAt: new Date(Date.now() - 3_600_000 + (Date.parse(e.occurredAt) - Date.UTC(2026, 0, 1)) / 24).toISOString(),
  }));
const byVariant = (rows: VariantAggregate[]) => Object.fromEntries(rows.map((r) => [r.variant, r]));

describe('createSupabaseStorage with supabase-js', () => {
  it('returns the same results as the memory store, events arriving out of order in many batches', async () => {
    await clean();
    const supabase = createSupabaseStorage({ client: clientFor(serviceKey) });
    const memory = createMemoryStorage();
    const events = seededEvents(2000);
    // Batches in arrival order, not time order: conversions before the exposure they follow,
    // earlier exposures after later ones (the pre-aggregates must recount those users).
    for (let i = 0; i < events.length; i += 97) await supabase.appendEvents(events.slice(i, i + 97));
    await memory.appendEvents(events);
    for (const query of [
      {},
      { eventName: 'purchase' },
      { eventName: 'nothing' },
      { since: '2026-01-01T06:00:00.000Z', until: '2026-01-01T18:00:00.000Z' },
      { eventName: 'signup', since: '2026-01-01T12:00:00.000Z' },
      // Most users first exposed after the start: pre-aggregates for them, raw events for the rest.
      { since: '2026-01-01T02:00:00.000Z' },
      { eventName: 'purchase', since: '2026-01-01T02:00:00.000Z' },
      // Before the first exposure: all time.
      { eventName: 'signup', since: '2025-12-31T00:00:00.000Z' },
      { until: '2026-01-01T20:00:00.000Z' },
    ]) {
      const q = { flagKey: 'pricing-test', environment: 'production', ...query };
      const expected = await memory.queryResults(q);
      expect(expected.length).toBeGreaterThan(0);
      expect(byVariant(await supabase.queryResults(q))).toEqual(byVariant(expected));
    }
    // Deleting events (a retention job) recounts the users concerned.
    await admin.query("delete from feature_flag_events where occurred_at < '2026-01-01T08:00:00Z'");
    const kept = events.filter((e) => e.occurredAt >= '2026-01-01T08:00:00.000Z');
    const memoryKept = createMemoryStorage();
    await memoryKept.appendEvents(kept);
    const q = { flagKey: 'pricing-test', environment: 'production' };
    expect(byVariant(await supabase.queryResults(q))).toEqual(byVariant(await memoryKept.queryResults(q)));
  });

  it('writes a batch with one request that reads nothing back', async () => {
    await clean();
    const storage = createSupabaseStorage({ client: clientFor(serviceKey) });
    const from = server.requests.length;
    await storage.appendEvents(seededEvents(300));
    const sent = server.requests.slice(from);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/^POST \/rest\/v1\/feature_flag_events\?on_conflict=event_id&columns=/);
    expect(sent[0]).not.toMatch(/select=/);
    expect((await admin.query('select count(*)::int as n from feature_flag_events')).rows[0].n).toBe(300);
  });

  it('a batch sent again (a write that timed out after its commit) is stored once, for every key', async () => {
    await clean();
    // The browser key writes only recent events of a flag and variant that exist.
    await createSupabaseStorage({ client: clientFor(serviceKey) }).writeFlag({
      key: 'pricing-test',
      environment: 'production',
      enabled: true,
      variants: variants.map((key) => ({ key, weight: key === 'control' ? 34 : 33 })),
    });
    const events = recentEvents(300).map((e) => ({ ...e, id: crypto.randomUUID() }));
    for (const key of [serviceKey, anonKey]) {
      const storage = createSupabaseStorage({ client: clientFor(key) });
      await storage.appendEvents(events);
      await storage.appendEvents([...events.slice(0, 100), ...events.slice(0, 100)]);
    }
    expect((await admin.query('select count(*)::int as n, count(distinct event_id)::int as ids from feature_flag_events')).rows[0]).toEqual(
      {
        n: 300,
        ids: 300,
      },
    );
    const memory = createMemoryStorage();
    await memory.appendEvents(events);
    const q = { flagKey: 'pricing-test', environment: 'production' };
    const service = createSupabaseStorage({ client: clientFor(serviceKey) });
    expect(byVariant(await service.queryResults(q))).toEqual(byVariant(await memory.queryResults(q)));
  });

  it('a batch the database refuses for its content is INVALID_EVENT and nothing of it is stored', async () => {
    await clean();
    // Stands for any CHECK the migrations add: the adapter must classify the database's refusal.
    await admin.query("alter table feature_flag_events add constraint elite_test_refused check (user_id <> 'refused-by-the-database')");
    try {
      const storage = createSupabaseStorage({ client: clientFor(anonKey) });
      const events = seededEvents(10);
      const refused = storage.appendEvents([...events, { ...(events[0] as FlagEvent), userId: 'refused-by-the-database' }]);
      await expect(refused).rejects.toMatchObject({ code: 'INVALID_EVENT', name: 'EliteError', cause: { code: '23514' } });
      expect((await admin.query('select count(*)::int as n from feature_flag_events')).rows[0].n).toBe(0);
    } finally {
      await admin.query('alter table feature_flag_events drop constraint elite_test_refused');
    }
  });

  it('an unreachable or unusable Supabase URL is STORAGE_ERROR, and its password or key never shows', async () => {
    const withPassword = new URL(server.url);
    withPassword.username = 'admin';
    withPassword.password = 'hunter2-supabase-secret';
    const closed = 'http://127.0.0.1:9';
    for (const base of [withPassword.toString().replace(/\/$/, ''), closed]) {
      const client = createClient(base, serviceKey, {
        auth: { persistSession: false, autoRefreshToken: false },
        realtime: { transport: ws as never },
      });
      const storage = createSupabaseStorage({ client });
      for (const attempt of [
        () => storage.listFlags('production'),
        () => storage.appendEvents(seededEvents(3)),
        () => storage.queryResults({ flagKey: 'pricing-test', environment: 'production' }),
      ]) {
        const error = await attempt().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toMatchObject({ code: 'STORAGE_ERROR', name: 'EliteError' });
        const shown = `${(error as Error).message} ${JSON.stringify((error as Error).cause)} ${String((error as Error).stack)}`;
        expect(shown).not.toContain('hunter2-supabase-secret');
        expect(shown).not.toContain(serviceKey);
        expect(shown).not.toContain(serviceKey.split('.')[2]);
      }
    }
  });

  it('an unconditional write retries when another writer raised the version in between', async () => {
    await clean();
    const storage = createSupabaseStorage({ client: clientFor(serviceKey) });
    const flag = { key: 'busy', environment: 'production', enabled: true };
    await storage.writeFlag(flag);
    const writes = await Promise.all(Array.from({ length: 4 }, (_, i) => storage.writeFlag({ ...flag, description: `w${i}` })));
    expect(writes.map((w) => w.version).sort()).toEqual([2, 3, 4, 5]);
    expect((await storage.getFlag('busy', 'production'))?.version).toBe(5);
  });

  it('serves flags to a client and records its exposures', async () => {
    await clean();
    const storage = createSupabaseStorage({ client: clientFor(serviceKey) });
    await storage.writeFlag({
      key: 'pricing-test',
      environment: 'production',
      enabled: true,
      variants: variants.map((key) => ({ key, weight: key === 'control' ? 34 : 33 })),
    });
    const flags = createFlags({ storage, environment: 'production' });
    for (let i = 0; i < 50; i++) await flags.getVariant('pricing-test', `user-${i}`);
    await flags.track('purchase', 'user-1', { value: 9 });
    const results = await flags.results('pricing-test');
    expect(results.variants.reduce((n, v) => n + v.exposures, 0)).toBe(50);
    await flags.close();
  });

  it('serves a signed request override with reason OVERRIDE and stores no exposure for it', async () => {
    await clean();
    const storage = createSupabaseStorage({ client: clientFor(serviceKey) });
    await storage.writeFlag({
      key: 'pricing-test',
      environment: 'production',
      enabled: true,
      variants: variants.map((key) => ({ key, weight: key === 'control' ? 34 : 33 })),
    });
    const flags = createFlags({ storage, environment: 'production' });
    const reader = createOverrideReader({ secret: OVERRIDES_SECRET });
    const forced = variants[1] as string;
    const header = await signOverrides({ 'pricing-test': forced }, OVERRIDES_SECRET);
    const qa = flags.withOverrides(await reader.read(new Request('http://127.0.0.1/', { headers: { 'x-elite-overrides': header } })));
    for (let i = 0; i < 10; i++)
      expect(await qa.evaluate('pricing-test', `qa-${i}`)).toMatchObject({ variant: forced, reason: 'OVERRIDE' });
    await flags.getVariant('pricing-test', 'user-1');
    const results = await flags.results('pricing-test');
    // user-1's exposure only: none of the ten forced answers.
    expect(results.variants.reduce((n, v) => n + v.exposures, 0)).toBe(1);
    await flags.close();
  });
});

describe('row-level security through the API', () => {
  let anonStorage: StorageAdapter;
  beforeAll(async () => {
    await clean();
    await createSupabaseStorage({ client: clientFor(serviceKey) }).writeFlag({
      key: 'vip',
      environment: 'production',
      enabled: true,
      rules: [{ id: 'vips', userIds: ['vip-1', 'vip-2'], variant: 'on' }],
    });
    // A browser key may expose users only to an existing flag and variant.
    await createSupabaseStorage({ client: clientFor(serviceKey) }).writeFlag({
      key: 'pricing-test',
      environment: 'production',
      enabled: true,
      variants: variants.map((key) => ({ key, weight: key === 'control' ? 34 : 33 })),
    });
    anonStorage = createSupabaseStorage({ client: clientFor(anonKey) });
  });

  it('the anon key can insert events', async () => {
    await anonStorage.appendEvents(recentEvents(20));
    expect((await admin.query('select count(*)::int as n from feature_flag_events')).rows[0].n).toBe(20);
  });

  it('a signed-in user (role authenticated) can insert events too', async () => {
    const token = signJwt({ role: 'authenticated', sub: '6f1c1b0e-2f4b-4c53-9a53-4b9d3f1c2a10', exp: now + 600 }, SECRET);
    const user = createSupabaseStorage({ client: clientFor(anonKey, token) });
    await user.appendEvents(recentEvents(5));
    expect((await admin.query('select count(*)::int as n from feature_flag_events')).rows[0].n).toBe(25);
    await expect(user.listFlags('production')).rejects.toMatchObject({ code: 'STORAGE_ERROR', cause: { code: '42501' } });
  });

  it('the anon key cannot read flags (403, 42501), nor read events or results', async () => {
    await expect(anonStorage.getFlag('vip', 'production')).rejects.toMatchObject({ code: 'STORAGE_ERROR', name: 'EliteError' });
    const anon = clientFor(anonKey);
    for (const response of [
      await anon.from('feature_flags').select('definition'),
      await anon.from('feature_flag_events').select('user_id'),
      await anon
        .from('feature_flag_events')
        .insert({ environment: 'production', user_id: 'x', event_type: 'exposure', occurred_at: '2026-01-01T00:00:00Z' })
        .select('user_id'),
      await anon.from('feature_flag_events').update({ value: 1 }).eq('user_id', 'x'),
      await anon.from('feature_flag_events').delete().eq('user_id', 'x'),
      await anon.from('feature_flags').delete().eq('key', 'vip'),
      await anon.rpc('get_ab_test_results', {
        p_flag_key: 'vip',
        p_environment: 'production',
        p_event_name: null,
        p_since: null,
        p_until: null,
      }),
    ]) {
      expect(response.status).toBe(403);
      expect(response.error).toMatchObject({ code: '42501', details: null, hint: null });
      expect(response.error?.message).toMatch(/permission denied/);
    }
    expect((await admin.query("select count(*)::int as n from feature_flags where key = 'vip'")).rows[0].n).toBe(1);
  });

  it('the service_role key reads what anon wrote', async () => {
    const service = createSupabaseStorage({ client: clientFor(serviceKey) });
    const results = await service.queryResults({ flagKey: 'pricing-test', environment: 'production' });
    expect(results.reduce((n, r) => n + r.exposures, 0)).toBeGreaterThan(0);
    expect((await service.getFlag('vip', 'production'))?.rules?.[0]?.id).toBe('vips');
  });
});

describe('the PostgREST-protocol server', () => {
  const call = (path: string, init: RequestInit & { key?: string; token?: string } = {}) => {
    const headers = new Headers(init.headers);
    if (init.key !== '') headers.set('apikey', init.key ?? serviceKey);
    if (init.token !== '') headers.set('Authorization', `Bearer ${init.token ?? serviceKey}`);
    return fetch(`${server.url}/rest/v1/${path}`, { ...init, headers });
  };

  it('answers like PostgREST: 201/200, 409 on a duplicate key, 404 for unknown tables and functions', async () => {
    await clean();
    const row = {
      key: 'k',
      environment: 'production',
      definition: { key: 'k', environment: 'production', enabled: true },
      enabled: true,
      version: 1,
    };
    const headers = { 'Content-Type': 'application/json', Prefer: 'return=representation' };
    const first = await call('feature_flags?select=key,version', { method: 'POST', headers, body: JSON.stringify(row) });
    expect(first.status).toBe(201);
    expect(await first.json()).toEqual([{ key: 'k', version: 1 }]);
    const again = await call('feature_flags?select=key', { method: 'POST', headers, body: JSON.stringify(row) });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ code: '23505', hint: null, message: expect.stringMatching(/duplicate key/) });
    expect((await call('nothing?select=a')).status).toBe(404);
    const rpc = await call('rpc/nothing', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(rpc.status).toBe(404);
    expect(await rpc.json()).toMatchObject({ code: 'PGRST202' });
  });

  it('upserts as PostgREST does: on_conflict with a resolution preference, refusing a target without a unique index', async () => {
    await clean();
    const id = '3f0c6a52-8d1e-4b7a-9c2f-5e6d7a8b9c0d';
    const row = { event_id: id, environment: 'production', user_id: 'u', event_type: 'exposure', occurred_at: '2026-01-01T00:00:00Z' };
    const columns = 'columns="event_id","environment","user_id","event_type","occurred_at"';
    const post = (query: string, prefer?: string) =>
      call(`feature_flag_events?${query}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(prefer ? { Prefer: prefer } : {}) },
        body: JSON.stringify([row, row]),
      });
    const ignored = await post(`on_conflict=event_id&${columns}`, 'resolution=ignore-duplicates, return=minimal');
    expect(ignored.status).toBe(201);
    expect(await ignored.text()).toBe('');
    expect((await post(`on_conflict=event_id&${columns}`, 'resolution=ignore-duplicates')).status).toBe(201);
    expect((await admin.query('select count(*)::int as n from feature_flag_events')).rows[0].n).toBe(1);
    // A plain insert of the same key: 409 unique violation.
    const plain = await post(columns);
    expect(plain.status).toBe(409);
    expect(await plain.json()).toMatchObject({ code: '23505' });
    // A conflict target that is not unique: PostgreSQL's 42P10, 400.
    const notUnique = await post(`on_conflict=user_id&${columns}`, 'resolution=ignore-duplicates');
    expect(notUnique.status).toBe(400);
    expect(await notUnique.json()).toMatchObject({ code: '42P10' });
    const unknown = await post(`on_conflict=nope&${columns}`, 'resolution=ignore-duplicates');
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ code: '42703' });
    // Outside the subset the adapter uses.
    for (const [query, prefer] of [
      [`on_conflict=event_id&${columns}`, undefined],
      [columns, 'resolution=ignore-duplicates, missing=default'],
    ] as [string, string | undefined][]) {
      const response = await post(query, prefer);
      expect(response.status, `${query} ${prefer}`).toBe(400);
      expect(await response.json()).toMatchObject({ code: 'PGRST100' });
    }
  });

  it('rejects bad or missing credentials with 401', async () => {
    const forged = signJwt({ role: 'service_role' }, 'another-secret');
    const bad = await call('feature_flags?select=key', { token: forged });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ code: 'PGRST301', details: null, hint: null });
    const expired = await call('feature_flags?select=key', { token: signJwt({ role: 'service_role', exp: now - 60 }, SECRET) });
    expect(expired.status).toBe(401);
    expect((await call('feature_flags?select=key', { key: '' })).status).toBe(401);
    // No bearer token: the anonymous role, unauthenticated in PostgREST's sense → 401 on a denial.
    const anonymous = await call('feature_flags?select=key', { key: anonKey, token: '' });
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ code: '42501' });
  });

  it('answers 400 to anything outside the subset the adapter uses', async () => {
    for (const [path, init] of [
      ['feature_flags?select=key&key=like.k*', {}],
      ['feature_flags?select=key&offset=1', {}],
      ['feature_flags?select=key&limit=0', {}],
      ['feature_flags?key=eq.k&limit=1', { method: 'DELETE' }],
      ['feature_flags?select=key,definition->key', {}],
      ['feature_flags?select=key', { headers: { Prefer: 'count=exact' } }],
      ['feature_flags?select=key&order=key.asc.nullslast', {}],
      ['feature_flags?key=eq.k', { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: '{}' }],
    ] as [string, RequestInit][]) {
      const response = await call(path, init);
      expect(response.status, path).toBe(400);
      expect(await response.json()).toMatchObject({ code: 'PGRST100' });
    }
    const column = await call('feature_flags?select=nope');
    expect(column.status).toBe(400);
    expect(await column.json()).toMatchObject({ code: '42703' });
  });
});
