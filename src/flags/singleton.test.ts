import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryStorage } from '../adapters/memory.js';
import { EliteError } from '../internal/errors.js';
import { optionsFromEnv } from './client/index.js';
import { createFlags } from './create-flags.js';
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

/** The thrown value of `fn`, or a failure when it does not throw. */
function thrown(fn: () => unknown): EliteError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(EliteError);
    return error as EliteError;
  }
  throw new Error('expected a throw');
}

describe('invalid ELITE_FLAGS_* variables', () => {
  it('optionsFromEnv() throws INVALID_OPTIONS naming the bad variable, its value and what a valid one looks like', () => {
    vi.stubEnv('ELITE_FLAGS_ENVIRONMENT', 'staging');
    vi.stubEnv('ELITE_FLAGS_TIMEOUT_MS', '1s');
    const error = thrown(() => createFlags(optionsFromEnv()));
    expect(error).toMatchObject({ name: 'EliteError', code: 'INVALID_OPTIONS', field: 'ELITE_FLAGS_TIMEOUT_MS' });
    expect(error.message).toBe('elite/flags: ELITE_FLAGS_TIMEOUT_MS="1s": timeoutMs must be a whole number > 0, got NaN');
    vi.stubEnv('ELITE_FLAGS_ENVIRONMENT', 'Staging Env');
    const environment = thrown(() => optionsFromEnv());
    expect(environment.field).toBe('ELITE_FLAGS_ENVIRONMENT');
    expect(environment.message).toMatch(
      /^elite\/flags: ELITE_FLAGS_ENVIRONMENT="Staging Env": environment must match .*, e\.g\. "production"/,
    );
    vi.stubEnv('ELITE_FLAGS_ENVIRONMENT', 'staging');
    vi.stubEnv('ELITE_FLAGS_TIMEOUT_MS', '250');
    for (const value of ['60s', '1.5', '-5', '0', 'Infinity', '1e400']) {
      vi.stubEnv('ELITE_FLAGS_CACHE_TTL_MS', value);
      expect(() => optionsFromEnv()).toThrow(`elite/flags: ELITE_FLAGS_CACHE_TTL_MS="${value}": cacheTtlMs must be a whole number > 0`);
    }
    vi.stubEnv('ELITE_FLAGS_CACHE_TTL_MS', '5000');
    expect(optionsFromEnv()).toEqual({ environment: 'staging', cacheTtlMs: 5000, timeoutMs: 250 });
  });

  it('flags.configure(optionsFromEnv()) throws and keeps the client it had', async () => {
    flags.configure({ environment: 'staging' });
    const before = flags.stats();
    vi.stubEnv('ELITE_FLAGS_TIMEOUT_MS', '1s');
    expect(() => flags.configure(optionsFromEnv())).toThrow(/ELITE_FLAGS_TIMEOUT_MS/);
    expect(flags.environment).toBe('staging');
    expect(flags.stats()).toEqual(before);
    await flags.close();
  });

  it('the ready-made client serves no flags: the caller default, PROVIDER_FATAL, one error, no exposure; setup calls throw', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const holder = (globalThis as Record<symbol, { client?: unknown }>)[Symbol.for('@tiqology/elite/flags')] as { client?: unknown };
    const saved = holder.client;
    holder.client = undefined;
    vi.stubEnv('ELITE_FLAGS_ENVIRONMENT', 'staging');
    vi.stubEnv('ELITE_FLAGS_TIMEOUT_MS', '1s');
    try {
      // Never a flag of another environment: the caller's default, every time.
      expect(await flags.getValue('pricing-test', 'u1', 'fallback')).toBe('fallback');
      expect(await flags.getVariant('pricing-test', 'u1', 'control')).toBe('control');
      expect(await flags.isEnabled('pricing-test', 'u1')).toBe(false);
      expect(flags.getValueSync('pricing-test', 'u1', 7)).toBe(7);
      expect(flags.getVariantSync('pricing-test', 'u1')).toBeUndefined();
      expect(flags.isEnabledSync('pricing-test', 'u1')).toBe(false);
      const details = await flags.evaluate('pricing-test', { targetingKey: 'u1' });
      expect(details).toMatchObject({ value: null, variant: undefined, reason: 'ERROR', errorCode: 'PROVIDER_FATAL' });
      expect(details.errorMessage).toBe('elite/flags: ELITE_FLAGS_TIMEOUT_MS="1s": timeoutMs must be a whole number > 0, got NaN');
      expect(flags.evaluateSync('pricing-test', 'u1')).toMatchObject({ reason: 'ERROR', errorCode: 'PROVIDER_FATAL' });
      expect(await flags.expose('pricing-test', 'u1')).toBeUndefined();
      expect(log).toHaveBeenCalledTimes(1);
      expect(log.mock.calls[0]?.[0]).toBe(
        'elite/flags: ELITE_FLAGS_TIMEOUT_MS="1s": timeoutMs must be a whole number > 0, got NaN; flags answer defaults (PROVIDER_FATAL)',
      );
      expect(flags.stats()).toMatchObject({ errors: 8, exposures: 0, eventsAccepted: 0, cacheMisses: 0 });
      expect(thrown(() => flags.track('purchase', 'u1'))).toMatchObject({ code: 'INVALID_OPTIONS', field: 'ELITE_FLAGS_TIMEOUT_MS' });
      await expect(flags.results('pricing-test')).rejects.toMatchObject({ code: 'INVALID_OPTIONS', field: 'ELITE_FLAGS_TIMEOUT_MS' });
      const refreshed = await flags.refresh();
      expect(refreshed.ok).toBe(false);
      expect(refreshed.ok === false && refreshed.error.message).toContain('ELITE_FLAGS_TIMEOUT_MS');
      // configure() is the way out.
      flags.configure({ environment: 'staging', bootstrap: [{ key: 'dark-mode', environment: 'staging', enabled: true }] });
      expect(await flags.isEnabled('dark-mode', 'u1')).toBe(true);
      expect(log).toHaveBeenCalledTimes(1);
      await flags.close();
    } finally {
      holder.client = saved;
      log.mockRestore();
    }
  });
});
