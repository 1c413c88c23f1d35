// @vitest-environment happy-dom
/**
 * The hooks as Next.js runs them: rendered to HTML on the "server" (react-dom/server) from a
 * snapshot the real flags client made, then hydrated in a DOM (hydrateRoot) with the same
 * snapshot. Exposures and conversions go through the real tracker into the real tracking
 * handler; only the transport is the test's (happy-dom's fetch would leave this process).
 */
import { act, createElement, type ReactNode } from 'react';
import { hydrateRoot } from 'react-dom/client';
import { renderToString } from 'react-dom/server';
import { afterEach, beforeEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { createMemoryStorage } from '../adapters/memory.js';
import { createSnapshot } from '../browser/snapshot.js';
import { createTracker } from '../browser/tracker.js';
import { createTrackingHandler } from '../browser/tracking-handler.js';
import type { FlagsSnapshot } from '../browser/wire.js';
import { createFlags } from '../flags/create-flags.js';
import type { FlagDefinition } from '../flags/types.js';
import { FlagsProvider, useEnabled, useFlagValue, useTrack, useVariant } from './index.js';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

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

let flags: ReturnType<typeof createFlags>;
let handler: ReturnType<typeof createTrackingHandler>;
let posted: unknown[];
beforeEach(() => {
  flags = createFlags({ storage: createMemoryStorage({ flags: [pricing, toggle] }), trackExposures: false });
  handler = createTrackingHandler({ flags, user: (request) => request.headers.get('x-user') ?? undefined });
  posted = [];
});
afterEach(async () => {
  vi.unstubAllGlobals();
  await flags.close();
});

/** The page's transport for user `userId`: every request the tracker makes goes to the handler. */
function route(userId: string) {
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    posted.push(JSON.parse(String(init.body)));
    return handler(new Request(new URL(url, 'http://127.0.0.1'), { ...init, headers: { ...init.headers, 'x-user': userId } }));
  });
}

function Pricing() {
  const variant = useVariant('pricing-test', 'control');
  const offer = useFlagValue('pricing-test', { priceUsd: 0 });
  const dark = useEnabled('dark-mode');
  const track = useTrack();
  return createElement(
    'section',
    { 'data-variant': variant, 'data-dark': String(dark) },
    createElement('b', null, `$${(offer as { priceUsd: number }).priceUsd}`),
    createElement(
      'button',
      { type: 'button', onClick: () => track('purchase', { value: (offer as { priceUsd: number }).priceUsd }) },
      'Buy',
    ),
  );
}
const seen: unknown[] = [];
function Reader() {
  seen.push([useVariant('nope', 'fallback'), useEnabled('nope'), useFlagValue('pricing-test', 'a string')]);
  return null;
}
const app = (snapshot: FlagsSnapshot, endpoint: string, children: ReactNode = createElement(Pricing)) =>
  createElement(FlagsProvider, { snapshot, endpoint, flushMs: 10 }, children);

/** Server-renders, puts the HTML in the document, hydrates; returns the markup seen before and after, and React's complaints. */
async function serverThenHydrate(element: ReturnType<typeof app>) {
  const html = renderToString(element);
  const container = document.createElement('div');
  container.innerHTML = html;
  document.body.append(container);
  const before = container.innerHTML;
  const problems: unknown[] = [];
  const consoleError = vi.spyOn(console, 'error').mockImplementation((...args) => problems.push(args));
  let root: ReturnType<typeof hydrateRoot> | undefined;
  await act(async () => {
    root = hydrateRoot(container, element, { onRecoverableError: (error) => problems.push(error) });
  });
  consoleError.mockRestore();
  return { html, before, after: container.innerHTML, problems, container, root: root! };
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
};

describe('@tiqology/elite/react', () => {
  it('hydrates to exactly the server render, sends one exposure per page life, and a conversion', async () => {
    const snapshot = await createSnapshot(flags, 'user-1', { flags: ['pricing-test', 'dark-mode'] });
    const served = snapshot.flags['pricing-test']?.variant as string;
    route('user-1');
    const { html, before, after, problems, container, root } = await serverThenHydrate(app(snapshot, '/api/elite-1'));
    expect(problems).toEqual([]);
    expect(after).toBe(before);
    // The first paint (the server's HTML) already has the served variant, not the default.
    expect(html).toContain(`data-variant="${served}"`);
    expect(html).toContain(`$${served === 'control' ? 20 : 25}`);
    expect(html).toContain('data-dark="true"');

    // A second render of the same flag (a remount) sends nothing more.
    await act(async () =>
      root.render(app(snapshot, '/api/elite-1', [createElement(Pricing, { key: 1 }), createElement(Pricing, { key: 2 })])),
    );
    await until(() => posted.length > 0);
    await new Promise((r) => setTimeout(r, 50));
    expect(posted).toEqual([{ v: 1, events: [{ type: 'exposure', flag: 'pricing-test', variant: served }] }]);

    await act(async () => (container.querySelector('button') as HTMLButtonElement).click());
    await until(() => posted.length > 1);
    await until(() => handler.stats().conversions > 0);
    const results = await flags.results('pricing-test', { event: 'purchase' });
    expect(results.variants.find((v) => v.variant === served)).toMatchObject({ exposures: 1, conversions: 1 });
    expect(results.variants.reduce((n, v) => n + v.exposures, 0)).toBe(1);
    act(() => root.unmount());
  });

  it('sends nothing while rendering on the server, and nothing without an endpoint', async () => {
    const snapshot = await createSnapshot(flags, 'user-2', { flags: ['pricing-test'] });
    route('user-2');
    renderToString(app(snapshot, '/api/elite-2'));
    const { problems, root } = await serverThenHydrate(createElement(FlagsProvider, { snapshot }, createElement(Pricing)));
    expect(problems).toEqual([]);
    await new Promise((r) => setTimeout(r, 50));
    expect(posted).toEqual([]);
    act(() => root.unmount());
  });

  it('answers defaults outside a provider, for unknown flags and for a value of another type (then no exposure)', async () => {
    const snapshot = await createSnapshot(flags, 'user-3', { flags: ['pricing-test'] });
    route('user-3');
    renderToString(createElement(Reader));
    const { root } = await serverThenHydrate(app(snapshot, '/api/elite-3', createElement(Reader)));
    expect(seen).toContainEqual(['fallback', false, 'a string']);
    await new Promise((r) => setTimeout(r, 50));
    expect(posted).toEqual([]);
    act(() => root.unmount());
  });

  it('types hooks by the declared flags when there is no declaration: any key, the default’s type', () => {
    const value = () => useFlagValue('any-key', 5);
    const variant = () => useVariant('any-key');
    expectTypeOf(value).returns.toEqualTypeOf<number>();
    expectTypeOf(variant).returns.toEqualTypeOf<string | undefined>();
  });
});

describe('createTracker', () => {
  it('splits what does not fit one batch, drops what is refused, and counts it', async () => {
    const bodies: { events: unknown[] }[] = [];
    vi.stubGlobal('fetch', async (_url: string, init: RequestInit) => {
      bodies.push(JSON.parse(String(init.body)));
      return new Response(null, { status: bodies.length === 1 ? 429 : 202 });
    });
    const tracker = createTracker({ endpoint: '/t', flushMs: 5, maxQueue: 120 });
    for (let i = 0; i < 130; i++) tracker.track('purchase', { value: i, properties: { pad: 'x'.repeat(200) } });
    tracker.exposure('pricing-test', 'control');
    tracker.exposure('pricing-test', 'control');
    tracker.flush();
    await until(() => tracker.stats().eventsDropped > 11);
    const events = bodies.flatMap((b) => b.events);
    // 131 queued, 120 kept; every batch within the handler's limits.
    expect(events).toHaveLength(120);
    expect(bodies.every((b) => b.events.length <= 50 && JSON.stringify(b).length <= 16_384)).toBe(true);
    expect(tracker.stats()).toEqual({ batchesSent: bodies.length, eventsDropped: 11 + (bodies[0]?.events.length ?? 0) });
  });

  it('uses sendBeacon when the page is hidden, and survives a missing network', async () => {
    const beacons: unknown[] = [];
    vi.stubGlobal('navigator', { sendBeacon: (url: string, data: Blob) => beacons.push([url, data.type]) > 0 });
    const tracker = createTracker({ endpoint: '/beacon', flushMs: 10_000 });
    tracker.track('purchase');
    dispatchEvent(new Event('pagehide'));
    expect(beacons).toEqual([['/beacon', 'application/json']]);
    vi.stubGlobal('navigator', {});
    vi.stubGlobal('fetch', undefined);
    tracker.track('purchase');
    expect(() => tracker.flush(true)).not.toThrow();
  });
});
