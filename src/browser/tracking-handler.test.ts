import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../adapters/memory.js';
import { createFlags } from '../flags/create-flags.js';
import type { FlagDefinition } from '../flags/types.js';
import { EliteError } from '../internal/errors.js';
import { readCookie } from './cookies.js';
import { createSnapshot } from './snapshot.js';
import { createTrackingHandler, type TrackingHandlerOptions } from './tracking-handler.js';
import { TRACKING_LIMITS } from './wire.js';

const pricing: FlagDefinition = {
  key: 'pricing-test',
  environment: 'production',
  enabled: true,
  variants: [
    { key: 'control', weight: 50, value: { priceUsd: 20 } },
    { key: 'variant-a', weight: 50, value: { priceUsd: 25 } },
  ],
};
const toggle: FlagDefinition = { key: 'dark-mode', environment: 'production', enabled: true };
const clients: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

/** A store-backed client that does not track on evaluation, and a handler over it that reads the `uid` cookie. */
function setup(options: Partial<TrackingHandlerOptions> = {}) {
  const storage = createMemoryStorage({ flags: [pricing, toggle] });
  const flags = createFlags({ storage, trackExposures: false });
  clients.push(flags);
  const handler = createTrackingHandler({ flags, user: (request) => readCookie(request, 'uid'), ...options });
  return { storage, flags, handler };
}
const post = (body: unknown, uid: string | null = 'user-1', init: RequestInit = {}) =>
  new Request('http://127.0.0.1/api/elite', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(uid === null ? {} : { cookie: `theme=dark; uid=${uid}` }) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...init,
  });

describe('createSnapshot', () => {
  it('holds the user’s answers and no definitions', async () => {
    const { flags } = setup();
    const snapshot = await createSnapshot(flags, 'user-1', { flags: ['pricing-test', 'dark-mode', 'missing-flag', '__proto__'] });
    const variant = await flags.getVariant('pricing-test', 'user-1');
    expect(snapshot).toEqual({
      v: 1,
      flags: {
        'pricing-test': { value: { priceUsd: variant === 'control' ? 20 : 25 }, variant, enabled: true, exposure: true },
        'dark-mode': { value: true, variant: 'on', enabled: true },
        'missing-flag': { value: null, enabled: false },
      },
    });
    // Nothing of the definitions: no weights, salts, rules, other variants' values.
    expect(JSON.stringify(snapshot)).not.toMatch(/weight|salt|rules|variants/);
    expect(flags.stats().exposures).toBe(0);
    // Every flag in the cache when none are named.
    expect(Object.keys((await createSnapshot(flags, 'user-2')).flags).sort()).toEqual(['dark-mode', 'pricing-test']);
  });

  it('refuses what is not a client or a key list', async () => {
    await expect(createSnapshot({} as never, 'u')).rejects.toThrow(EliteError);
    const { flags } = setup();
    await expect(createSnapshot(flags, 'u', { flags: 'pricing-test' as never })).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
  });
});

describe('createTrackingHandler', () => {
  it('writes an exposure the server serves and a conversion, visible in results()', async () => {
    const { flags, handler } = setup();
    const variant = (await flags.getVariant('pricing-test', 'user-1')) as string;
    const response = await handler(
      post({
        v: 1,
        events: [
          { type: 'exposure', flag: 'pricing-test', variant },
          { type: 'exposure', flag: 'pricing-test', variant },
          { type: 'conversion', event: 'purchase', value: 25, properties: { plan: 'pro' } },
        ],
      }),
    );
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ exposures: 1, conversions: 1, dropped: 0 });
    const results = await flags.results('pricing-test', { event: 'purchase' });
    const row = results.variants.find((v) => v.variant === variant);
    expect(row).toMatchObject({ exposures: 1, conversions: 1, valueSum: 25 });
    expect(results.variants.filter((v) => v.variant !== variant).every((v) => v.exposures === 0)).toBe(true);
    expect(handler.stats()).toMatchObject({ requests: 1, exposures: 1, conversions: 1 });
  });

  it('refuses a batch claiming a variant the server does not serve (a tampered snapshot) and writes nothing of it', async () => {
    const { flags, storage, handler } = setup();
    const variant = await flags.getVariant('pricing-test', 'user-1');
    const other = variant === 'control' ? 'variant-a' : 'control';
    const response = await handler(
      post({
        v: 1,
        events: [
          { type: 'conversion', event: 'purchase', value: 1 },
          { type: 'exposure', flag: 'pricing-test', variant: other },
        ],
      }),
    );
    expect(response.status).toBe(409);
    expect(handler.stats().rejected.variantMismatch).toBe(1);
    await flags.flush();
    const rows = await storage.queryResults({ flagKey: 'pricing-test', environment: 'production' });
    expect(rows.reduce((n, r) => n + r.exposures + r.conversions, 0)).toBe(0);
    expect(flags.stats().eventsPending).toBe(0);
  });

  it('drops unknown flags, toggles and events outside the allow-list, and keeps the rest', async () => {
    const { flags, handler } = setup({ events: ['purchase'] });
    const variant = (await flags.getVariant('pricing-test', 'user-1')) as string;
    const response = await handler(
      post({
        v: 1,
        events: [
          { type: 'exposure', flag: 'no-such-flag', variant: 'control' },
          { type: 'exposure', flag: 'dark-mode', variant: 'on' },
          { type: 'exposure', flag: 'pricing-test', variant },
          { type: 'conversion', event: 'signup' },
        ],
      }),
    );
    expect(await response.json()).toEqual({ exposures: 1, conversions: 0, dropped: 3 });
    expect(handler.stats().rejected).toMatchObject({ unknownFlag: 1, notExperiment: 1, unknownEvent: 1 });
  });

  it.each([
    ['not JSON', '{"v":1,'],
    ['another version', { v: 2, events: [{ type: 'conversion', event: 'x' }] }],
    ['an extra field', { v: 1, events: [{ type: 'exposure', flag: 'pricing-test', variant: 'control', user: 'someone-else' }] }],
    ['an unknown type', { v: 1, events: [{ type: 'pageview' }] }],
    ['no events', { v: 1, events: [] }],
    [
      'too many events',
      { v: 1, events: Array.from({ length: TRACKING_LIMITS.maxEvents + 1 }, () => ({ type: 'conversion', event: 'x' })) },
    ],
    ['a value out of range', { v: 1, events: [{ type: 'conversion', event: 'purchase', value: 1e300 }] }],
    ['a NUL in an event name', { v: 1, events: [{ type: 'conversion', event: 'a\u0000b' }] }],
    ['a bad flag key', { v: 1, events: [{ type: 'exposure', flag: '__proto__', variant: 'control' }] }],
  ])('refuses a payload with %s (400, counted, nothing written)', async (_, body) => {
    const { flags, handler } = setup();
    const response = await handler(post(body));
    expect(response.status).toBe(400);
    expect(handler.stats().rejected.invalid).toBe(1);
    expect(flags.stats().eventsPending).toBe(0);
  });

  it('refuses a body over the size limit, declared or not', async () => {
    const { handler } = setup({ maxBodyBytes: 1_000 });
    const big = JSON.stringify({ v: 1, events: [{ type: 'conversion', event: 'x', properties: { pad: 'x'.repeat(2_000) } }] });
    expect((await handler(post(big))).status).toBe(413);
    // Streamed, with no content-length: read up to the limit, no further.
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 10; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(500)));
        controller.close();
      },
    });
    const streamed = post(stream as never, 'user-1', { body: stream, duplex: 'half' } as RequestInit);
    expect((await handler(streamed)).status).toBe(413);
    expect(handler.stats().rejected.tooLarge).toBe(2);
  });

  it('limits a flood from one client, not the others, and lets it back after the interval', async () => {
    const { handler } = setup({ rateLimit: { burst: 3, intervalMs: 200 } });
    const batch = { v: 1, events: [{ type: 'conversion', event: 'purchase' }] };
    const statuses = await Promise.all(Array.from({ length: 20 }, () => handler(post(batch)).then((r) => r.status)));
    expect(statuses.filter((s) => s === 202)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(17);
    expect(handler.stats().rejected.rateLimited).toBe(17);
    expect((await handler(post(batch, 'user-2'))).status).toBe(202);
    await new Promise((r) => setTimeout(r, 250));
    expect((await handler(post(batch))).status).toBe(202);
    expect(handler.stats().conversions).toBe(5);
  });

  it('refuses requests without a user (a throwing lookup included) and other methods', async () => {
    const { handler } = setup();
    expect((await handler(post({ v: 1, events: [] }, null))).status).toBe(401);
    expect((await handler(new Request('http://127.0.0.1/api/elite'))).status).toBe(405);
    const throwing = createTrackingHandler({
      flags: setup().flags,
      user: () => {
        throw new Error('session store down');
      },
    });
    expect((await throwing(post({ v: 1, events: [] }))).status).toBe(401);
    expect(handler.stats().rejected).toMatchObject({ noUser: 1, method: 1 });
  });

  it('passes the store write to waitUntil when given', async () => {
    const pending: Promise<unknown>[] = [];
    const { flags, handler } = setup({ waitUntil: (p) => pending.push(p) });
    const variant = (await flags.getVariant('pricing-test', 'user-1')) as string;
    await handler(post({ v: 1, events: [{ type: 'exposure', flag: 'pricing-test', variant }] }));
    expect(pending).toHaveLength(1);
    await expect(pending[0]).resolves.toMatchObject({ ok: true });
  });

  it('throws a typed error for bad options', () => {
    const { flags } = setup();
    const user = () => 'u';
    expect(() => createTrackingHandler({ user } as never)).toThrow(/needs `flags`/);
    expect(() => createTrackingHandler({ flags } as never)).toThrow(/needs `user/);
    expect(() => createTrackingHandler({ flags, user, events: 'purchase' as never })).toThrow(/events/);
    expect(() => createTrackingHandler({ flags, user, rateLimit: { burst: 0 } })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS', field: 'rateLimit.burst' }),
    );
  });
});

describe('readCookie', () => {
  it('reads one cookie, decoded', () => {
    const request = new Request('http://127.0.0.1/', { headers: { cookie: 'a=1; uid=user%201; b' } });
    expect(readCookie(request, 'uid')).toBe('user 1');
    expect(readCookie(request, 'b')).toBeUndefined();
    expect(readCookie(new Request('http://127.0.0.1/'), 'uid')).toBeUndefined();
    expect(readCookie(new Request('http://127.0.0.1/', { headers: { cookie: 'uid=%E0%A4%A' } }), 'uid')).toBeUndefined();
  });
});
