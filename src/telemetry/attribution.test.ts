import { afterEach, describe, expect, it, vi } from 'vitest';

const KEY = Symbol.for('@tiqology/elite/telemetry/attribution');
const holder = globalThis as unknown as Record<symbol, unknown>;
const process_ = process as unknown as { getBuiltinModule?: unknown };

describe('the attribution scope', () => {
  const saved = { storage: holder[KEY], getBuiltinModule: process_.getBuiltinModule };
  afterEach(() => {
    holder[KEY] = saved.storage;
    process_.getBuiltinModule = saved.getBuiltinModule;
    vi.resetModules();
  });

  it('without AsyncLocalStorage (a browser), holds for the synchronous part of fn and is restored after it, even on a throw', async () => {
    delete holder[KEY];
    process_.getBuiltinModule = undefined;
    vi.resetModules();
    const { currentAttribution, withAttribution } = await import('./attribution.js');
    const seen = withAttribution({ userId: 'u' }, () => {
      const inner = withAttribution({ feature: 'f' }, () => currentAttribution());
      return [inner, currentAttribution()];
    });
    expect(seen).toEqual([{ userId: 'u', sessionId: undefined, feature: 'f', flags: undefined }, { userId: 'u' }]);
    expect(() =>
      withAttribution({ userId: 'x' }, () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(currentAttribution()).toBeUndefined();
  });

  it('one scope per process: another copy of the module sees a scope opened by this one', async () => {
    const first = await import('./attribution.js');
    vi.resetModules();
    const second = await import('./attribution.js');
    expect(second).not.toBe(first);
    await first.withAttribution({ userId: 'shared' }, async () => {
      await Promise.resolve();
      expect(second.currentAttribution()).toEqual({ userId: 'shared' });
    });
  });
});
