import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryStorage } from '../../adapters/memory.js';
import type { StorageAdapter } from '../../adapters/types.js';
import { resetCoarseNow } from '../../internal/clock.js';
import { createFlags } from '../create-flags.js';
import type { FlagDefinition, StoredFlag } from '../types.js';

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

function clock(start = Date.UTC(2026, 0, 1)) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

/** A store that can be switched to failing or hanging, around a memory store. */
function flaky(flags: FlagDefinition[] = [experiment, rollout]) {
  const inner = createMemoryStorage({ flags });
  const state = { mode: 'ok' as 'ok' | 'fail' | 'hang', reads: 0 };
  const gate = async <T>(fn: () => Promise<T>): Promise<T> => {
    state.reads++;
    if (state.mode === 'fail') throw new Error('connection refused');
    if (state.mode === 'hang') return new Promise<T>(() => {});
    return fn();
  };
  const storage: StorageAdapter = {
    ...inner,
    metadata: { name: 'flaky' },
    // No push: these tests watch the TTL and the fallbacks.
    subscribe: undefined,
    getFlag: (key, env) => gate(() => inner.getFlag(key, env)),
    listFlags: (env) => gate(() => inner.listFlags(env)),
  };
  return { storage, inner, state };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('createFlags: cache', () => {
  it('serves a changed flag after the TTL, not before', async () => {
    const c = clock();
    const { storage } = flaky([experiment]);
    const client = createFlags({ storage, now: c.now, cacheTtlMs: 60_000 });
    expect(await client.getVariant('pricing-test', 'u1')).toBeDefined();
    await storage.writeFlag({ ...experiment, enabled: false, defaultVariant: 'variant-b' });
    c.advance(59_999);
    expect((await client.evaluate('pricing-test', 'u1')).reason).toBe('SPLIT');
    c.advance(2);
    expect(await client.evaluate('pricing-test', 'u1')).toMatchObject({ reason: 'DISABLED', variant: 'variant-b', flagVersion: 2 });
    expect(client.stats()).toMatchObject({ cacheHits: 1, cacheMisses: 2 });
  });

  it('uses the system clock by default (read at most once per ms)', async () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 0, 1) });
    resetCoarseNow(); // a reading cached before the fake clock
    const { storage, inner } = flaky([experiment]);
    const client = createFlags({ storage, cacheTtlMs: 1000 });
    expect((await client.evaluate('pricing-test', 'u1')).reason).toBe('SPLIT');
    await inner.writeFlag({ ...experiment, enabled: false });
    await vi.advanceTimersByTimeAsync(999);
    expect((await client.evaluate('pricing-test', 'u1')).reason).toBe('SPLIT');
    await vi.advanceTimersByTimeAsync(2);
    expect((await client.evaluate('pricing-test', 'u1')).reason).toBe('DISABLED');
  });

  it('serves the last known good flag as STALE while the store is down, then recovers', async () => {
    const c = clock();
    const { storage, state } = flaky();
    const onError = vi.fn();
    const client = createFlags({ storage, now: c.now, onError, logger: { warn: () => {}, error: () => {} } });
    const first = await client.evaluate('pricing-test', 'u1');
    state.mode = 'fail';
    for (let minute = 1; minute <= 30; minute++) {
      c.advance(60_001);
      expect(await client.evaluate('pricing-test', 'u1')).toEqual({ ...first, reason: 'STALE' });
      expect(client.evaluateSync('pricing-test', 'u1').reason).toBe('STALE');
    }
    expect(onError).toHaveBeenCalled();
    expect(onError.mock.calls[0]?.[0]).toMatchObject({ code: 'STORAGE_ERROR', name: 'EliteError' });
    expect(client.stats().staleServes).toBeGreaterThanOrEqual(30);
    expect(client.stats().storageErrors).toBeGreaterThanOrEqual(30);
    // A flag never loaded has nothing to fall back to.
    expect(await client.evaluate('new-checkout', 'u1')).toMatchObject({ reason: 'ERROR', errorCode: 'GENERAL' });
    state.mode = 'ok';
    c.advance(60_001);
    expect(await client.evaluate('pricing-test', 'u1')).toEqual(first);
  });

  it('never hangs: after timeoutMs it answers STALE from the cache, or the default with ERROR', async () => {
    vi.useFakeTimers();
    const c = clock();
    const { storage, state } = flaky();
    const client = createFlags({ storage, now: c.now, timeoutMs: 250, logger: { warn: () => {}, error: () => {} } });
    await client.refresh();
    state.mode = 'hang';
    c.advance(120_000);
    const stale = client.evaluate('pricing-test', 'u1');
    await vi.advanceTimersByTimeAsync(250);
    expect((await stale).reason).toBe('STALE');
    const missing = client.evaluate('other', 'u1');
    await vi.advanceTimersByTimeAsync(250);
    expect(await missing).toMatchObject({ reason: 'ERROR', errorCode: 'GENERAL', errorMessage: expect.stringContaining('250 ms') });
  });

  it('reads the store once for concurrent misses', async () => {
    const { storage, state } = flaky();
    const client = createFlags({ storage });
    await Promise.all(Array.from({ length: 50 }, (_, i) => client.getVariant('pricing-test', `u${i}`)));
    expect(state.reads).toBe(1);
  });

  it('caches a missing flag too, so misses do not hammer the store', async () => {
    const { storage, state } = flaky();
    const client = createFlags({ storage });
    for (let i = 0; i < 10; i++) await client.getVariant('missing', 'u');
    expect(state.reads).toBe(1);
  });

  it('reports PARSE_ERROR for an invalid stored definition, and keeps serving a good one as STALE', async () => {
    const c = clock();
    const { storage, inner } = flaky();
    const client = createFlags({ storage, now: c.now, logger: { warn: () => {}, error: () => {} } });
    const good = await client.evaluate('pricing-test', 'u1');
    const broken = { ...(await inner.getFlag('pricing-test', 'production')), variants: [{ key: 'x', weight: 5 }] } as StoredFlag;
    storage.getFlag = async () => broken;
    c.advance(60_001);
    expect(await client.evaluate('pricing-test', 'u1')).toEqual({ ...good, reason: 'STALE' });
    expect(await client.evaluate('another', 'u1')).toMatchObject({ reason: 'ERROR', errorCode: 'PARSE_ERROR' });
  });

  it('evicts least recently used flags past cacheMax', async () => {
    const flags = Array.from({ length: 5 }, (_, i): FlagDefinition => ({ key: `f${i}`, environment: 'production', enabled: true }));
    const client = createFlags({ storage: createMemoryStorage({ flags }), cacheMax: 3 });
    for (const f of flags) await client.isEnabled(f.key, 'u');
    expect(client.stats().cacheSize).toBe(3);
  });

  it('starts synchronously from a bootstrap snapshot (SSR) and round-trips snapshot()', async () => {
    const server = createFlags({ storage: createMemoryStorage({ flags: [experiment, rollout] }) });
    await server.refresh();
    const snapshot = JSON.parse(JSON.stringify(server.snapshot()));
    expect(snapshot.flags).toHaveLength(2);
    const browser = createFlags({ bootstrap: snapshot });
    expect(browser.getVariantSync('pricing-test', 'u7')).toBe(server.getVariantSync('pricing-test', 'u7'));
    expect(browser.evaluateSync('pricing-test', 'u7').reason).toBe('SPLIT');
    const fromArray = createFlags({ bootstrap: [rollout] });
    expect(fromArray.evaluateSync('new-checkout', 'u7').reason).not.toBe('ERROR');
  });

  describe('bootstrap as the fallback for keys the store has never had', () => {
    const TTL = 60_000;

    it('keeps a bootstrap-only flag past the TTL over the default empty store (sync, async, refresh)', async () => {
      const c = clock();
      const client = createFlags({ bootstrap: [experiment], now: c.now });
      const before = client.evaluateSync('pricing-test', 'u1');
      expect(before.reason).toBe('SPLIT');
      c.advance(TTL + 1);
      // Expired: the sync twin answers from the entry and starts a reload, which finds nothing;
      // the async call below waits for that same reload.
      expect(client.evaluateSync('pricing-test', 'u1')).toEqual(before);
      expect(await client.evaluate('pricing-test', 'u1')).toEqual(before);
      c.advance(TTL + 1);
      expect(await client.evaluate('pricing-test', 'u1')).toEqual(before);
      expect(client.evaluateSync('pricing-test', 'u1')).toEqual(before);
      expect(await client.refresh()).toEqual({ ok: true, flags: 0 });
      expect(client.evaluateSync('pricing-test', 'u1')).toEqual(before);
      expect(client.snapshot().flags.map((f) => f.key)).toEqual(['pricing-test']);
      // Keys in neither place are still missing.
      expect(await client.evaluate('nope', 'u1')).toMatchObject({ errorCode: 'FLAG_NOT_FOUND' });
    });

    it('the store wins once it has the flag, and a later deletion is not undone by the bootstrap', async () => {
      const c = clock();
      const { storage, inner } = flaky([]);
      const client = createFlags({ storage, bootstrap: [experiment], now: c.now, cacheTtlMs: TTL });
      expect(client.evaluateSync('pricing-test', 'u1').flagVersion).toBeUndefined();
      await inner.writeFlag({ ...experiment, enabled: false, defaultVariant: 'variant-b' });
      c.advance(TTL + 1);
      expect(await client.evaluate('pricing-test', 'u1')).toMatchObject({ reason: 'DISABLED', variant: 'variant-b', flagVersion: 1 });
      await inner.deleteFlag('pricing-test', 'production');
      c.advance(TTL + 1);
      expect(await client.evaluate('pricing-test', 'u1')).toMatchObject({ reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' });
    });

    it('refresh() that lists the flag makes the store authoritative for it', async () => {
      const c = clock();
      const { storage, inner } = flaky([{ ...experiment, enabled: false }]);
      const client = createFlags({ storage, bootstrap: [experiment, rollout], now: c.now });
      expect(await client.refresh()).toEqual({ ok: true, flags: 1 });
      expect(client.evaluateSync('pricing-test', 'u1').reason).toBe('DISABLED');
      // new-checkout was not listed: the store never had it, the bootstrap stays.
      expect(client.evaluateSync('new-checkout', 'u1').reason).not.toBe('ERROR');
      await inner.deleteFlag('pricing-test', 'production');
      await client.refresh();
      expect(client.evaluateSync('pricing-test', 'u1')).toMatchObject({ errorCode: 'FLAG_NOT_FOUND' });
      c.advance(TTL + 1);
      expect(await client.evaluate('pricing-test', 'u1')).toMatchObject({ errorCode: 'FLAG_NOT_FOUND' });
      expect((await client.evaluate('new-checkout', 'u1')).reason).not.toBe('ERROR');
    });

    it('a pushed change of the key hands it to the store (deleted stays deleted)', async () => {
      const storage = createMemoryStorage();
      const client = createFlags({ storage, bootstrap: [experiment] });
      await storage.writeFlag({ ...experiment, enabled: false });
      await storage.deleteFlag('pricing-test', 'production');
      await vi.waitFor(async () =>
        expect(await client.evaluate('pricing-test', 'u1')).toMatchObject({ reason: 'ERROR', errorCode: 'FLAG_NOT_FOUND' }),
      );
      await client.close();
    });

    it('serves a bootstrap flag evicted from a small cache again from the fallback', async () => {
      const flags = Array.from({ length: 5 }, (_, i): FlagDefinition => ({ key: `f${i}`, environment: 'production', enabled: true }));
      const client = createFlags({ bootstrap: flags, cacheMax: 2 });
      for (const f of flags) expect(await client.isEnabled(f.key, 'u'), f.key).toBe(true);
    });

    it('a failing store still answers STALE from the bootstrap definition', async () => {
      const c = clock();
      const { storage, state } = flaky([]);
      const client = createFlags({ storage, bootstrap: [experiment], now: c.now, logger: { warn: () => {}, error: () => {} } });
      state.mode = 'fail';
      c.advance(TTL + 1);
      expect(await client.evaluate('pricing-test', 'u1')).toMatchObject({ reason: 'STALE' });
    });
  });

  it('refresh() loads every flag, forgets deleted ones, and reports failure without rejecting', async () => {
    const { storage, inner, state } = flaky();
    const errors: Error[] = [];
    const client = createFlags({ storage, onError: (e) => errors.push(e), logger: { warn: () => {}, error: () => {} } });
    expect(await client.refresh()).toEqual({ ok: true, flags: 2 });
    expect(client.evaluateSync('new-checkout', 'u').reason).not.toBe('ERROR');
    await inner.deleteFlag('new-checkout', 'production');
    await client.refresh();
    expect(client.evaluateSync('new-checkout', 'u')).toMatchObject({ errorCode: 'FLAG_NOT_FOUND' });
    state.mode = 'fail';
    const failed = await client.refresh();
    expect(failed.ok).toBe(false);
    expect(errors.at(-1)).toMatchObject({ code: 'STORAGE_ERROR' });
    expect(client.evaluateSync('pricing-test', 'u').reason).toBe('SPLIT');
  });

  it('refresh() skips one invalid definition and keeps the others', async () => {
    const inner = createMemoryStorage({ flags: [experiment] });
    const storage: StorageAdapter = {
      ...inner,
      listFlags: async (env) => [...(await inner.listFlags(env)), { key: 'BAD', environment: 'production', enabled: true } as StoredFlag],
    };
    const onError = vi.fn();
    const client = createFlags({ storage, onError, logger: { warn: () => {}, error: () => {} } });
    expect(await client.refresh()).toEqual({ ok: true, flags: 2 });
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ code: 'INVALID_FLAG' }));
    expect(client.evaluateSync('pricing-test', 'u').reason).toBe('SPLIT');
  });

  it('picks up a pushed change at once when the store can subscribe', async () => {
    const storage = createMemoryStorage({ flags: [experiment] });
    const client = createFlags({ storage });
    await client.refresh();
    await storage.writeFlag({ ...experiment, enabled: false });
    await vi.waitFor(() => expect(client.evaluateSync('pricing-test', 'u').reason).toBe('DISABLED'));
    await client.close();
    await storage.writeFlag({ ...experiment, enabled: true });
    await new Promise((r) => setTimeout(r, 0));
    expect(client.evaluateSync('pricing-test', 'u').reason).toBe('DISABLED');
  });

  it('after close() answers from the cache only', async () => {
    const { storage, state } = flaky();
    const client = createFlags({ storage });
    await client.refresh();
    await client.close();
    await client.close();
    const reads = state.reads;
    expect((await client.evaluate('pricing-test', 'u')).reason).toBe('SPLIT');
    expect(await client.evaluate('missing', 'u')).toMatchObject({ errorCode: 'GENERAL', errorMessage: expect.stringMatching(/closed/) });
    expect(await client.refresh()).toMatchObject({ ok: false, error: { code: 'CLOSED' } });
    expect(state.reads).toBe(reads);
  });

  it('a broken logger or onError cannot break evaluation', async () => {
    const { storage, state } = flaky();
    state.mode = 'fail';
    const client = createFlags({
      storage,
      logger: {
        warn: () => {
          throw new Error('logger down');
        },
        error: () => {
          throw new Error('logger down');
        },
      },
      onError: () => {
        throw new Error('handler bug');
      },
    });
    expect(await client.evaluate('pricing-test', 'u')).toMatchObject({ reason: 'ERROR' });
    expect(client.evaluateSync('pricing-test', 'u')).toMatchObject({ reason: 'ERROR' });
    await client.refresh();
  });
});

describe('validation of what the client reads', () => {
  const quiet = { warn: () => {}, error: () => {} };

  it('a bad bootstrap definition throws INVALID_FLAG from createFlags at once, naming the field', () => {
    const bad = {
      ...experiment,
      variants: [
        { key: 'control', weight: 50 },
        { key: 'variant-a', weight: 120 },
      ],
    };
    expect(() => createFlags({ bootstrap: [bad] })).toThrow(
      expect.objectContaining({
        name: 'EliteError',
        code: 'INVALID_FLAG',
        field: 'variants[1].weight',
        message: 'elite/flags: flag "pricing-test": variants[1].weight must be 0–100 with at most two decimals, got 120',
      }),
    );
  });

  it('what only the detailed validator refuses in a bootstrap definition is reported through onError, and the flag still serves', async () => {
    const onError = vi.fn();
    const typo = { ...experiment, rollot: 50 } as FlagDefinition;
    const client = createFlags({ bootstrap: [typo], onError, logger: quiet });
    expect(client.evaluateSync('pricing-test', 'u').reason).toBe('SPLIT');
    await vi.waitFor(() =>
      expect(onError).toHaveBeenCalledWith(
        expect.objectContaining({ code: 'INVALID_FLAG', field: 'rollot', message: expect.stringMatching(/not a known field/) }),
      ),
    );
    const clean = vi.fn();
    createFlags({ bootstrap: [experiment], onError: clean, logger: quiet });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(clean).not.toHaveBeenCalled();
  });

  it('a definition from the store goes through the detailed validator: an unknown condition operator is PARSE_ERROR', async () => {
    const inner = createMemoryStorage({ flags: [experiment] });
    const broken = { ...experiment, version: 1, rules: [{ condition: { country: { $within: ['FR'] } }, variant: 'control' }] };
    const storage: StorageAdapter = { ...inner, subscribe: undefined, getFlag: async () => broken as StoredFlag };
    const onError = vi.fn();
    const client = createFlags({ storage, onError, logger: quiet });
    expect(await client.evaluate('pricing-test', 'u')).toMatchObject({ reason: 'ERROR', errorCode: 'PARSE_ERROR' });
    expect(onError).toHaveBeenCalledWith(
      expect.objectContaining({ code: 'INVALID_FLAG', message: expect.stringContaining('unknown operator $within') }),
    );
    // The compact check alone would have let it through (a condition need only be an object there).
    expect(() => createFlags({ bootstrap: [broken], logger: quiet })).not.toThrow();
  });
});
