/**
 * Hostile input against every public entry point of the flags module: whatever the caller
 * passes, nothing throws where the API promises not to (only documented `EliteError`s where
 * throwing is the contract), every call returns within a time bound, and nothing ends in an
 * unhandled rejection.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../../src/adapters/memory.js';
import { createFlags, type FlagDefinition, type FlagsClient, isEliteError } from '../../src/flags/index.js';
import { createOpenFeatureProvider } from '../../src/flags/openfeature.js';
import { validateFlag } from '../../src/flags/validate.js';

/**
 * Longest a single call may take, in ms. Typical calls take µs and what the bound is for (a
 * catastrophic regex, a quadratic validation) takes seconds; the margin absorbs a GC pause or a
 * busy 2-core machine without letting those through.
 */
const BOUND_MS = 250;
const RUNS = 150;
const quiet = { warn: () => {}, error: () => {} };

const throwingGetter = () =>
  Object.defineProperty({}, 'targetingKey', {
    enumerable: true,
    get() {
      throw new Error('hostile getter');
    },
  });
const throwingProxy = () =>
  new Proxy(
    {},
    {
      get() {
        throw new Error('hostile proxy');
      },
      ownKeys() {
        throw new Error('hostile proxy');
      },
      getPrototypeOf() {
        throw new Error('hostile proxy');
      },
      has() {
        throw new Error('hostile proxy');
      },
      getOwnPropertyDescriptor() {
        throw new Error('hostile proxy');
      },
    },
  );
const deep = () => {
  let value: Record<string, unknown> = {};
  for (let i = 0; i < 10_000; i++) value = { a: value };
  return value;
};
const cyclic = () => {
  const value: Record<string, unknown> = { a: 1 };
  value.self = value;
  return value;
};

/** A placeholder for a value fast-check cannot handle, turned into the value by {@link make}. */
class Special {
  constructor(readonly kind: keyof typeof SPECIALS) {}
}
const SPECIALS = { throwingGetter, throwingProxy, deep, cyclic };
/** The value to pass: a Special made real, anything else as generated. */
const make = (value: unknown): never => (value instanceof Special ? SPECIALS[value.kind]() : value) as never;
/** The same, one level down (records of hostile fields). */
const makeFields = (value: unknown): never => {
  if (value instanceof Special || typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype) {
    return make(value);
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, make(v)])) as never;
};

/** Anything a caller could pass, and a few things built to hurt. */
const hostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything({ withBigInt: true, withMap: true, withSet: true, withNullPrototype: true, withSparseArray: true, withTypedArray: true }),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.constantFrom(
    Number.NaN,
    Number.POSITIVE_INFINITY,
    -0,
    1e300,
    Symbol('s'),
    () => 1,
    'x'.repeat(1_000_000),
    'a\u0000b',
    '\ud800',
    '__proto__',
    'constructor',
  ),
  // Built at call time (make): fast-check itself cannot clone or print these.
  fc.constantFrom<Special>(...(Object.keys(SPECIALS) as (keyof typeof SPECIALS)[]).map((kind) => new Special(kind))),
);

const experiment: FlagDefinition = {
  key: 'pricing-test',
  environment: 'production',
  enabled: true,
  variants: [
    { key: 'control', weight: 50, value: { price: 10 } },
    { key: 'variant-a', weight: 50, value: { price: 12 } },
  ],
  rules: [{ condition: { email: { $regex: '@example\\.com$' }, plan: { $in: ['pro'] } }, variant: 'variant-a' }],
};
const toggle: FlagDefinition = { key: 'new-checkout', environment: 'production', enabled: true, rollout: 50 };
const flagKey = fc.oneof(fc.constantFrom('pricing-test', 'new-checkout', 'missing', ''), hostile);
const user = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 400 }),
  fc.record({ targetingKey: fc.string({ unit: 'binary', maxLength: 400 }), email: hostile, plan: hostile }),
  hostile,
);

/** Runs `call`, failing if it takes longer than the bound (sync part and settlement both). */
async function timed(call: () => unknown): Promise<void> {
  const started = performance.now();
  let result = call();
  // Not `await` on anything else: a returned default may be a hostile object (a `then`, or
  // a proxy whose every trap throws, even the one `instanceof` uses).
  let promise = false;
  try {
    promise = result instanceof Promise;
  } catch {}
  if (promise) result = await result;
  expect(performance.now() - started).toBeLessThan(BOUND_MS);
}

/** Only a documented EliteError may come out of a call whose contract is to throw. */
function expectTyped(error: unknown, codes: string[]): void {
  expect(isEliteError(error), `not an EliteError: ${String(error)}`).toBe(true);
  expect(codes).toContain((error as { code: string }).code);
}

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
let client: FlagsClient;
let strictClient: FlagsClient;

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  client = createFlags({ storage: createMemoryStorage({ flags: [experiment, toggle] }), strict: false, logger: quiet });
  strictClient = createFlags({ storage: createMemoryStorage({ flags: [experiment, toggle] }), strict: true, logger: quiet });
  await client.refresh();
  await strictClient.refresh();
  // The statistics load on the first results() call: not part of any call's bound.
  await client.results('pricing-test');
});

afterAll(async () => {
  await client.close();
  await strictClient.close();
  await new Promise((resolve) => setTimeout(resolve, 20));
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
});

describe('hostile input: flags', () => {
  it('createFlags() returns a client or throws INVALID_OPTIONS / INVALID_FLAG', async () => {
    const options = fc.oneof(
      hostile,
      fc.record(
        {
          environment: hostile,
          cacheTtlMs: hostile,
          cacheMax: hostile,
          timeoutMs: hostile,
          dedupeMax: hostile,
          maxBatch: hostile,
          maxBuffer: hostile,
          flushIntervalMs: hostile,
          strict: hostile,
          logger: hostile,
          onError: hostile,
          bootstrap: hostile,
          storage: hostile,
        },
        { requiredKeys: [] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(options, async (given) => {
        let made: FlagsClient | undefined;
        await timed(() => {
          try {
            made = createFlags(makeFields(given));
          } catch (error) {
            expectTyped(error, ['INVALID_OPTIONS', 'INVALID_FLAG']);
          }
        });
        if (made) await timed(() => made?.close());
      }),
      { numRuns: RUNS },
    );
  });

  it('every evaluation method answers, sync and async, and never throws', async () => {
    await fc.assert(
      fc.asyncProperty(flagKey, user, hostile, fc.jsonValue(), async (key, who, fallback, json) => {
        const k = make(key) as string;
        const u = makeFields(who) as string;
        fallback = make(fallback);
        await timed(() => client.isEnabledSync(k, u));
        await timed(() => client.getVariantSync(k, u, fallback as string));
        await timed(() => client.getValueSync(k, u, fallback as never));
        await timed(() => expect(client.evaluateSync(k, u)).toHaveProperty('reason'));
        await timed(() => client.isEnabled(k, u));
        await timed(() => client.getVariant(k, u, fallback as string));
        // The async getValue returns its default as given: a hostile thenable would be adopted by
        // the promise (JavaScript semantics), so it gets a JSON default, as its type says.
        await timed(() => client.getValue(k, u, json as never));
        await timed(() => client.evaluate(k, u));
        await timed(() => client.expose(k, u));
      }),
      { numRuns: RUNS },
    );
  });

  it('track() never throws when not strict, and only INVALID_EVENT when strict', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.constantFrom('purchase'), hostile), user, hostile, async (name, who, options) => {
        name = make(name);
        who = makeFields(who);
        options = makeFields(options);
        await timed(() => client.track(name as string, who as string, options as never));
        await timed(() => {
          try {
            strictClient.track(name as string, who as string, options as never);
          } catch (error) {
            expectTyped(error, ['INVALID_EVENT']);
          }
        });
      }),
      { numRuns: RUNS },
    );
    expect(await client.flush()).toMatchObject({ ok: true });
  });

  it('results() resolves or rejects with a typed error', async () => {
    await fc.assert(
      fc.asyncProperty(flagKey, hostile, async (key, options) => {
        await timed(async () => {
          try {
            await client.results(make(key), make(options));
          } catch (error) {
            expectTyped(error, ['FLAG_NOT_FOUND', 'STORAGE_ERROR', 'INVALID_OPTIONS']);
          }
        });
      }),
      { numRuns: 60 },
    );
  });

  it('validateFlag() and writeFlag() on the memory store accept or refuse with INVALID_FLAG', async () => {
    const storage = createMemoryStorage();
    const definition = fc.oneof(
      hostile,
      fc.record({
        key: fc.oneof(fc.constantFrom('f', ''), hostile),
        environment: fc.oneof(fc.constant('production'), hostile),
        enabled: fc.oneof(fc.boolean(), hostile),
        variants: fc.oneof(fc.constant(experiment.variants), hostile),
        rules: fc.oneof(fc.constant([{ condition: { email: { $regex: '^(a+)+$' } }, variant: 'on' }]), hostile),
        segments: hostile,
      }),
    );
    await fc.assert(
      fc.asyncProperty(definition, async (generated) => {
        const given = makeFields(generated);
        await timed(() => {
          try {
            validateFlag(given);
          } catch (error) {
            expectTyped(error, ['INVALID_FLAG']);
          }
        });
        await timed(async () => {
          try {
            await storage.writeFlag(given as FlagDefinition);
          } catch (error) {
            expectTyped(error, ['INVALID_FLAG', 'VERSION_CONFLICT']);
          }
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('the OpenFeature provider resolves every evaluation and never throws on track', async () => {
    const provider = createOpenFeatureProvider(client);
    await fc.assert(
      fc.asyncProperty(flagKey, hostile, hostile, async (key, fallback, context) => {
        const k = make(key) as string;
        const c = makeFields(context);
        fallback = make(fallback);
        await timed(() => provider.resolveBooleanEvaluation(k, fallback as boolean, c));
        await timed(() => provider.resolveStringEvaluation(k, fallback as string, c));
        await timed(() => provider.resolveNumberEvaluation(k, fallback as number, c));
        await timed(() => provider.resolveObjectEvaluation(k, fallback as never, c));
        await timed(() => provider.track(k, c, fallback as never));
      }),
      { numRuns: RUNS },
    );
  });
});
