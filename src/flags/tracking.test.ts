import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryStorage } from '../adapters/memory.js';
import type { StorageAdapter } from '../adapters/types.js';
import { EliteError } from '../internal/errors.js';
import { createFlags } from './create-flags.js';
import type { FlagDefinition } from './types.js';

const experiment: FlagDefinition = {
  key: 'pricing-test',
  environment: 'production',
  enabled: true,
  variants: [
    { key: 'control', weight: 34 },
    { key: 'variant-a', weight: 33 },
    { key: 'variant-b', weight: 33 },
  ],
  segments: { staff: { staff: true } },
  rules: [{ segment: 'staff', variant: 'variant-b' }],
};
const toggle: FlagDefinition = { key: 'dark-mode', environment: 'production', enabled: true, rollout: 50 };
const quiet = { warn: () => {}, error: () => {} };

/** A store whose event writes can be made to fail. */
function failing(flags: FlagDefinition[] = [experiment, toggle]) {
  const inner = createMemoryStorage({ flags });
  const state = { fail: false, writes: 0 };
  const storage: StorageAdapter = {
    ...inner,
    subscribe: undefined,
    appendEvents: async (batch) => {
      state.writes++;
      if (state.fail) throw new Error('store down');
      await inner.appendEvents(batch);
    },
  };
  return { storage, inner, state };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('exposure tracking', () => {
  it("records no exposure for a user served the caller's default because the value has another type", async () => {
    const priced: FlagDefinition = {
      key: 'pricing-test',
      environment: 'production',
      enabled: true,
      variants: [
        { key: 'control', weight: 50, value: 20 },
        { key: 'variant-a', weight: 50, value: 25 },
      ],
    };
    const storage = createMemoryStorage({ flags: [priced] });
    const client = createFlags({ storage, logger: quiet });
    await client.refresh();
    expect(await client.getValue('pricing-test', 'u1', 'fallback')).toBe('fallback');
    expect(client.getValueSync('pricing-test', 'u2', false)).toBe(false);
    // evaluate() answers as usual; with the type the caller can use, it counts only a usable value.
    const details = await client.evaluate('pricing-test', 'u3', { valueType: 'string' });
    expect(typeof details.value).toBe('number');
    expect(details.reason).toBe('SPLIT');
    await client.flush();
    expect(storage.events.filter((e) => e.type === 'exposure')).toEqual([]);
    expect(typeof (await client.getValue('pricing-test', 'u4', 0))).toBe('number');
    expect((await client.evaluate('pricing-test', 'u5', { valueType: 'number' })).reason).toBe('SPLIT');
    await client.evaluate('pricing-test', 'u6');
    await client.flush();
    expect(storage.events.filter((e) => e.type === 'exposure').map((e) => e.userId)).toEqual(['u4', 'u5', 'u6']);
    await client.close();
  });

  it('records one exposure per (user, flag, variant), from every evaluation method', async () => {
    const storage = createMemoryStorage({ flags: [experiment, toggle] });
    const client = createFlags({ storage, logger: quiet });
    await client.refresh();
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 50; i++) {
        await client.getVariant('pricing-test', `u${i}`);
        client.getVariantSync('pricing-test', `u${i}`);
        await client.isEnabled('pricing-test', `u${i}`);
        await client.evaluate('pricing-test', `u${i}`);
        client.getValueSync('pricing-test', `u${i}`, 'x');
      }
    }
    await client.flush();
    const exposures = storage.events.filter((e) => e.type === 'exposure');
    expect(exposures).toHaveLength(50);
    expect(new Set(exposures.map((e) => e.userId)).size).toBe(50);
    for (const e of exposures) {
      expect(e).toMatchObject({ flagKey: 'pricing-test', environment: 'production' });
      expect(e.variant).toBe(await client.getVariant('pricing-test', e.userId));
    }
    expect(client.stats()).toMatchObject({ exposures: 50, eventsStored: 50, eventsPending: 0 });
  });

  it('records TARGETING_MATCH, never DEFAULT, DISABLED, ERROR, toggles or users without id', async () => {
    const storage = createMemoryStorage({
      flags: [experiment, toggle, { ...experiment, key: 'off', enabled: false }, { ...experiment, key: 'nobody', rollout: 0 }],
    });
    const client = createFlags({ storage, logger: quiet });
    await client.getVariant('pricing-test', { targetingKey: 'boss', staff: true });
    await client.getVariant('pricing-test', { staff: true }); // targeting match without an id
    await client.getVariant('off', 'u1');
    await client.getVariant('nobody', 'u1');
    await client.getVariant('missing', 'u1');
    await client.getVariant('pricing-test', {}); // TARGETING_KEY_MISSING
    await client.isEnabled('dark-mode', 'u1');
    await client.flush();
    expect(storage.events).toEqual([expect.objectContaining({ type: 'exposure', userId: 'boss', variant: 'variant-b' })]);
  });

  it('records a new exposure when the user moves to another variant', async () => {
    const storage = createMemoryStorage({ flags: [experiment] });
    const client = createFlags({ storage, logger: quiet });
    const first = await client.getVariant('pricing-test', { targetingKey: 'u1' });
    const second = await client.getVariant('pricing-test', { targetingKey: 'u1', staff: true });
    await client.flush();
    expect(storage.events.map((e) => e.variant)).toEqual(first === 'variant-b' ? ['variant-b'] : [first, second]);
  });

  it('trackExposures: false records nothing until expose()', async () => {
    const storage = createMemoryStorage({ flags: [experiment, toggle] });
    const client = createFlags({ storage, trackExposures: false, logger: quiet });
    const variant = await client.getVariant('pricing-test', 'u1');
    await client.flush();
    expect(storage.events).toEqual([]);
    expect(await client.expose('pricing-test', 'u1')).toBe(variant);
    expect(await client.expose('pricing-test', 'u1')).toBe(variant);
    expect(await client.expose('dark-mode', 'u1')).toBeUndefined();
    expect(await client.expose('missing', 'u1')).toBeUndefined();
    expect(await client.expose(42 as unknown as string, 'u1')).toBeUndefined();
    await client.flush();
    expect(storage.events).toEqual([expect.objectContaining({ type: 'exposure', userId: 'u1', variant })]);
  });

  it('keeps dedupe memory bounded (dedupeMax): a forgotten triple is recorded again', async () => {
    const storage = createMemoryStorage({ flags: [experiment] });
    const client = createFlags({ storage, dedupeMax: 10, logger: quiet });
    for (let i = 0; i < 20; i++) await client.getVariant('pricing-test', `u${i}`);
    await client.getVariant('pricing-test', 'u0');
    await client.getVariant('pricing-test', 'u19');
    await client.flush();
    expect(storage.events).toHaveLength(21);
  });
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('conversions and the event buffer', () => {
  it('tracks conversions with value and properties', async () => {
    vi.useFakeTimers({ now: Date.UTC(2026, 0, 2) });
    const storage = createMemoryStorage({ flags: [experiment] });
    const client = createFlags({ storage, now: Date.now, logger: quiet });
    client.track('purchase', { targetingKey: 'u1', plan: 'pro' }, { value: 20, properties: { sku: 'pro-monthly' } });
    client.track('signup', 'u2');
    await client.flush();
    expect(storage.events).toEqual([
      {
        type: 'conversion',
        environment: 'production',
        userId: 'u1',
        eventName: 'purchase',
        value: 20,
        properties: { sku: 'pro-monthly' },
        occurredAt: '2026-01-02T00:00:00.000Z',
        id: expect.stringMatching(UUID),
      },
      {
        type: 'conversion',
        environment: 'production',
        userId: 'u2',
        eventName: 'signup',
        occurredAt: '2026-01-02T00:00:00.000Z',
        id: expect.stringMatching(UUID),
      },
    ]);
  });

  it('writes on its own every flushIntervalMs, and at once when a batch is full', async () => {
    vi.useFakeTimers();
    const storage = createMemoryStorage();
    const client = createFlags({ storage, flushIntervalMs: 5000, maxBatch: 3, logger: quiet });
    client.track('a', 'u1');
    await vi.advanceTimersByTimeAsync(4999);
    expect(storage.events).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(storage.events).toHaveLength(1);
    for (let i = 0; i < 3; i++) client.track('b', `u${i}`);
    await vi.advanceTimersByTimeAsync(0);
    expect(storage.events).toHaveLength(4);
  });

  it('stores all of 100k events on close()', async () => {
    const storage = createMemoryStorage();
    const client = createFlags({ storage, maxBuffer: 100_000, logger: quiet });
    for (let i = 0; i < 100_000; i++) client.track('page-view', `u${i % 1000}`, { value: i });
    await client.close();
    expect(storage.events).toHaveLength(100_000);
    expect(storage.events.reduce((sum, e) => sum + (e.value ?? 0), 0)).toBe((99_999 * 100_000) / 2);
    expect(client.stats()).toMatchObject({ eventsAccepted: 100_000, eventsStored: 100_000, eventsDropped: 0, eventsPending: 0 });
  });

  it('loses nothing within the buffer bound while the store fails, then recovers', async () => {
    vi.useFakeTimers();
    const { storage, inner, state } = failing();
    const onError = vi.fn();
    const client = createFlags({ storage, maxBuffer: 5000, maxBatch: 100, flushIntervalMs: 1000, onError, logger: quiet });
    state.fail = true;
    for (let i = 0; i < 3000; i++) client.track('purchase', `u${i}`);
    expect(await client.flush()).toMatchObject({ ok: false, pending: 3000 });
    await vi.advanceTimersByTimeAsync(120_000); // retries with backoff, all failing
    expect(client.stats().eventWriteErrors).toBeGreaterThan(3);
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ code: 'STORAGE_ERROR' }));
    state.fail = false;
    await vi.advanceTimersByTimeAsync(31_000); // the next retry succeeds and drains the queue
    expect((inner as ReturnType<typeof createMemoryStorage>).events).toHaveLength(3000);
    expect(client.stats()).toMatchObject({ eventsStored: 3000, eventsDropped: 0, eventsPending: 0 });
  });

  it('over the bound drops new events and counts exactly what is missing', async () => {
    const { storage, inner, state } = failing();
    const client = createFlags({ storage, maxBuffer: 1000, maxBatch: 100, logger: quiet });
    state.fail = true;
    for (let i = 0; i < 1500; i++) client.track('purchase', `u${i}`);
    state.fail = false;
    const result = await client.flush();
    expect(result).toEqual({ ok: true, pending: 0 });
    const stored = (inner as ReturnType<typeof createMemoryStorage>).events.length;
    expect(stored).toBe(1000);
    expect(client.stats().eventsDropped).toBe(1500 - stored);
  });

  it('never lets a background write failure escape (no unhandled rejection)', async () => {
    vi.useFakeTimers();
    const { storage, state } = failing();
    const client = createFlags({ storage, flushIntervalMs: 10, logger: quiet });
    state.fail = true;
    const unhandled = vi.fn();
    process.on('unhandledRejection', unhandled);
    client.track('a', 'u1');
    await vi.advanceTimersByTimeAsync(1000);
    process.off('unhandledRejection', unhandled);
    expect(unhandled).not.toHaveBeenCalled();
    expect(state.writes).toBeGreaterThan(1);
  });

  it('close() retries a failing store for a while, then drops and counts what is left', async () => {
    vi.useFakeTimers();
    const { storage, state } = failing();
    const warn = vi.fn();
    const client = createFlags({ storage, logger: { warn, error: () => {} } });
    state.fail = true;
    for (let i = 0; i < 10; i++) client.track('purchase', `u${i}`);
    const closing = client.close();
    await vi.advanceTimersByTimeAsync(5_000);
    state.fail = false; // recovers within the close window: nothing is lost
    await vi.advanceTimersByTimeAsync(5_000);
    await closing;
    expect(client.stats()).toMatchObject({ eventsStored: 10, eventsDropped: 0, eventsPending: 0 });

    const down = failing();
    const other = createFlags({ storage: down.storage, logger: { warn, error: () => {} } });
    down.state.fail = true;
    for (let i = 0; i < 7; i++) other.track('purchase', `u${i}`);
    const closingDown = other.close();
    await vi.advanceTimersByTimeAsync(30_000);
    await closingDown;
    expect(other.stats()).toMatchObject({ eventsStored: 0, eventsDropped: 7, eventsPending: 0 });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('7 buffered events were dropped'));
  });

  it('after close() drops and counts new events', async () => {
    const storage = createMemoryStorage();
    const client = createFlags({ storage, logger: quiet });
    await client.close();
    client.track('late', 'u1');
    expect(client.stats().eventsDropped).toBe(1);
    expect(storage.events).toEqual([]);
  });
});

describe('track() input', () => {
  const bad: [string, unknown, unknown, unknown][] = [
    ['eventName', '', 'u1', undefined],
    ['eventName', 'x'.repeat(201), 'u1', undefined],
    ['eventName', 42, 'u1', undefined],
    ['user', 'purchase', {}, undefined],
    ['user', 'purchase', '', undefined],
    ['value', 'purchase', 'u1', { value: Number.NaN }],
    ['value', 'purchase', 'u1', { value: Number.POSITIVE_INFINITY }],
    ['value', 'purchase', 'u1', { value: '3' }],
    ['properties', 'purchase', 'u1', { properties: { when: new Date() } }],
    ['properties', 'purchase', 'u1', { properties: [1] }],
    ['properties', 'purchase', 'u1', { properties: { big: 'x'.repeat(9000) } }],
    ['options', 'purchase', 'u1', 'cheap'],
  ];

  it.each(bad)('strict: rejects bad %s with INVALID_EVENT', (field, name, user, options) => {
    const client = createFlags({ environment: 'development', logger: quiet });
    try {
      client.track(name as string, user as string, options as never);
      expect.unreachable('track() should have thrown');
    } catch (error) {
      expect(error).toBeInstanceOf(EliteError);
      expect(error).toMatchObject({ code: 'INVALID_EVENT', field, name: 'EliteError' });
      expect((error as Error).message).toMatch(/^elite\/flags: track\(\): /);
    }
  });

  it('production (not strict): drops, counts and warns once per kind of problem', async () => {
    const warn = vi.fn();
    const storage = createMemoryStorage();
    const client = createFlags({ storage, environment: 'production', logger: { warn, error: () => {} } });
    for (const [, name, user, options] of bad) client.track(name as string, user as string, options as never);
    client.track('', 'u1');
    client.track('ok', 'u1');
    await client.flush();
    expect(client.stats().eventsDropped).toBe(bad.length + 1);
    expect(storage.events).toHaveLength(1);
    const kinds = new Set(bad.map(([field]) => field));
    expect(warn).toHaveBeenCalledTimes(kinds.size);
  });
});

describe('results()', () => {
  /** A seeded generator (mulberry32), so the simulated experiment is the same on every run. */
  const random = (seed: number) => () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };

  it('reports per-variant exposures, conversions and statistics from tracked events', async () => {
    const storage = createMemoryStorage({ flags: [experiment] });
    const client = createFlags({ storage, logger: quiet });
    const rates: Record<string, number> = { control: 0.05, 'variant-a': 0.08, 'variant-b': 0.05 };
    const rand = random(7);
    const expected: Record<string, { exposures: number; conversions: number }> = {};
    for (let i = 0; i < 6000; i++) {
      const user = `user-${i}`;
      const variant = (await client.getVariant('pricing-test', user)) as string;
      const row = expected[variant] ?? { exposures: 0, conversions: 0 };
      expected[variant] = row;
      row.exposures++;
      if (rand() < (rates[variant] as number)) {
        client.track('purchase', user, { value: 25 });
        client.track('purchase', user, { value: 5 }); // a second purchase: one converting user
        row.conversions++;
      }
    }
    client.track('purchase', 'never-exposed', { value: 99 });
    const results = await client.results('pricing-test', { event: 'purchase' });
    expect(results.control).toBe('control');
    expect(results.variants.map((v) => v.variant)).toEqual(['control', 'variant-a', 'variant-b']);
    for (const row of results.variants) {
      expect(row).toMatchObject(expected[row.variant] as object);
      expect(row.valueSum).toBe(30 * row.conversions);
    }
    expect(results.srm.mismatch).toBe(false);
    const a = results.variants[1];
    expect(a?.uplift).toBeGreaterThan(0);
    expect(a?.pValue).toBeLessThan(0.05);
    expect(results.verdict).toBe('WINNER');
    expect(results.winner).toBe('variant-a');
    expect(results.summary).toMatch(/variant-a/);
    // Other events and windows.
    const none = await client.results('pricing-test', { event: 'signup', since: new Date(0), until: '2100-01-01' });
    expect(none.variants.every((v) => v.conversions === 0)).toBe(true);
    expect(none.verdict).not.toBe('WINNER');
  });

  it('judges a bootstrap-only experiment (the store has events, never the flag) on its bootstrap weights', async () => {
    const client = createFlags({ bootstrap: [experiment], logger: quiet });
    const variants = await Promise.all(['u1', 'u2', 'u3', 'u4'].map((u) => client.getVariant('pricing-test', u)));
    client.track('purchase', 'u1');
    const results = await client.results('pricing-test', { event: 'purchase' });
    expect(results.variants.reduce((sum, v) => sum + v.exposures, 0)).toBe(4);
    expect(results.variants.find((v) => v.variant === variants[0])?.conversions).toBe(1);
    // Once the store has had the flag, its answer alone counts: deleted means not found.
    await client.storage.writeFlag(experiment);
    await client.storage.deleteFlag('pricing-test', 'production');
    await expect(client.results('pricing-test')).rejects.toMatchObject({ code: 'FLAG_NOT_FOUND' });
    await client.close();
  });

  it('rejects with FLAG_NOT_FOUND for toggles and unknown flags, STORAGE_ERROR when the store fails', async () => {
    const { storage } = failing();
    const client = createFlags({ storage, logger: quiet });
    await expect(client.results('dark-mode')).rejects.toMatchObject({ code: 'FLAG_NOT_FOUND' });
    await expect(client.results('missing')).rejects.toMatchObject({ code: 'FLAG_NOT_FOUND' });
    storage.queryResults = async () => {
      throw new Error('db down');
    };
    await expect(client.results('pricing-test')).rejects.toMatchObject({ code: 'STORAGE_ERROR', name: 'EliteError' });
  });
});
