import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryStorage } from '../adapters/memory.js';
import { optionsFromEnv } from './client/index.js';
import { flags } from './singleton.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('the ready-made flags client', () => {
  it('works out of the box on the embedded store, in production', async () => {
    expect(flags.environment).toBe('production');
    expect(flags.storage.metadata.name).toBe('memory');
    await flags.storage.writeFlag({ key: 'dark-mode', environment: 'production', enabled: true });
    expect(await flags.isEnabled('dark-mode', 'u1')).toBe(true);
  });

  it('is configured with flags.configure and keeps one client per process (Symbol.for)', async () => {
    const storage = createMemoryStorage({
      flags: [
        {
          key: 'pricing-test',
          environment: 'staging',
          enabled: true,
          variants: [
            { key: 'control', weight: 34 },
            { key: 'variant-a', weight: 33 },
            { key: 'variant-b', weight: 33 },
          ],
        },
      ],
    });
    flags.configure({ storage, environment: 'staging' });
    expect(flags.environment).toBe('staging');
    const variant = await flags.getVariant('pricing-test', 'user-42');
    expect(['control', 'variant-a', 'variant-b']).toContain(variant);
    expect(await flags.evaluate('pricing-test', 'user-42')).toMatchObject({ variant, reason: 'SPLIT' });
    expect(await flags.getValue('pricing-test', 'user-42', 'x')).toBe(variant);
    expect(await flags.isEnabled('pricing-test', 'user-42')).toBe(true);
    expect(await flags.refresh()).toEqual({ ok: true, flags: 1 });
    expect(flags.getVariantSync('pricing-test', 'user-42')).toBe(variant);
    expect(flags.isEnabledSync('pricing-test', 'user-42')).toBe(true);
    expect(flags.getValueSync('pricing-test', 'user-42', 'x')).toBe(variant);
    expect(flags.evaluateSync('pricing-test', 'user-42').variant).toBe(variant);
    expect(flags.snapshot().flags).toHaveLength(1);
    expect(flags.stats().cacheSize).toBe(1);
    const holder = (globalThis as Record<symbol, { client?: unknown }>)[Symbol.for('@tiqology/elite/flags')];
    expect(holder?.client).toBeDefined();
    expect(() => flags.configure({ cacheTtlMs: -5 })).toThrow(/cacheTtlMs/);
    await flags.close();
  });

  it('reads its options from the environment', () => {
    vi.stubEnv('ELITE_FLAGS_ENVIRONMENT', 'staging');
    vi.stubEnv('ELITE_FLAGS_CACHE_TTL_MS', '5000');
    vi.stubEnv('ELITE_FLAGS_TIMEOUT_MS', '200');
    expect(optionsFromEnv()).toEqual({ environment: 'staging', cacheTtlMs: 5000, timeoutMs: 200 });
    vi.stubEnv('ELITE_FLAGS_ENVIRONMENT', '');
    expect(optionsFromEnv().environment).toBeUndefined();
  });
});
