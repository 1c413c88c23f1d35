import { describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../adapters/memory.js';
import type { StorageAdapter } from '../adapters/types.js';
import { validateFlag } from '../definitions/validate.js';
import { createFlags } from './create-flags.js';
import type { FlagDefinition } from './types.js';

const quiet = { warn: () => {}, error: () => {} };
const env = { environment: 'production', enabled: true } as const;
/** The parent: a toggle on for half the users. */
const checkout: FlagDefinition = { ...env, key: 'new-checkout', rollout: 50 };
/** A toggle that requires the parent to be on. */
const express: FlagDefinition = { ...env, key: 'express-pay', prerequisites: [{ flag: 'new-checkout' }] };
const pricing: FlagDefinition = {
  ...env,
  key: 'pricing-test',
  variants: [
    { key: 'control', weight: 50 },
    { key: 'variant-a', weight: 50 },
  ],
};
/** A rule that applies only to users the pricing experiment serves variant-a. */
const banner: FlagDefinition = {
  ...env,
  key: 'price-banner',
  rollout: 0,
  rules: [{ prerequisites: [{ flag: 'pricing-test', variant: 'variant-a' }], variant: 'on' }],
};
const ids = Array.from({ length: 2_000 }, (_, i) => `user-${i}`);

async function client(flags: FlagDefinition[], storage: StorageAdapter = createMemoryStorage({ flags })) {
  const flagsClient = createFlags({ storage, logger: quiet });
  await flagsClient.refresh();
  return { flags: flagsClient, storage };
}

describe('prerequisites', () => {
  it('serve a flag only to users its prerequisite is on for; the others get off with PREREQUISITE_FAILED', async () => {
    const { flags } = await client([checkout, express]);
    let on = 0;
    for (const id of ids) {
      const parent = flags.isEnabledSync('new-checkout', id);
      const child = flags.evaluateSync('express-pay', id);
      expect(child).toMatchObject(
        parent ? { variant: 'on', reason: 'STATIC' } : { variant: 'off', value: false, reason: 'PREREQUISITE_FAILED' },
      );
      expect(await flags.isEnabled('express-pay', id)).toBe(parent);
      if (parent) on++;
    }
    expect(on).toBeGreaterThan(800);
    expect(on).toBeLessThan(1200);
    // The parent turned off: nobody gets the child, whatever their bucket.
    await flags.storage.writeFlag({ ...checkout, enabled: false });
    await flags.refresh();
    expect(ids.some((id) => flags.isEnabledSync('express-pay', id))).toBe(false);
    await flags.close();
  });

  it('make a rule match only users the prerequisite serves the named variant', async () => {
    const { flags } = await client([pricing, banner]);
    for (const id of ids.slice(0, 500)) {
      const variant = flags.getVariantSync('pricing-test', id);
      expect(flags.evaluateSync('price-banner', id)).toMatchObject(
        variant === 'variant-a' ? { variant: 'on', reason: 'TARGETING_MATCH' } : { variant: 'off', reason: 'DEFAULT' },
      );
    }
    await flags.close();
  });

  it('follow chains: a requires b requires c', async () => {
    const c: FlagDefinition = { ...env, key: 'c', rollout: 50 };
    const b: FlagDefinition = { ...env, key: 'b', prerequisites: [{ flag: 'c' }] };
    const a: FlagDefinition = { ...env, key: 'a', prerequisites: [{ flag: 'b', variant: 'on' }] };
    const { flags } = await client([a, b, c]);
    for (const id of ids.slice(0, 300)) expect(flags.isEnabledSync('a', id)).toBe(flags.isEnabledSync('c', id));
    await flags.close();
  });

  it('answer ERROR FLAG_NOT_FOUND, naming both flags, when the prerequisite does not exist: the default, no exposure', async () => {
    const orphan: FlagDefinition = { ...pricing, key: 'orphan', prerequisites: [{ flag: 'gone' }] };
    const { flags, storage } = await client([orphan]);
    const details = await flags.evaluate('orphan', 'ann');
    expect(details).toMatchObject({ reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND', value: 'control' });
    expect(details.errorMessage).toContain('flag "orphan" requires flag "gone"');
    expect(await flags.getValue('orphan', 'ann', 'mine')).toBe('mine');
    expect(await flags.getVariant('orphan', 'ann', 'mine')).toBe('mine');
    expect(flags.isEnabledSync('orphan', 'ann')).toBe(false);
    expect(flags.stats().errors).toBeGreaterThan(0);
    // Once the prerequisite exists, the flag serves.
    await storage.writeFlag({ ...env, key: 'gone' });
    expect((await flags.evaluate('orphan', 'ann')).reason).toBe('SPLIT');
    await flags.close();
  });

  it('record no exposure for the prerequisite flag, only for the flag asked about', async () => {
    const gated: FlagDefinition = { ...pricing, key: 'gated-test', prerequisites: [{ flag: 'pricing-test', variant: 'variant-a' }] };
    const storage = createMemoryStorage({ flags: [pricing, gated] });
    const { flags } = await client([], storage);
    for (const id of ids.slice(0, 200)) {
      flags.getVariantSync('gated-test', id);
      await flags.evaluate('gated-test', id);
    }
    await flags.flush();
    const exposed = storage.events.filter((e) => e.type === 'exposure');
    expect(exposed.length).toBeGreaterThan(50);
    expect(new Set(exposed.map((e) => e.flagKey))).toEqual(new Set(['gated-test']));
    await flags.close();
  });

  it('are loaded by an awaited evaluation; a sync one before they are cached answers PROVIDER_NOT_READY', async () => {
    const storage = createMemoryStorage({ flags: [checkout, express] });
    const cold = createFlags({ storage, logger: quiet, bootstrap: [express] });
    expect(cold.evaluateSync('express-pay', 'user-1')).toMatchObject({ reason: 'ERROR', errorCode: 'PROVIDER_NOT_READY' });
    const warm = createFlags({ storage, logger: quiet });
    const parent = await warm.isEnabled('new-checkout', 'user-7');
    const fresh = createFlags({ storage, logger: quiet });
    expect(await fresh.isEnabled('express-pay', 'user-7')).toBe(parent);
    expect(fresh.isEnabledSync('express-pay', 'user-7')).toBe(parent);
    await Promise.all([cold.close(), warm.close(), fresh.close()]);
  });

  it('evaluate without further store reads once loaded: the definitions are compiled once', async () => {
    const inner = createMemoryStorage({ flags: [checkout, express] });
    let reads = 0;
    const storage: StorageAdapter = {
      ...inner,
      getFlag: (key, environment) => {
        reads++;
        return inner.getFlag(key, environment);
      },
    };
    const { flags } = await client([], storage);
    await flags.isEnabled('express-pay', 'warm-up');
    const before = reads;
    for (const id of ids) {
      flags.isEnabledSync('express-pay', id);
      await flags.isEnabled('express-pay', id);
    }
    expect(reads).toBe(before);
    await flags.close();
  });

  it('never loop on a cycle that reached the store around the write checks: ERROR PARSE_ERROR', async () => {
    // Seeds skip the checks across flags (two concurrent writes to a database could do the same).
    const a: FlagDefinition = { ...env, key: 'a', prerequisites: [{ flag: 'b' }] };
    const b: FlagDefinition = { ...env, key: 'b', prerequisites: [{ flag: 'a' }] };
    const { flags } = await client([a, b]);
    expect(flags.evaluateSync('a', 'ann')).toMatchObject({ reason: 'ERROR', errorCode: 'PARSE_ERROR' });
    expect((await flags.evaluate('b', 'ann')).errorMessage).toMatch(/cycle/);
    await flags.close();
  });

  it('pass on a prerequisite that splits by id and gets none: TARGETING_KEY_MISSING', async () => {
    const { flags } = await client([checkout, express]);
    expect(flags.evaluateSync('express-pay', { plan: 'pro' })).toMatchObject({ reason: 'ERROR', errorCode: 'TARGETING_KEY_MISSING' });
    await flags.close();
  });

  it('are checked when written: shape, no flag requiring itself', () => {
    expect(() => validateFlag({ ...express, prerequisites: [{ flag: 'express-pay' }] })).toThrow(
      'flag "express-pay": prerequisites[0].flag forms a cycle express-pay → express-pay',
    );
    expect(() => validateFlag({ ...express, prerequisites: [] })).toThrow('prerequisites must be a non-empty array');
    expect(() => validateFlag({ ...express, prerequisites: [{ flag: 'Bad Key' }] })).toThrow('prerequisites[0].flag must match');
    expect(() => validateFlag({ ...express, prerequisites: [{ flag: 'x', on: true }] })).toThrow(
      'prerequisites[0].on is not a known field; use one of flag, variant',
    );
    expect(() => validateFlag({ ...banner, rules: [{ prerequisites: { flag: 'x' } }] })).toThrow(
      'rules[0].prerequisites must be a non-empty array',
    );
  });
});
