import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryStorage } from '../../adapters/memory.js';
import { createFlags } from '../create-flags.js';
import type { FlagDefinition } from '../types.js';

const experiment: FlagDefinition = {
  key: 'pricing-test',
  environment: 'production',
  enabled: true,
  variants: [
    { key: 'control', weight: 34, value: 20 },
    { key: 'variant-a', weight: 33, value: 25 },
    { key: 'variant-b', weight: 33, value: 30 },
  ],
};
const rollout: FlagDefinition = { key: 'new-checkout', environment: 'production', enabled: true, rollout: 50 };

afterEach(() => {
  vi.useRealTimers();
});

describe('createFlags: evaluation', () => {
  it('answers getVariant, isEnabled, getValue and evaluate from the store', async () => {
    const client = createFlags({ storage: createMemoryStorage({ flags: [experiment, rollout] }) });
    const variant = await client.getVariant('pricing-test', 'user-1');
    expect(['control', 'variant-a', 'variant-b']).toContain(variant);
    const details = await client.evaluate('pricing-test', 'user-1');
    expect(details).toMatchObject({ flagKey: 'pricing-test', variant, reason: 'SPLIT', flagVersion: 1 });
    expect(await client.getValue('pricing-test', 'user-1', 0)).toBe(details.value);
    expect(await client.isEnabled('pricing-test', 'user-1')).toBe(true);
    let on = 0;
    for (let i = 0; i < 2000; i++) if (await client.isEnabled('new-checkout', `u${i}`)) on++;
    expect(on).toBeGreaterThan(850);
    expect(on).toBeLessThan(1150);
  });

  it('the sync twins agree with the async methods once the flag is cached', async () => {
    const client = createFlags({ storage: createMemoryStorage({ flags: [experiment, rollout] }) });
    await client.refresh();
    for (let i = 0; i < 500; i++) {
      const user = { targetingKey: `u${i}`, plan: 'pro' };
      expect(client.getVariantSync('pricing-test', user)).toBe(await client.getVariant('pricing-test', user));
      expect(client.isEnabledSync('new-checkout', user)).toBe(await client.isEnabled('new-checkout', user));
      expect(client.getValueSync('pricing-test', user, 0)).toBe(await client.getValue('pricing-test', user, 0));
      expect(client.evaluateSync('pricing-test', user)).toEqual(await client.evaluate('pricing-test', user));
    }
  });

  it('gives the same answers across client instances', async () => {
    const a = createFlags({ storage: createMemoryStorage({ flags: [experiment] }) });
    const b = createFlags({ storage: createMemoryStorage({ flags: [experiment] }), cacheMax: 5 });
    for (let i = 0; i < 300; i++) expect(await a.getVariant('pricing-test', `u${i}`)).toBe(await b.getVariant('pricing-test', `u${i}`));
  });

  it('binds a client to one environment; the same key may differ per environment', async () => {
    const storage = createMemoryStorage({
      flags: [
        { key: 'dark-mode', environment: 'production', enabled: false },
        { key: 'dark-mode', environment: 'staging', enabled: true },
      ],
    });
    expect(await createFlags({ storage, environment: 'production' }).isEnabled('dark-mode', 'u')).toBe(false);
    expect(await createFlags({ storage, environment: 'staging' }).isEnabled('dark-mode', 'u')).toBe(true);
  });

  it('returns the default with FLAG_NOT_FOUND for an unknown flag', async () => {
    const client = createFlags();
    expect(await client.evaluate('nope', 'u')).toEqual({
      flagKey: 'nope',
      value: null,
      variant: undefined,
      reason: 'ERROR',
      errorCode: 'FLAG_NOT_FOUND',
      errorMessage: 'flag "nope" does not exist in environment "production"',
      flagVersion: undefined,
    });
    expect(await client.getVariant('nope', 'u')).toBeUndefined();
    expect(await client.getVariant('nope', 'u', 'control')).toBe('control');
    expect(await client.getValue('nope', 'u', 'fallback')).toBe('fallback');
    expect(await client.isEnabled('nope', 'u')).toBe(false);
    expect(client.stats().errors).toBe(5);
  });

  it('returns the caller default on TYPE_MISMATCH and warns', async () => {
    const warn = vi.fn();
    const client = createFlags({ storage: createMemoryStorage({ flags: [experiment] }), logger: { warn, error: vi.fn() } });
    expect(await client.getValue('pricing-test', 'u1', 'text')).toBe('text');
    expect(await client.getValue('pricing-test', 'u1', { price: 1 })).toEqual({ price: 1 });
    expect(await client.getValue('pricing-test', 'u1', [1])).toEqual([1]);
    expect(await client.getValue('pricing-test', 'u1', null)).toBe(null);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('TYPE_MISMATCH'));
  });

  it('reports PROVIDER_NOT_READY from a sync call before the first load, then answers', async () => {
    const client = createFlags({ storage: createMemoryStorage({ flags: [experiment] }) });
    expect(client.evaluateSync('pricing-test', 'u1')).toMatchObject({ reason: 'ERROR', errorCode: 'PROVIDER_NOT_READY' });
    expect(client.getVariantSync('pricing-test', 'u1', 'control')).toBe('control');
    await vi.waitFor(() => expect(client.evaluateSync('pricing-test', 'u1').reason).toBe('SPLIT'));
  });

  it('never throws into app code, whatever it is given', async () => {
    const client = createFlags({ storage: createMemoryStorage({ flags: [experiment, rollout] }) });
    await client.refresh();
    await fc.assert(
      fc.asyncProperty(fc.anything(), fc.anything(), fc.anything(), async (key, user, fallback) => {
        const k = key as string;
        const u = user as string;
        client.evaluateSync(k, u);
        client.getVariantSync(k, u);
        client.isEnabledSync(k, u);
        client.getValueSync(k, u, fallback as never);
        await client.evaluate(k, u);
        await client.getValue(k, u, fallback as never);
        await client.isEnabled('pricing-test', u);
        await client.getVariant('pricing-test', u);
      }),
      { numRuns: 2000 },
    );
    // Values that throw when converted to a string.
    const hostile = [
      Object.create(null),
      Symbol('k'),
      {
        toString: () => {
          throw new Error('x');
        },
      },
    ];
    for (const value of hostile) {
      expect(client.evaluateSync(value, 'u')).toMatchObject({ reason: 'ERROR', errorCode: 'GENERAL' });
      expect(await client.evaluate(value, value)).toMatchObject({ reason: 'ERROR' });
      expect((await client.evaluate('pricing-test', value)).reason).toMatch(/ERROR|SPLIT/);
    }
  });
});
