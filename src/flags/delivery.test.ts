import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryStorage } from '../adapters/memory.js';
import type { FlagEvent, StorageAdapter } from '../adapters/types.js';
import { EliteError } from '../internal/errors.js';
import { createFlags } from './create-flags.js';
import type { FlagDefinition } from './types.js';

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

/**
 * A store that refuses, as PostgreSQL does, any batch holding a poisoned event (here: an event
 * named "poison", standing for content that passed the SDK but not the database), and that can
 * be made unavailable.
 */
function picky() {
  const inner = createMemoryStorage({ flags: [experiment] });
  const state = { down: false, writes: 0, batches: [] as FlagEvent[][] };
  let listener: ((key: string) => void) | undefined;
  const storage: StorageAdapter = {
    ...inner,
    subscribe: (_environment, l) => {
      listener = l;
      return () => {};
    },
    appendEvents: async (batch) => {
      state.writes++;
      state.batches.push(batch.map((e) => ({ ...e })));
      if (state.down) throw new Error('connection refused');
      if (batch.some((e) => e.eventName === 'poison')) {
        throw new EliteError('INVALID_EVENT', 'elite/adapters: the store refused the batch: invalid content');
      }
      await inner.appendEvents(batch);
    },
  };
  return { storage, inner, state, notify: (key: string) => listener?.(key) };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('a batch the store refuses for its content', () => {
  it('isolates the bad event: the 200 events tracked after it are all stored, and close() is fast', async () => {
    const { storage, inner, state } = picky();
    const onError = vi.fn();
    const client = createFlags({ storage, maxBatch: 64, logger: quiet, onError });
    client.track('poison', 'u0');
    for (let i = 0; i < 200; i++) client.track('purchase', `u${i}`);
    const started = performance.now();
    expect(await client.flush()).toEqual({ ok: true, pending: 0 });
    await client.close();
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(inner.events.filter((e) => e.eventName === 'purchase')).toHaveLength(200);
    expect(client.stats()).toMatchObject({ eventsStored: 200, eventsRejected: 1, eventsDropped: 0, eventsPending: 0 });
    // Bisection: a handful of writes, not one per event or an endless retry.
    expect(state.writes).toBeLessThan(20);
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ code: 'INVALID_EVENT' }));
  });

  it('delivers the good events between several bad ones', async () => {
    const { storage, inner } = picky();
    const client = createFlags({ storage, maxBatch: 500, logger: quiet });
    for (let i = 0; i < 1000; i++) client.track(i % 97 === 0 ? 'poison' : 'purchase', `u${i}`);
    expect(await client.flush()).toEqual({ ok: true, pending: 0 });
    const bad = Math.ceil(1000 / 97);
    expect(inner.events).toHaveLength(1000 - bad);
    expect(client.stats()).toMatchObject({ eventsRejected: bad, eventsStored: 1000 - bad });
    await client.close();
  });
});

describe('idempotency keys', () => {
  it('gives each event a UUID once, and sends the same ids on every retry', async () => {
    const { storage, inner, state } = picky();
    const client = createFlags({ storage, logger: quiet });
    state.down = true;
    client.track('purchase', 'u1');
    client.track('purchase', 'u2');
    expect(await client.flush()).toMatchObject({ ok: false });
    expect(await client.flush()).toMatchObject({ ok: false });
    state.down = false;
    expect(await client.flush()).toMatchObject({ ok: true });
    const ids = state.batches.map((batch) => batch.map((e) => e.id));
    expect(ids).toHaveLength(3);
    expect(ids[0]).toEqual(ids[1]);
    expect(ids[0]).toEqual(ids[2]);
    expect(new Set(ids[0]).size).toBe(2);
    for (const id of ids[0] ?? []) expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(inner.events.map((e) => e.id)).toEqual(ids[0]);
    await client.close();
  });
});

describe('retries after an outage', () => {
  it('caps the backoff: events flow within seconds of the store coming back, none dropped', async () => {
    vi.useFakeTimers();
    const { storage, inner, state } = picky();
    const client = createFlags({ storage, maxBuffer: 10_000, logger: quiet });
    state.down = true;
    // Ten minutes of outage at 10 events a second.
    for (let s = 0; s < 600; s++) {
      for (let i = 0; i < 10; i++) client.track('purchase', `u${s}-${i}`);
      await vi.advanceTimersByTimeAsync(1_000);
    }
    // The store comes back just after a failed retry: the worst moment for a backoff.
    const writes = state.writes;
    while (state.writes === writes) await vi.advanceTimersByTimeAsync(50);
    state.down = false;
    await vi.advanceTimersByTimeAsync(5_100);
    expect(inner.events).toHaveLength(6_000);
    expect(client.stats().eventsDropped).toBe(0);
    await client.close();
  });

  it('retries at once when the change feed reconnects or a flag read succeeds', async () => {
    vi.useFakeTimers();
    const { storage, inner, state, notify } = picky();
    const client = createFlags({ storage, cacheTtlMs: 1, logger: quiet });
    state.down = true;
    client.track('purchase', 'u1');
    for (let i = 0; i < 5; i++) await vi.advanceTimersByTimeAsync(1_000); // several failed retries
    const failures = client.stats().eventWriteErrors;
    expect(failures).toBeGreaterThan(1);
    state.down = false;
    notify('*');
    await vi.advanceTimersByTimeAsync(10);
    expect(inner.events).toHaveLength(1);

    state.down = true;
    client.track('purchase', 'u2');
    for (let i = 0; i < 5; i++) await vi.advanceTimersByTimeAsync(1_000);
    state.down = false;
    await client.evaluate('pricing-test', 'u9'); // a store read that succeeds
    await vi.advanceTimersByTimeAsync(10);
    expect(inner.events).toHaveLength(2);
    await client.close();
  });
});
