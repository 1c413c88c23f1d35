import { afterEach, describe, expect, it } from 'vitest';
import { createFlags } from './create-flags.js';
import type { FlagDefinition } from './types.js';
import { createFlagsSdkAdapter, getProviderData } from './vercel.js';

const pricing: FlagDefinition = {
  key: 'pricing-test',
  environment: 'production',
  enabled: true,
  description: 'Price points',
  variants: [
    { key: 'control', weight: 50, value: { priceUsd: 20 } },
    { key: 'variant-a', weight: 50, value: { priceUsd: 25 } },
  ],
};
const toggle: FlagDefinition = { key: 'dark-mode', environment: 'production', enabled: true };
const flags = createFlags({ bootstrap: [pricing, toggle] });
afterEach(async () => {
  await flags.flush();
});

describe('createFlagsSdkAdapter', () => {
  it('decides as the client evaluates, for the entities identify returned', async () => {
    const elite = createFlagsSdkAdapter(flags, { origin: 'https://admin.example/flags' });
    for (const user of ['user-1', 'user-2', { targetingKey: 'user-3', country: 'DE' }]) {
      expect(await elite.variant().decide({ key: 'pricing-test', entities: user, defaultValue: 'control' })).toBe(
        flags.getVariantSync('pricing-test', user),
      );
      expect(
        await elite.value<{ priceUsd: number }>().decide({ key: 'pricing-test', entities: user, defaultValue: { priceUsd: 0 } }),
      ).toEqual(flags.getValueSync('pricing-test', user, { priceUsd: 0 }));
    }
    expect(await elite.enabled().decide({ key: 'dark-mode', entities: 'user-1' })).toBe(true);
    expect(await elite.value().decide({ key: 'dark-mode' })).toBe(true);
    expect(elite.variant().origin).toBe('https://admin.example/flags');
  });

  it('answers the default, never throws, for a missing flag or a value of another type', async () => {
    const elite = createFlagsSdkAdapter(flags);
    expect(await elite.variant().decide({ key: 'missing-flag', entities: 'u', defaultValue: 'fallback' })).toBe('fallback');
    expect(await elite.value<string>().decide({ key: 'pricing-test', entities: 'u', defaultValue: 'text' })).toBe('text');
    expect(await elite.enabled().decide({ key: 'missing-flag', entities: 'u' })).toBe(false);
    expect(elite.enabled().origin).toBeUndefined();
  });

  it('takes the default a variant falls back to only when it is a string (the SDK types it unknown)', async () => {
    const elite = createFlagsSdkAdapter(flags);
    expect(await elite.variant().decide({ key: 'missing-flag', entities: 'u', defaultValue: 42 })).toBeUndefined();
    expect(await elite.variant().decide({ key: 'pricing-test', entities: 'u', defaultValue: 42 })).toBe(
      flags.getVariantSync('pricing-test', 'u'),
    );
  });
});

describe('getProviderData', () => {
  it('lists every flag with its variants as override options, and no rules or weights', () => {
    const data = getProviderData(flags, { origin: 'https://admin.example/flags' });
    expect(data).toEqual({
      definitions: {
        'pricing-test': {
          description: 'Price points',
          origin: 'https://admin.example/flags',
          options: [
            { value: { priceUsd: 20 }, label: 'control' },
            { value: { priceUsd: 25 }, label: 'variant-a' },
          ],
        },
        'dark-mode': {
          origin: 'https://admin.example/flags',
          options: [
            { value: true, label: 'on' },
            { value: false, label: 'off' },
          ],
        },
      },
      hints: [],
    });
  });

  it('offers the variant keys for flags declared with .variant(): an override is then what the flag returns', () => {
    const data = getProviderData(flags, { serves: 'variant' });
    expect(data.definitions['pricing-test']?.options).toEqual([
      { value: 'control', label: 'control' },
      { value: 'variant-a', label: 'variant-a' },
    ]);
    // A flag without variants is on or off either way.
    expect(data.definitions['dark-mode']?.options).toEqual([
      { value: true, label: 'on' },
      { value: false, label: 'off' },
    ]);
  });
});
