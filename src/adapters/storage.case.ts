/**
 * The storage conformance suite: written once, run by every adapter's test with its own
 * factory (memory here; PostgreSQL and Supabase in their suites).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFlags } from '../flags/client.js';
import type { FlagDefinition } from '../flags/types.js';
import { EliteError } from '../internal/errors.js';
import type { FlagEvent, StorageAdapter } from './types.js';

export interface StorageFixture {
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
