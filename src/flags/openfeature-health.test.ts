import { OpenFeature, ProviderEvents, ProviderStatus } from '@openfeature/server-sdk';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createMemoryStorage } from '../adapters/memory.js';
import { outageStorage } from '../adapters/outage-storage.case.js';
import type { StorageAdapter } from '../adapters/types.js';
import { createFlags } from './create-flags.js';
import { createOpenFeatureProvider } from './openfeature.js';
import type { FlagDefinition } from './types.js';

const environment = 'production';
const toggle: FlagDefinition = { key: 'new-checkout', environment, enabled: true };
const quiet = { warn: () => {}, error: () => {} };
const user = { targetingKey: 'u1' };

const outage = (down = false) => outageStorage([toggle], down);

let domains = 0;
/** A provider over a client on `storage` (TTL on a fake clock) in a domain of its own, and every event it emitted. */
async function connect(storage: StorageAdapter, probeIntervalMs = 20) {
  let t = Date.UTC(2026, 0, 1);
  const client = createFlags({ storage, now: () => t, logger: quiet });
  const provider = createOpenFeatureProvider(client, { probeIntervalMs });
  const events: string[] = [];
  for (const type of [ProviderEvents.Ready, ProviderEvents.Stale, ProviderEvents.Error]) {
    provider.events.addHandler(type, () => events.push(type));
  }
  const domain = `health-${++domains}`;
  await OpenFeature.setProviderAndWait(domain, provider);
  return { of: OpenFeature.getClient(domain), provider, client, events, expire: () => (t += 60_001) };
}

afterAll(async () => {
  await OpenFeature.close();
});

describe('EliteProvider: store health as provider events', () => {
  it('goes STALE when the store goes down and READY when it is back, and the SDK status follows', async () => {
    const { storage, state } = outage();
    const { of, events, expire } = await connect(storage);
    expect(of.providerStatus).toBe(ProviderStatus.READY);
    state.down = true;
    expire();
    expect(await of.getBooleanDetails('new-checkout', false, user)).toMatchObject({ value: true, reason: 'STALE' });
    await vi.waitFor(() => expect(of.providerStatus).toBe(ProviderStatus.STALE));
    expect(events).toEqual([ProviderEvents.Stale]);
    // More stale answers while down: no more events.
    await of.getBooleanDetails('new-checkout', false, user);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(events).toEqual([ProviderEvents.Stale]);
    state.down = false;
    await vi.waitFor(() => expect(of.providerStatus).toBe(ProviderStatus.READY));
    expect(events).toEqual([ProviderEvents.Stale, ProviderEvents.Ready]);
    expect((await of.getBooleanDetails('new-checkout', false, user)).reason).toBe('STATIC');
  });

  it('goes ERROR when a flag cannot be read at all, and READY when the store is back', async () => {
    const { storage, state } = outage();
    const { of, events } = await connect(storage);
    state.down = true;
    expect(await of.getBooleanDetails('never-loaded', false, user)).toMatchObject({ value: false, errorCode: 'GENERAL' });
    await vi.waitFor(() => expect(of.providerStatus).toBe(ProviderStatus.ERROR));
    state.down = false;
    await vi.waitFor(() => expect(of.providerStatus).toBe(ProviderStatus.READY));
    expect(events).toEqual([ProviderEvents.Error, ProviderEvents.Ready]);
  });

  it('confirms with the store before reporting: an answer that hints at an outage while it is up emits nothing', async () => {
    const { storage } = outage();
    const { of, events } = await connect(storage);
    // FLAG_NOT_FOUND is the store answering: no check at all.
    await of.getBooleanDetails('no-such-flag', false, user);
    // A closed-over fake answer: the provider checks (one refresh), the store answers, nothing is emitted.
    const provider = createOpenFeatureProvider(
      {
        environment,
        storage,
        evaluate: async (flagKey) => ({
          flagKey,
          value: null,
          variant: undefined,
          reason: 'ERROR',
          errorCode: 'GENERAL',
          flagVersion: undefined,
        }),
        refresh: async () => ({ ok: true, flags: 1 }),
      },
      { probeIntervalMs: 20 },
    );
    const seen: string[] = [];
    provider.events.addHandler(ProviderEvents.Error, () => seen.push('error'));
    await provider.resolveBooleanEvaluation('f', false, user);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(seen).toEqual([]);
    expect(events).toEqual([]);
    expect(of.providerStatus).toBe(ProviderStatus.READY);
  });

  it('checks the store at most once per interval while it looks healthy', async () => {
    const { storage, state } = outage();
    const refresh = vi.fn(async () => ({ ok: true as const, flags: 1 }));
    const provider = createOpenFeatureProvider(
      {
        environment,
        storage,
        evaluate: async (flagKey) => ({ flagKey, value: true, variant: 'on', reason: 'STALE', flagVersion: 1 }),
        refresh,
      },
      { probeIntervalMs: 10_000 },
    );
    for (let i = 0; i < 50; i++) await provider.resolveBooleanEvaluation('f', false, user);
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(state.reads).toBe(0);
  });

  it('a failed first refresh: ready (answers still come), then ERROR, then READY once the store answers', async () => {
    const { storage, state } = outage(true);
    const { of, events } = await connect(storage);
    await vi.waitFor(() => expect(of.providerStatus).toBe(ProviderStatus.ERROR));
    expect(await of.getBooleanDetails('new-checkout', false, user)).toMatchObject({ value: false, reason: 'ERROR' });
    state.down = false;
    await vi.waitFor(() => expect(of.providerStatus).toBe(ProviderStatus.READY));
    expect(await of.getBooleanValue('new-checkout', false, user)).toBe(true);
    expect(events).toEqual([ProviderEvents.Error, ProviderEvents.Ready]);
  });

  it('stops probing when closed', async () => {
    const { storage, state } = outage(true);
    const { provider } = await connect(storage);
    await vi.waitFor(() => expect(state.reads).toBeGreaterThan(2));
    await provider.onClose();
    const reads = state.reads;
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(state.reads).toBe(reads);
  });

  it('refuses a probe interval that is not a positive number of milliseconds', () => {
    const client = createFlags({ storage: createMemoryStorage() });
    for (const probeIntervalMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, '5' as unknown as number]) {
      expect(() => createOpenFeatureProvider(client, { probeIntervalMs })).toThrow(
        expect.objectContaining({ code: 'INVALID_OPTIONS', message: expect.stringContaining('probeIntervalMs') }),
      );
    }
  });
});
