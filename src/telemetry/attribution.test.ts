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

  it('with a context manager registered, the scope is a value of the OpenTelemetry context: no storage of its own, held across awaits', async () => {
    delete holder[KEY];
    vi.resetModules();
    const { context, propagation, trace } = await import('@opentelemetry/api');
    const { NodeTracerProvider } = await import('@opentelemetry/sdk-trace-node');
    // As an app's tracer provider does: registers the AsyncLocalStorage context manager.
    new NodeTracerProvider().register();
    try {
      const { currentAttribution, withAttribution } = await import('./attribution.js');
      const [seen, inContext] = await withAttribution({ userId: 'u' }, async () => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        return withAttribution({ feature: 'f' }, async () => {
          await Promise.resolve();
          return [currentAttribution(), context.active().getValue(KEY)];
        });
      });
      expect(seen).toEqual({ userId: 'u', sessionId: undefined, feature: 'f', flags: undefined });
      expect(inContext).toBe(seen);
      expect(holder[KEY]).toBeUndefined();
      expect(currentAttribution()).toBeUndefined();
    } finally {
      context.disable();
      trace.disable();
      propagation.disable();
    }
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
