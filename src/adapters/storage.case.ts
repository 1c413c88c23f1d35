/**
 * The storage conformance suite: written once, run by every adapter's test with its own
 * factory (memory here; PostgreSQL and Supabase in their suites).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFlags, type FlagDefinition } from '../flags/index.js';
import { EliteError } from '../internal/errors.js';
import { describeMetricStats } from './metric-stats.case.js';
import type { FlagEvent, StorageAdapter } from './types.js';

/** What an adapter's test hands the suite for each test: a store to check, and how to clean up after it. */
export interface StorageFixture {
  /** The store under test; the factory makes a new fixture before each test. */
  storage: StorageAdapter;
  /** Called after each test: drop tables, close pools. */
  cleanup?: () => Promise<void>;
}

const toggle = (key: string, environment = 'production'): FlagDefinition => ({ key, environment, enabled: true, rollout: 50 });
const experiment: FlagDefinition = {
  key: 'pricing-test',
  environment: 'production',
  enabled: true,
  description: 'Three prices',
  variants: [
    { key: 'control', weight: 34, value: { price: 20 } },
    { key: 'variant-a', weight: 33, value: { price: 25 } },
    { key: 'variant-b', weight: 33, value: { price: 30 } },
  ],
  rules: [{ id: 'staff', condition: { email: { $regex: '@tiqology\\.com$' } }, variant: 'variant-b' }],
  segments: { pro: { plan: 'pro' } },
  metadata: { owner: 'growth', ticket: 1042, temporary: true },
};

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const exposure = (userId: string, variant: string, s: number, flagKey = 'pricing-test'): FlagEvent => ({
  type: 'exposure',
  environment: 'production',
  flagKey,
  variant,
  userId,
  occurredAt: at(s),
});
const conversion = (userId: string, s: number, eventName = 'purchase', value?: number): FlagEvent => ({
  type: 'conversion',
  environment: 'production',
  userId,
  eventName,
  occurredAt: at(s),
  ...(value === undefined ? {} : { value }),
});

/** Registers the conformance tests for an adapter built by `factory`. */
export function describeStorageAdapter(name: string, factory: () => Promise<StorageFixture>): void {
  describe(`StorageAdapter conformance: ${name}`, () => {
    let fixture: StorageFixture;
    let storage: StorageAdapter;
    beforeEach(async () => {
      fixture = await factory();
      storage = fixture.storage;
    });
    afterEach(async () => {
      await fixture.cleanup?.();
    });

    describeMetricStats(() => storage);

    it('has a name for logs', () => {
      expect(typeof storage.metadata.name).toBe('string');
      expect(storage.metadata.name.length).toBeGreaterThan(0);
    });

    it('writes, reads and lists flags per environment', async () => {
      const written = await storage.writeFlag(experiment);
      expect(written.version).toBe(1);
      expect(Number.isNaN(Date.parse(written.updatedAt))).toBe(false);
      await storage.writeFlag(toggle('new-checkout'));
      await storage.writeFlag(toggle('new-checkout', 'staging'));
      const read = await storage.getFlag('pricing-test', 'production');
      expect(read).toEqual(written);
      expect(read?.metadata).toEqual({ owner: 'growth', ticket: 1042, temporary: true });
      expect(await storage.getFlag('pricing-test', 'staging')).toBeUndefined();
      expect(await storage.getFlag('missing', 'production')).toBeUndefined();
      const listed = await storage.listFlags('production');
      expect(listed.map((f) => f.key).sort()).toEqual(['new-checkout', 'pricing-test']);
      expect((await storage.listFlags('staging')).map((f) => f.key)).toEqual(['new-checkout']);
    });

    it('raises the version on every write and honours expectedVersion', async () => {
      const v1 = await storage.writeFlag(toggle('kill-switch'));
      const v2 = await storage.writeFlag({ ...toggle('kill-switch'), rollout: 60 }, { expectedVersion: v1.version });
      expect(v2.version).toBe(2);
      const conflict = storage.writeFlag({ ...toggle('kill-switch'), rollout: 70 }, { expectedVersion: 1 });
      await expect(conflict).rejects.toBeInstanceOf(EliteError);
      await expect(conflict).rejects.toMatchObject({ code: 'VERSION_CONFLICT' });
      expect((await storage.getFlag('kill-switch', 'production'))?.rollout).toBe(60);
      await expect(storage.writeFlag(toggle('fresh'), { expectedVersion: 0 })).resolves.toMatchObject({ version: 1 });
      await expect(storage.writeFlag(toggle('fresh'), { expectedVersion: 0 })).rejects.toMatchObject({ code: 'VERSION_CONFLICT' });
    });

    it('rejects an invalid definition with INVALID_FLAG and stores nothing', async () => {
      const bad = { ...experiment, key: 'bad', variants: [{ key: 'a', weight: 120 }] } as FlagDefinition;
      await expect(storage.writeFlag(bad)).rejects.toMatchObject({ code: 'INVALID_FLAG', name: 'EliteError' });
      expect(await storage.getFlag('bad', 'production')).toBeUndefined();
    });

    it('deletes flags, with optimistic concurrency', async () => {
      const v1 = await storage.writeFlag(toggle('old'));
      await expect(storage.deleteFlag('old', 'production', { expectedVersion: v1.version + 1 })).rejects.toMatchObject({
        code: 'VERSION_CONFLICT',
      });
      expect(await storage.deleteFlag('old', 'production', { expectedVersion: v1.version })).toBe(true);
      expect(await storage.deleteFlag('old', 'production')).toBe(false);
      expect(await storage.getFlag('old', 'production')).toBeUndefined();
    });

    it('returns copies: mutating a returned flag does not change the store', async () => {
      await storage.writeFlag(experiment);
      const read = await storage.getFlag('pricing-test', 'production');
      (read as FlagDefinition).enabled = false;
      expect((await storage.getFlag('pricing-test', 'production'))?.enabled).toBe(true);
    });

    it('aggregates events per variant: first exposure wins, conversions after exposure, distinct users', async () => {
      await storage.appendEvents([
        exposure('u1', 'control', 1),
        exposure('u1', 'variant-a', 2), // later exposure to another variant: ignored
        exposure('u2', 'variant-a', 3),
        exposure('u3', 'variant-a', 4),
        exposure('u4', 'control', 20),
        exposure('u9', 'control', 5, 'other-flag'),
      ]);
      await storage.appendEvents([
        conversion('u1', 10, 'purchase', 20),
        conversion('u1', 11, 'purchase', 5), // same user twice: one conversion, both values
        conversion('u2', 12, 'signup'),
        conversion('u3', 13, 'purchase', 25),
        conversion('u4', 15, 'purchase', 99), // before exposure: not attributed
        conversion('u5', 16, 'purchase', 7), // never exposed
      ]);
      const all = await storage.queryResults({ flagKey: 'pricing-test', environment: 'production' });
      const byVariant = Object.fromEntries(all.map((r) => [r.variant, r]));
      expect(byVariant.control).toMatchObject({ exposures: 2, conversions: 1, conversionEvents: 2, valueSum: 25 });
      expect(byVariant['variant-a']).toMatchObject({ exposures: 2, conversions: 2, conversionEvents: 2, valueSum: 25 });
      const purchases = await storage.queryResults({ flagKey: 'pricing-test', environment: 'production', eventName: 'purchase' });
      const p = Object.fromEntries(purchases.map((r) => [r.variant, r]));
      expect(p['variant-a']).toMatchObject({ exposures: 2, conversions: 1, valueSum: 25 });
      const window = await storage.queryResults({
        flagKey: 'pricing-test',
        environment: 'production',
        since: at(3),
        until: at(13),
      });
      const w = Object.fromEntries(window.map((r) => [r.variant, r]));
      expect(w.control).toBeUndefined();
      expect(w['variant-a']).toMatchObject({ exposures: 2, conversions: 1 });
      expect(await storage.queryResults({ flagKey: 'pricing-test', environment: 'staging' })).toEqual([]);
    });

    it('refuses a batch holding an event no store can keep with INVALID_EVENT, storing none of it', async () => {
      const good = exposure('ok-user', 'control', 1);
      const bad: [string, FlagEvent][] = [
        ['NUL in the user id', { ...good, userId: 'a\u0000b' }],
        ['a lone surrogate in the event name', conversion('u1', 2, 'buy\ud800')],
        ['a user id over 256 characters', { ...good, userId: 'u'.repeat(257) }],
        ['an event name over 200 characters', conversion('u1', 2, 'e'.repeat(201))],
        ['a flag key over 128 characters', exposure('u1', 'control', 1, 'k'.repeat(129))],
        ['properties over 8,192 characters', { ...conversion('u1', 2), properties: { text: 'x'.repeat(8_200) } }],
        ['NUL inside properties', { ...conversion('u1', 2), properties: { note: 'a\u0000' } }],
        ['a value past 1e12', conversion('u1', 2, 'purchase', 2e12)],
        ['an infinite value', conversion('u1', 2, 'purchase', Number.POSITIVE_INFINITY)],
        ['an unparsable time', { ...good, occurredAt: 'yesterday' }],
        ['an id that is not a UUID', { ...good, id: 'event-1' }],
      ];
      for (const [what, event] of bad) {
        const append = storage.appendEvents([good, event]);
        await expect(append, what).rejects.toBeInstanceOf(EliteError);
        await expect(append, what).rejects.toMatchObject({ code: 'INVALID_EVENT' });
      }
      // Nothing of the refused batches was stored: the good event alone counts once it is sent alone.
      expect(await storage.queryResults({ flagKey: 'pricing-test', environment: 'production' })).toEqual([]);
      await storage.appendEvents([good, { ...good, userId: 'u'.repeat(256), id: '0E9A4F4C-2B1D-4C8E-9F11-6A1B2C3D4E5F' }]);
      expect(await storage.queryResults({ flagKey: 'pricing-test', environment: 'production' })).toEqual([
        { variant: 'control', exposures: 2, conversions: 0, valueSum: 0, conversionEvents: 0 },
      ]);
    });

    it('stores an event appended twice with the same id once (a retried batch)', async () => {
      const id = (n: number) => `6d2f4a1e-0c3b-4e57-9a8d-${String(n).padStart(12, '0')}`;
      const first = [
        { ...exposure('u1', 'control', 1), id: id(1) },
        { ...exposure('u2', 'variant-a', 2), id: id(2) },
        { ...conversion('u1', 5, 'purchase', 10), id: id(3) },
      ];
      await storage.appendEvents(first);
      // The same batch again (a write that timed out after its commit), plus one new event; the id
      // in another case is the same UUID; a batch may repeat an id too.
      await storage.appendEvents([
        ...first,
        { ...first[2], id: id(3).toUpperCase() } as FlagEvent,
        { ...conversion('u2', 6, 'purchase', 7), id: id(4) },
        { ...conversion('u2', 6, 'purchase', 7), id: id(4) },
      ]);
      // Events without an id are never taken for copies of each other.
      await storage.appendEvents([conversion('u1', 7, 'purchase', 1), conversion('u1', 7, 'purchase', 1)]);
      const byVariant = Object.fromEntries(
        (await storage.queryResults({ flagKey: 'pricing-test', environment: 'production' })).map((r) => [r.variant, r]),
      );
      expect(byVariant.control).toEqual({ variant: 'control', exposures: 1, conversions: 1, valueSum: 12, conversionEvents: 3 });
      expect(byVariant['variant-a']).toEqual({ variant: 'variant-a', exposures: 1, conversions: 1, valueSum: 7, conversionEvents: 1 });
    });

    it('writeFlags validates every flag first, then stores them all or none', async () => {
      const write = storage.writeFlags;
      expect(typeof write).toBe('function');
      if (write === undefined) return;
      await storage.writeFlag(toggle('existing'));
      const bad = { ...toggle('broken'), rollout: 120 };
      await expect(storage.writeFlags?.([toggle('a-first'), bad, toggle('existing')])).rejects.toMatchObject({ code: 'INVALID_FLAG' });
      expect(await storage.getFlag('a-first', 'production')).toBeUndefined();
      expect((await storage.getFlag('existing', 'production'))?.version).toBe(1);
      const written = await storage.writeFlags?.([experiment, { ...toggle('existing'), rollout: 10 }, toggle('existing', 'staging')], {
        updatedBy: 'ann',
      });
      expect(written?.map((f) => [f.key, f.environment, f.version])).toEqual([
        ['pricing-test', 'production', 1],
        ['existing', 'production', 2],
        ['existing', 'staging', 1],
      ]);
      expect(await storage.getFlag('pricing-test', 'production')).toEqual(written?.[0]);
      expect((await storage.getFlag('existing', 'production'))?.rollout).toBe(10);
      expect(await storage.writeFlags?.([])).toEqual([]);
    });

    it('records every write and delete in the flag history: action, version, author, time, definitions before and after', async () => {
      const list = storage.listFlagHistory;
      expect(typeof list).toBe('function');
      if (list === undefined) return;
      const history = (key: string, limit?: number) =>
        storage.listFlagHistory?.(key, 'production', limit === undefined ? undefined : { limit }) ?? Promise.resolve([]);
      const started = Date.now() - 60_000;
      const v1 = await storage.writeFlag(toggle('audited'), { updatedBy: 'ann' });
      await storage.writeFlag({ ...toggle('audited'), rollout: 80 }, { expectedVersion: v1.version });
      await storage.writeFlags?.([{ ...toggle('audited'), enabled: false }, toggle('audited', 'staging')], { updatedBy: 'bob' });
      // A refused write records nothing.
      await expect(storage.writeFlag({ ...toggle('audited'), rollout: 1 }, { expectedVersion: 1 })).rejects.toMatchObject({
        code: 'VERSION_CONFLICT',
      });
      expect(await storage.deleteFlag('audited', 'production', { expectedVersion: 3, updatedBy: 'cy' })).toBe(true);
      await storage.writeFlag(toggle('audited'));

      const changes = await history('audited');
      expect(changes.map((c) => [c.action, c.version, c.updatedBy ?? null])).toEqual([
        ['create', 1, null],
        ['delete', 3, 'cy'],
        ['update', 3, 'bob'],
        ['update', 2, null],
        ['create', 1, 'ann'],
      ]);
      for (const c of changes) {
        expect(c).toMatchObject({ key: 'audited', environment: 'production' });
        expect(Date.parse(c.at)).toBeGreaterThanOrEqual(started);
        expect(new Date(c.at).toISOString()).toBe(c.at);
      }
      const [recreated, deleted, disabled, rolled, created] = changes;
      expect(created?.before).toBeUndefined();
      expect(created?.after).toEqual(toggle('audited'));
      expect(rolled?.before).toEqual(toggle('audited'));
      expect(rolled?.after).toEqual({ ...toggle('audited'), rollout: 80 });
      expect(disabled?.after).toMatchObject({ enabled: false, rollout: 50 });
      expect(deleted?.before).toEqual(disabled?.after);
      expect(deleted?.after).toBeUndefined();
      expect(recreated?.before).toBeUndefined();
      // Newest first, cut at the limit; per environment; nothing for a flag never written.
      expect((await history('audited', 2)).map((c) => c.action)).toEqual(['create', 'delete']);
      expect(await storage.listFlagHistory?.('audited', 'staging')).toMatchObject([{ action: 'create', version: 1, updatedBy: 'bob' }]);
      expect(await history('never-written')).toEqual([]);
      await expect(history('audited', 0)).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
    });

    it('round-trips prerequisites, a layer and a schedule, and serves them to a client', async () => {
      const { metadata: _m, ...plain } = experiment;
      const gated: FlagDefinition = {
        ...plain,
        key: 'gated-test',
        prerequisites: [{ flag: 'new-checkout' }],
        layer: { key: 'checkout', from: 0, to: 50 },
        schedule: [
          { at: '2026-03-01T09:00:00Z', enabled: true, rollout: 5 },
          { at: '2026-03-02T09:00:00+02:00', rollout: 100 },
        ],
        rules: [
          { id: 'pro', condition: { plan: 'pro' }, prerequisites: [{ flag: 'pricing-test', variant: 'control' }], variant: 'variant-a' },
        ],
      };
      const [parent, , written] = (await storage.writeFlags?.([{ ...toggle('new-checkout'), rollout: 100 }, experiment, gated])) ?? [];
      expect(parent?.version).toBe(1);
      const { version: _v, updatedAt: _u, ...stored } = (await storage.getFlag('gated-test', 'production')) ?? {};
      expect(stored).toEqual(gated);
      expect((await storage.listFlags('production')).find((f) => f.key === 'gated-test')).toEqual(written);
      const client = createFlags({ storage, environment: 'production', now: () => Date.UTC(2026, 2, 3), trackExposures: false });
      const inLayer = await Promise.all(Array.from({ length: 200 }, (_, i) => client.evaluate('gated-test', `u${i}`)));
      const reasons = new Set(inLayer.map((d) => d.reason));
      expect(reasons).toEqual(new Set(['SPLIT', 'DEFAULT']));
      await storage.writeFlag({ ...toggle('new-checkout'), enabled: false });
      await client.refresh();
      const placed = inLayer.findIndex((d) => d.reason === 'SPLIT');
      expect((await client.evaluate('gated-test', `u${placed}`)).reason).toBe('PREREQUISITE_FAILED');
      await client.close();
    });

    it('refuses a prerequisite cycle or an overlapping layer range with INVALID_FLAG naming it, storing nothing', async () => {
      const requires = (key: string, other: string): FlagDefinition => ({ ...toggle(key), prerequisites: [{ flag: other }] });
      await storage.writeFlag(requires('a', 'b'));
      await storage.writeFlag(requires('b', 'c'));
      const cycle = storage.writeFlag(requires('c', 'a'));
      await expect(cycle).rejects.toBeInstanceOf(EliteError);
      await expect(storage.writeFlag(requires('c', 'a'))).rejects.toMatchObject({
        code: 'INVALID_FLAG',
        message: expect.stringContaining('c → a → b → c'),
      });
      expect(await storage.getFlag('c', 'production')).toBeUndefined();
      await expect(storage.writeFlags?.([requires('x', 'y'), requires('y', 'x')])).rejects.toMatchObject({ code: 'INVALID_FLAG' });
      expect(await storage.getFlag('x', 'production')).toBeUndefined();
      const layered = (key: string, from: number, to: number): FlagDefinition => ({ ...toggle(key), layer: { key: 'checkout', from, to } });
      await storage.writeFlag(layered('exp-a', 0, 50));
      await expect(storage.writeFlag(layered('exp-b', 40, 60))).rejects.toMatchObject({ code: 'INVALID_FLAG', field: 'layer' });
      expect(await storage.getFlag('exp-b', 'production')).toBeUndefined();
      await storage.writeFlag(layered('exp-b', 50, 60));
    });

    it('serves a client end to end', async () => {
      await storage.writeFlag(experiment);
      const client = createFlags({ storage, environment: 'production' });
      const variant = await client.getVariant('pricing-test', { targetingKey: 'ann', email: 'ann@tiqology.com' });
      expect(variant).toBe('variant-b');
      expect(await client.evaluate('pricing-test', 'bob')).toMatchObject({ reason: 'SPLIT', flagVersion: 1 });
      await client.close();
    });
  });
}
