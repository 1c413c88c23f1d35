/** Regression tests: a store that hangs, throws synchronously, is down, or changes mid-read. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryStorage } from '../adapters/memory.js';
import type { StorageAdapter } from '../adapters/types.js';
import { createFlags } from './create-flags.js';
import { compileFlag, evaluateFlag } from './evaluate.js';
import { flags } from './singleton.js';
import type { FlagDefinition, StoredFlag } from './types.js';

const experiment: FlagDefinition = {
  key: 'pricing-test',
  environment: 'production',
  enabled: true,
  variants: [
    { key: 'control', weight: 50 },
    { key: 'variant-a', weight: 50 },
  ],
};
const quiet = { warn: () => {}, error: () => {} };

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
});

describe('store failures', () => {
  it('a read that hangs once does not break the flag: after timeoutMs and the retry delay it reads again; close() resolves', async () => {
    vi.useFakeTimers();
    let t = Date.UTC(2026, 0, 1);
    const inner = createMemoryStorage({ flags: [experiment] });
    let calls = 0;
    const storage: StorageAdapter = {
      ...inner,
      subscribe: undefined,
      getFlag: (key, env) => (++calls === 1 ? new Promise<StoredFlag | undefined>(() => {}) : inner.getFlag(key, env)),
    };
    const client = createFlags({ storage, timeoutMs: 50, now: () => t, logger: quiet });
    const first = client.evaluate('pricing-test', 'u1');
    await vi.advanceTimersByTimeAsync(50);
    expect(await first).toMatchObject({ reason: 'ERROR', errorCode: 'GENERAL' });
    t += 5_001;
    expect((await client.evaluate('pricing-test', 'u1')).reason).toBe('SPLIT');
    expect(calls).toBe(2);
    await client.close();
  });

  it('a store that throws synchronously cannot make a sync evaluation throw', async () => {
    const inner = createMemoryStorage({ flags: [experiment] });
    const storage: StorageAdapter = {
      ...inner,
      getFlag: () => {
        throw new Error('client not connected');
      },
    };
    const client = createFlags({ storage, logger: quiet });
    expect(client.getVariantSync('pricing-test', 'u1', 'control')).toBe('control');
    expect(client.isEnabledSync('pricing-test', 'u1')).toBe(false);
    expect(await client.getVariant('pricing-test', 'u1', 'control')).toBe('control');
  });

  it('does not read a store that is down on every call: once per key per retry delay', async () => {
    let t = Date.UTC(2026, 0, 1);
    const inner = createMemoryStorage({ flags: [experiment] });
    let down = false;
    let calls = 0;
    const onError = vi.fn();
    const storage: StorageAdapter = {
      ...inner,
      subscribe: undefined,
      getFlag: async (key, env) => {
        calls++;
        if (down) throw new Error('store down');
        return inner.getFlag(key, env);
      },
    };
    const client = createFlags({ storage, now: () => t, onError, logger: quiet });
    await client.refresh();
    down = true;
    t += 60_001;
    for (let i = 0; i < 1000; i++) {
      expect((await client.evaluate('pricing-test', `u${i}`)).reason).toBe('STALE');
      client.getVariantSync('pricing-test', `u${i}`);
    }
    expect(calls).toBe(1);
    expect(onError).toHaveBeenCalledTimes(1);
    t += 5_001;
    await client.evaluate('pricing-test', 'u1');
    expect(calls).toBe(2);
  });

  it('a pushed change wins over a read that was already under way', async () => {
    const inner = createMemoryStorage({ flags: [experiment] });
    let release: (() => void) | undefined;
    const storage: StorageAdapter = {
      ...inner,
      getFlag: async (key, env) => {
        const snapshot = await inner.getFlag(key, env);
        if (release === undefined) await new Promise<void>((r) => (release = r));
        return snapshot;
      },
    };
    const client = createFlags({ storage, logger: quiet });
    const slow = client.isEnabled('pricing-test', 'u1'); // reads version 1, then waits
    await vi.waitFor(() => expect(release).toBeDefined());
    await inner.writeFlag({ ...experiment, enabled: false }); // push: version 2
    release?.();
    await slow;
    await vi.waitFor(async () => expect((await client.evaluate('pricing-test', 'u1')).flagVersion).toBe(2));
    expect(client.evaluateSync('pricing-test', 'u1').reason).toBe('DISABLED');
  });

  it('keeps the event backoff while the store fails, however many events arrive', async () => {
    vi.useFakeTimers();
    const inner = createMemoryStorage();
    let writes = 0;
    const storage: StorageAdapter = {
      ...inner,
      appendEvents: async () => {
        writes++;
        throw new Error('store down');
      },
    };
    const client = createFlags({ storage, maxBatch: 10, logger: quiet });
    client.track('a', 'u0');
    await client.flush(); // first failure
    for (let i = 0; i < 200; i++) client.track('a', `u${i}`);
    await vi.advanceTimersByTimeAsync(0);
    expect(writes).toBeLessThanOrEqual(2);
  });

  it('the memory store keeps at most maxEvents, discarding the oldest and counting them', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const storage = createMemoryStorage({ maxEvents: 100 });
    const event = (i: number) => ({
      type: 'conversion' as const,
      environment: 'production',
      userId: `u${i}`,
      occurredAt: new Date(i).toISOString(),
    });
    await storage.appendEvents(Array.from({ length: 150 }, (_, i) => event(i)));
    await storage.appendEvents([event(150)]);
    expect(storage.events).toHaveLength(100);
    expect(storage.events[0]?.userId).toBe('u51');
    expect(storage.droppedEvents).toBe(51);
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
  });
});

describe('evaluation edge cases', () => {
  it('a full-rollout rule with one possible variant needs no user id', () => {
    const flag = compileFlag({
      key: 'eu-banner',
      environment: 'production',
      enabled: true,
      rollout: 0,
      rules: [{ condition: { country: 'DE' } }],
    });
    expect(evaluateFlag(flag, { country: 'DE' })).toEqual({ value: true, variant: 'on', reason: 'TARGETING_MATCH' });
    expect(evaluateFlag(flag, { country: 'FR' })).toEqual({ value: false, variant: 'off', reason: 'DEFAULT' });
  });

  it('a toggle that defaults to on is enabled for users outside the rollout too', async () => {
    const storage = createMemoryStorage({
      flags: [{ key: 't', environment: 'production', enabled: true, rollout: 0, defaultVariant: 'on' }],
    });
    const client = createFlags({ storage });
    expect(await client.isEnabled('t', 'u1')).toBe(await client.getValue('t', 'u1', false));
    expect(await client.isEnabled('t', 'u1')).toBe(true);
  });

  it('an invalid environment variable does not break evaluation (the default with PROVIDER_FATAL, not the defaults)', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    vi.stubEnv('ELITE_FLAGS_CACHE_TTL_MS', '60s');
    const holder = (globalThis as Record<symbol, { client?: unknown }>)[Symbol.for('@tiqology/elite/flags')] as { client?: unknown };
    const saved = holder.client;
    holder.client = undefined;
    try {
      expect(await flags.getVariant('missing', 'u1', 'control')).toBe('control');
      expect(flags.evaluateSync('missing', 'u1')).toMatchObject({ reason: 'ERROR', errorCode: 'PROVIDER_FATAL' });
      expect(error).toHaveBeenCalledWith(expect.stringContaining('ELITE_FLAGS_CACHE_TTL_MS'));
    } finally {
      holder.client = saved;
      error.mockRestore();
    }
  });
});
