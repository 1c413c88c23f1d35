import { fileURLToPath } from 'node:url';
import {
  ErrorCode,
  type EventDetails,
  InMemoryProvider,
  OpenFeature,
  ProviderEvents,
  ProviderStatus,
  StandardResolutionReasons,
} from '@openfeature/server-sdk';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createMemoryStorage } from '../adapters/memory.js';
import { outageStorage } from '../adapters/outage-storage.case.js';
import { createFlags } from './create-flags.js';
import { createOpenFeatureProvider, EliteProvider, type FlagsClientLike, type OpenFeatureProviderOptions } from './openfeature.js';
import type { EvaluationDetails, EvaluationErrorCode, EvaluationReason, FlagDefinition } from './types.js';

const environment = 'production';
const toggle: FlagDefinition = { key: 'new-checkout', environment, enabled: true, version: 7 };
const killed: FlagDefinition = { key: 'kill-switch', environment, enabled: false };
const half: FlagDefinition = { key: 'half', environment, enabled: true, rollout: 50 };
const proOnly: FlagDefinition = {
  key: 'pro-only',
  environment,
  enabled: true,
  rollout: 0,
  rules: [{ condition: { plan: 'pro' }, variant: 'on' }],
};
const pricing: FlagDefinition = {
  key: 'pricing-test',
  environment,
  enabled: true,
  variants: [
    { key: 'control', weight: 50, value: 20 },
    { key: 'treatment', weight: 50, value: 25 },
  ],
};
const theme: FlagDefinition = {
  key: 'theme',
  environment,
  enabled: true,
  variants: [
    { key: 'light', weight: 50 },
    { key: 'dark', weight: 50 },
  ],
};
const layout: FlagDefinition = {
  key: 'layout',
  environment,
  enabled: true,
  variants: [
    { key: 'grid', weight: 100, value: { columns: 3 } },
    { key: 'list', weight: 0, value: ['title', 'price'] },
  ],
  rules: [{ userIds: ['list-user'], variant: 'list' }],
};
const all = [toggle, killed, half, proOnly, pricing, theme, layout];
const quiet = { warn: () => {}, error: () => {} };

let domains = 0;
/** Registers a provider over `client` in a domain of its own and returns the SDK client of that domain. */
async function connect(client: FlagsClientLike, options?: OpenFeatureProviderOptions) {
  const domain = `elite-${++domains}`;
  const provider = createOpenFeatureProvider(client, options);
  await OpenFeature.setProviderAndWait(domain, provider);
  return { provider, domain, of: OpenFeature.getClient(domain) };
}

function clock(start = Date.UTC(2026, 0, 1)) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

const outage = (flags: FlagDefinition[] = all) => outageStorage(flags);

/** A structural client whose every evaluation answers `details`. */
function fake(details: Partial<EvaluationDetails>, extra: Partial<FlagsClientLike> = {}): FlagsClientLike {
  return {
    environment,
    storage: createMemoryStorage(),
    evaluate: async (flagKey) => ({ flagKey, value: null, variant: undefined, reason: 'ERROR', flagVersion: undefined, ...details }),
    refresh: async () => ({ ok: true, flags: 0 }),
    ...extra,
  };
}

afterAll(async () => {
  await OpenFeature.close();
});

describe('createOpenFeatureProvider: resolution through the OpenFeature SDK', () => {
  it('names itself and runs on the server', async () => {
    const client = createFlags({ storage: createMemoryStorage({ flags: all }) });
    const { of, provider } = await connect(client);
    expect(provider).toBeInstanceOf(EliteProvider);
    expect(provider.runsOn).toBe('server');
    expect(of.metadata.providerMetadata.name).toBe('@tiqology/elite');
    expect(of.providerStatus).toBe(ProviderStatus.READY);
    expect((await connect(client, { name: 'flags-eu' })).of.metadata.providerMetadata.name).toBe('flags-eu');
  });

  it("resolves toggles: on is STATIC; a disabled flag answers the caller's default with DISABLED", async () => {
    const { of } = await connect(createFlags({ storage: createMemoryStorage({ flags: all }) }));
    expect(await of.getBooleanDetails('new-checkout', false, { targetingKey: 'u1' })).toEqual({
      flagKey: 'new-checkout',
      value: true,
      variant: 'on',
      reason: StandardResolutionReasons.STATIC,
      flagMetadata: {},
    });
    expect(await of.getBooleanValue('new-checkout', false)).toBe(true); // STATIC needs no targeting key
    for (const fallback of [true, false]) {
      expect(await of.getBooleanDetails('kill-switch', fallback, { targetingKey: 'u1' })).toEqual({
        flagKey: 'kill-switch',
        value: fallback,
        reason: StandardResolutionReasons.DISABLED,
        flagMetadata: {},
      });
    }
  });

  it("returns the definition's metadata as flag metadata, and none when it has none", async () => {
    const metadata = { owner: 'growth', ticket: 42, temporary: true };
    const tagged: FlagDefinition = { ...toggle, key: 'tagged', metadata };
    const client = createFlags({ storage: createMemoryStorage({ flags: [...all, tagged] }) });
    const { of } = await connect(client);
    const details = await of.getBooleanDetails('tagged', false, { targetingKey: 'u1' });
    expect(details.flagMetadata).toEqual(metadata);
    expect(Object.isFrozen(details.flagMetadata)).toBe(true);
    expect((await client.evaluate('tagged', 'u1')).flagMetadata).toEqual(metadata); // the cache's copy was not frozen
    expect(Object.isFrozen((await client.evaluate('tagged', 'u1')).flagMetadata)).toBe(false);
    // Kept with errors and a disabled flag too: metadata describes the flag, not the answer.
    expect((await of.getStringDetails('tagged', 'x', { targetingKey: 'u1' })).flagMetadata).toEqual(metadata);
    expect((await of.getBooleanDetails('new-checkout', false, { targetingKey: 'u1' })).flagMetadata).toEqual({});
  });

  it('resolves splits as the client does: SPLIT inside the rollout, DEFAULT outside', async () => {
    const client = createFlags({ storage: createMemoryStorage({ flags: all }) });
    const { of } = await connect(client);
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const context = { targetingKey: `u${i}` };
      const ours = await client.evaluate('half', context);
      const details = await of.getBooleanDetails('half', !ours.value, context);
      expect(details).toMatchObject({ value: ours.value, variant: ours.variant, reason: ours.reason });
      seen.add(`${details.reason}:${details.variant}`);
      const price = await of.getNumberDetails('pricing-test', 0, context);
      expect(price).toMatchObject({ value: (await client.evaluate('pricing-test', context)).value, reason: 'SPLIT' });
      expect(price.value).toBe(price.variant === 'control' ? 20 : 25);
    }
    expect([...seen].sort()).toEqual(['DEFAULT:off', 'SPLIT:on']);
  });

  it('resolves targeting rules with the context attributes (TARGETING_MATCH)', async () => {
    const { of } = await connect(createFlags({ storage: createMemoryStorage({ flags: all }) }));
    expect(await of.getBooleanDetails('pro-only', false, { targetingKey: 'u1', plan: 'pro' })).toMatchObject({
      value: true,
      variant: 'on',
      reason: StandardResolutionReasons.TARGETING_MATCH,
    });
    expect(await of.getBooleanDetails('pro-only', true, { targetingKey: 'u1', plan: 'free' })).toMatchObject({
      value: false,
      variant: 'off',
      reason: StandardResolutionReasons.DEFAULT,
    });
  });

  it('serves a variant key as a string and a JSON payload (object or array) as an object', async () => {
    const { of } = await connect(createFlags({ storage: createMemoryStorage({ flags: all }) }));
    const themed = await of.getStringDetails('theme', 'light', { targetingKey: 'u1' });
    expect(['light', 'dark']).toContain(themed.value);
    expect(themed).toMatchObject({ variant: themed.value, reason: 'SPLIT' });
    expect(await of.getObjectDetails('layout', {}, { targetingKey: 'u1' })).toMatchObject({
      value: { columns: 3 },
      variant: 'grid',
      reason: 'STATIC',
    });
    expect(await of.getObjectDetails('layout', {}, { targetingKey: 'list-user' })).toMatchObject({
      value: ['title', 'price'],
      variant: 'list',
      reason: 'TARGETING_MATCH',
    });
  });

  it('counts no exposure for a user it answers with the default because of the type, and one when it serves the value', async () => {
    const storage = createMemoryStorage({ flags: all });
    const client = createFlags({ storage });
    const { of } = await connect(client);
    const context = { targetingKey: 'mismatched-user' };
    expect(await of.getStringDetails('pricing-test', 'fallback', context)).toMatchObject({
      value: 'fallback',
      errorCode: ErrorCode.TYPE_MISMATCH,
    });
    expect(await of.getBooleanDetails('pricing-test', false, context)).toMatchObject({ value: false, errorCode: ErrorCode.TYPE_MISMATCH });
    await client.flush();
    expect(storage.events.filter((e) => e.type === 'exposure')).toEqual([]);
    expect((await of.getNumberDetails('pricing-test', 0, context)).reason).toBe('SPLIT');
    await client.flush();
    expect(storage.events.filter((e) => e.type === 'exposure').map((e) => e.userId)).toEqual(['mismatched-user']);
    await client.close();
  });

  it('answers the default with TYPE_MISMATCH when the served value has another type', async () => {
    const { of } = await connect(createFlags({ storage: createMemoryStorage({ flags: all }) }));
    const context = { targetingKey: 'u1' };
    const mismatch = { reason: 'ERROR', errorCode: ErrorCode.TYPE_MISMATCH, errorMessage: expect.stringContaining('caller asked for') };
    expect(await of.getStringDetails('new-checkout', 'fallback', context)).toMatchObject({ value: 'fallback', ...mismatch });
    expect(await of.getNumberDetails('theme', 1, context)).toMatchObject({ value: 1, ...mismatch });
    expect(await of.getBooleanDetails('pricing-test', false, context)).toMatchObject({ value: false, ...mismatch });
    expect(await of.getObjectDetails('pricing-test', { a: 1 }, context)).toMatchObject({ value: { a: 1 }, ...mismatch });
    // null is a JSON value but not a structure: the caller's default applies.
    const { of: serving } = await connect(fake({ value: null, variant: 'none', reason: 'TARGETING_MATCH' }));
    expect(await serving.getObjectDetails('f', { a: 1 }, context)).toMatchObject({ value: { a: 1 }, ...mismatch });
    const details = await of.getStringDetails('new-checkout', 'fallback', context);
    expect(details.variant).toBeUndefined();
    expect(details.flagMetadata).toEqual({});
  });

  it('maps FLAG_NOT_FOUND and TARGETING_KEY_MISSING, answering the default value', async () => {
    const { of } = await connect(createFlags({ storage: createMemoryStorage({ flags: all }) }));
    expect(await of.getBooleanDetails('no-such-flag', true, { targetingKey: 'u1' })).toEqual({
      flagKey: 'no-such-flag',
      value: true,
      reason: 'ERROR',
      errorCode: ErrorCode.FLAG_NOT_FOUND,
      errorMessage: 'flag "no-such-flag" does not exist in environment "production"',
      flagMetadata: {},
    });
    expect(await of.getNumberDetails('pricing-test', 3, { plan: 'pro' })).toMatchObject({
      value: 3,
      reason: 'ERROR',
      errorCode: ErrorCode.TARGETING_KEY_MISSING,
      errorMessage: expect.stringContaining('targetingKey'),
      flagMetadata: {},
    });
  });

  it('serves the last known definition as STALE while the store is down', async () => {
    const c = clock();
    const { storage, state } = outage();
    const client = createFlags({ storage, now: c.now, logger: quiet });
    const { of } = await connect(client);
    const context = { targetingKey: 'u1' };
    const fresh = await of.getNumberDetails('pricing-test', 0, context);
    expect(fresh.reason).toBe('SPLIT');
    state.down = true;
    c.advance(60_001);
    expect(await of.getNumberDetails('pricing-test', 0, context)).toEqual({ ...fresh, reason: StandardResolutionReasons.STALE });
    expect(await of.getBooleanDetails('never-loaded', false, context)).toMatchObject({ value: false, errorCode: ErrorCode.GENERAL });
  });

  it('maps every reason and error code of ours to the same OpenFeature value', async () => {
    const reasons = ['TARGETING_MATCH', 'SPLIT', 'DEFAULT', 'STATIC', 'STALE'] satisfies EvaluationReason[];
    for (const reason of reasons) {
      expect(StandardResolutionReasons[reason]).toBe(reason);
      const { of } = await connect(fake({ value: 'x', variant: 'x', reason }));
      expect(await of.getStringDetails('f', 'default', {})).toMatchObject({ value: 'x', variant: 'x', reason });
    }
    // DISABLED: the caller's default, no variant.
    expect(StandardResolutionReasons.DISABLED).toBe('DISABLED');
    const { of: disabled } = await connect(fake({ value: 'x', variant: 'x', reason: 'DISABLED' }));
    expect(await disabled.getStringDetails('f', 'default', {})).toEqual({
      flagKey: 'f',
      value: 'default',
      reason: 'DISABLED',
      flagMetadata: {},
    });
    const codes = [
      'FLAG_NOT_FOUND',
      'PARSE_ERROR',
      'TYPE_MISMATCH',
      'TARGETING_KEY_MISSING',
      'PROVIDER_NOT_READY',
      'GENERAL',
    ] satisfies EvaluationErrorCode[];
    for (const errorCode of codes) {
      expect(ErrorCode[errorCode]).toBe(errorCode);
      const { of } = await connect(fake({ value: 'x', variant: 'x', reason: 'ERROR', errorCode, errorMessage: 'why' }));
      expect(await of.getStringDetails('f', 'default', {})).toEqual({
        flagKey: 'f',
        value: 'default',
        reason: 'ERROR',
        errorCode,
        errorMessage: 'why',
        flagMetadata: {},
      });
    }
  });

  it('never throws: an evaluation that rejects answers the default with GENERAL', async () => {
    const client = fake({}, { evaluate: () => Promise.reject(new Error('boom')) });
    const provider = createOpenFeatureProvider(client);
    await expect(provider.resolveBooleanEvaluation('f', true, {})).resolves.toEqual({
      value: true,
      reason: 'ERROR',
      errorCode: ErrorCode.GENERAL,
      errorMessage: 'boom',
    });
    const { of } = await connect(fake({ reason: 'ERROR' }));
    expect(await of.getBooleanDetails('f', true)).toMatchObject({ value: true, errorCode: ErrorCode.GENERAL });
  });
});

describe('createOpenFeatureProvider: lifecycle', () => {
  it('initialize refreshes the client; a failed refresh still starts with the bootstrap snapshot', async () => {
    const { storage, state } = outage();
    state.down = true;
    const onError = vi.fn();
    let now = Date.UTC(2026, 0, 1);
    const client = createFlags({ storage, bootstrap: [toggle], onError, logger: quiet, now: () => now });
    const { of } = await connect(client);
    expect(of.providerStatus).toBe(ProviderStatus.READY);
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ code: 'STORAGE_ERROR' }));
    expect(await of.getBooleanDetails('new-checkout', false, { targetingKey: 'u1' })).toMatchObject({ value: true, reason: 'STATIC' });
    expect(await of.getBooleanDetails('half', true, { targetingKey: 'u1' })).toMatchObject({ value: true, errorCode: 'GENERAL' });
    state.down = false;
    // A failed read is remembered for up to 5 s before the store is asked again.
    expect(await of.getBooleanDetails('half', true, { targetingKey: 'u1' })).toMatchObject({ errorCode: 'GENERAL' });
    now += 5_001;
    expect((await of.getBooleanDetails('half', true, { targetingKey: 'u1' })).reason).toMatch(/SPLIT|DEFAULT/);
  });

  it('with failOnRefreshError, a failed refresh makes the provider ERROR; evaluations still answer', async () => {
    const { storage, state } = outage();
    state.down = true;
    const client = createFlags({ storage, bootstrap: [toggle], logger: quiet });
    const domain = 'elite-strict';
    const of = OpenFeature.getClient(domain);
    const errored = vi.fn();
    of.addHandler(ProviderEvents.Error, errored);
    const provider = createOpenFeatureProvider(client, { failOnRefreshError: true });
    await expect(OpenFeature.setProviderAndWait(domain, provider)).rejects.toMatchObject({ code: 'STORAGE_ERROR' });
    expect(of.providerStatus).toBe(ProviderStatus.ERROR);
    await vi.waitFor(() => expect(errored).toHaveBeenCalledWith(expect.objectContaining({ message: expect.stringContaining('refused') })));
    expect(await of.getBooleanDetails('new-checkout', false, { targetingKey: 'u1' })).toMatchObject({ value: true, reason: 'STATIC' });
  });

  it('a successful refresh loads every flag, so the first evaluations need no store read', async () => {
    const storage = createMemoryStorage({ flags: all });
    const getFlag = vi.spyOn(storage, 'getFlag');
    const client = createFlags({ storage });
    const { of } = await connect(client);
    await of.getBooleanValue('new-checkout', false, { targetingKey: 'u1' });
    await of.getNumberValue('pricing-test', 0, { targetingKey: 'u1' });
    expect(getFlag).not.toHaveBeenCalled();
  });

  it('emits PROVIDER_CONFIGURATION_CHANGED when the store pushes a change, until closed', async () => {
    const storage = createMemoryStorage({ flags: all });
    const client = createFlags({ storage });
    const { of, domain, provider } = await connect(client);
    const user = { targetingKey: 'u1' };
    expect(await of.getBooleanValue('new-checkout', false, user)).toBe(true);

    const apiHandler = vi.fn();
    OpenFeature.addHandler(ProviderEvents.ConfigurationChanged, apiHandler);
    // The handler re-reads the flag: the client has dropped the old definition by then.
    const seen: [EventDetails | undefined, string | undefined][] = [];
    of.addHandler(ProviderEvents.ConfigurationChanged, async (details) => {
      seen.push([details, (await of.getBooleanDetails('new-checkout', true, user)).reason]);
    });
    await storage.writeFlag({ ...toggle, enabled: false });
    await vi.waitFor(() => expect(seen).toHaveLength(1));
    expect(seen[0]?.[0]).toMatchObject({ flagsChanged: ['new-checkout'], domain, providerName: '@tiqology/elite' });
    expect(seen[0]?.[1]).toBe('DISABLED');
    expect(apiHandler).toHaveBeenCalledWith(expect.objectContaining({ flagsChanged: ['new-checkout'], domain }));
    expect(await of.getBooleanDetails('new-checkout', true, user)).toMatchObject({ reason: 'DISABLED' });
    expect(await client.evaluate('new-checkout', user)).toMatchObject({ reason: 'DISABLED', flagVersion: 8 });

    // Replacing the provider closes it: no more events, and the client stays open.
    await OpenFeature.setProviderAndWait(domain, new InMemoryProvider());
    apiHandler.mockClear();
    await storage.writeFlag({ ...toggle, enabled: true });
    expect(apiHandler).not.toHaveBeenCalled();
    expect(await client.refresh()).toMatchObject({ ok: true });

    // Set again, it initializes again and listens again (once).
    const again = vi.fn();
    await OpenFeature.setProviderAndWait(`${domain}-again`, provider);
    OpenFeature.getClient(`${domain}-again`).addHandler(ProviderEvents.ConfigurationChanged, again);
    await storage.writeFlag({ ...toggle, enabled: false });
    await vi.waitFor(() => expect(again).toHaveBeenCalledTimes(1));
    OpenFeature.removeHandler(ProviderEvents.ConfigurationChanged, apiHandler);
  });

  it('initialize twice listens once; onClose stops listening and leaves the client open', async () => {
    const storage = createMemoryStorage({ flags: all });
    const client = createFlags({ storage });
    const provider = createOpenFeatureProvider(client);
    const changed = vi.fn();
    provider.events.addHandler(ProviderEvents.ConfigurationChanged, changed);
    await provider.initialize();
    await provider.initialize();
    await storage.writeFlag(killed);
    expect(changed).toHaveBeenCalledTimes(1);
    await provider.onClose();
    await storage.writeFlag(killed);
    expect(changed).toHaveBeenCalledTimes(1);
    expect(await client.evaluate('kill-switch', 'u1')).toMatchObject({ reason: 'DISABLED', flagVersion: 3 });
  });

  it('its emitter keeps running handlers when one throws or rejects, and logs them', async () => {
    const { events } = createOpenFeatureProvider(fake({}));
    const error = vi.fn();
    events.setLogger({ error, warn: () => {}, info: () => {}, debug: () => {} });
    const ok = vi.fn();
    const type = ProviderEvents.ConfigurationChanged;
    events.addHandler(type, () => {
      throw new Error('sync');
    });
    events.addHandler(type, () => Promise.reject(new Error('async')));
    events.addHandler(type, ok);
    events.emit(type, { flagsChanged: ['f'] });
    expect(ok).toHaveBeenCalledWith({ flagsChanged: ['f'] });
    await vi.waitFor(() => expect(error).toHaveBeenCalledTimes(2));
    expect(events.getHandlers(type)).toHaveLength(3);
    events.removeHandler(type, ok);
    events.emit(type);
    expect(ok).toHaveBeenCalledTimes(1);
    events.removeAllHandlers();
    expect(events.getHandlers(type)).toEqual([]);
  });
});

describe('createOpenFeatureProvider: track', () => {
  it('passes the event to client.track: value as value, other details as JSON properties', async () => {
    const track = vi.fn();
    const { of } = await connect(fake({}, { track }));
    of.track(
      'purchase',
      { targetingKey: 'u1', plan: 'pro' },
      { value: 42.5, currency: 'EUR', at: new Date(Date.UTC(2026, 0, 2)), items: [{ sku: 'a', qty: 2 }] },
    );
    expect(track).toHaveBeenCalledWith(
      'purchase',
      { targetingKey: 'u1', plan: 'pro' },
      { value: 42.5, properties: { currency: 'EUR', at: '2026-01-02T00:00:00.000Z', items: [{ sku: 'a', qty: 2 }] } },
    );
    of.track('signup', { targetingKey: 'u2' });
    expect(track).toHaveBeenLastCalledWith('signup', { targetingKey: 'u2' }, {});
  });

  it('records a conversion through a real client', async () => {
    const storage = createMemoryStorage({ flags: all });
    const client = createFlags({ storage });
    const { of } = await connect(client);
    of.track('purchase', { targetingKey: 'u1', plan: 'pro' }, { value: 42, currency: 'EUR' });
    expect(await client.flush()).toMatchObject({ ok: true });
    expect(storage.events).toContainEqual(
      expect.objectContaining({ type: 'conversion', eventName: 'purchase', userId: 'u1', value: 42, properties: { currency: 'EUR' } }),
    );
    await client.close();
  });

  it('does nothing for a client without track, and never throws', async () => {
    const plain = createOpenFeatureProvider(fake({}));
    expect(() => plain.track('purchase', { targetingKey: 'u1' }, { value: 1 })).not.toThrow();
    const broken = createOpenFeatureProvider(
      fake(
        {},
        {
          track: () => {
            throw new Error('queue full');
          },
        },
      ),
    );
    expect(() => broken.track('purchase', { targetingKey: 'u1' }, { value: 1 })).not.toThrow();
    const { of } = await connect(fake({}));
    expect(() => of.track('purchase', { targetingKey: 'u1' })).not.toThrow();
  });
});

describe('createOpenFeatureProvider: packaging', () => {
  it('loads without the SDK: no runtime import of @openfeature/*', async () => {
    const { build } = await import('esbuild');
    const result = await build({
      entryPoints: [fileURLToPath(new URL('./openfeature.ts', import.meta.url))],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'neutral',
      external: ['@openfeature/*'],
      logLevel: 'silent',
    });
    expect(result.outputFiles[0]?.text).not.toMatch(/["']@openfeature\//);
  });
});
