/**
 * The client-component path of examples/nextjs (app/client), called by nextjs.test.ts for each
 * server: a server component makes a snapshot of answers, `FlagsProvider` and the hooks render
 * it on the server and hydrate it in Chromium, and the browser reports exposures and a
 * conversion to `/api/elite` (the SDK's tracking handler), which writes them through the store.
 */
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect, it } from 'vitest';
import type { ExperimentResults, FlagsClient } from '../../src/index.js';
import type { TrackingStats } from '../../src/react/server.js';

const FLAG = 'pricing-client';

interface Setup {
  browser: () => Browser;
  base: () => string;
  reference: () => FlagsClient;
  artifacts: string;
  suffix: string;
}

export function clientFlagsChecks({ browser, base, reference, artifacts, suffix }: Setup) {
  /** Distinct visitors whose page hydrated: each must have exactly one exposure in the store. */
  const hydrated = new Map<string, string>();
  const results = async (event = 'purchase') =>
    (await (await fetch(`${base()}/api/results?flag=${FLAG}&event=${event}`)).json()) as ExperimentResults;
  const stats = async () => (await (await fetch(`${base()}/api/elite`)).json()) as TrackingStats;
  const exposuresIn = (r: ExperimentResults) => Object.fromEntries(r.variants.map((v) => [v.variant, v.exposures]));
  const expectedExposures = () => {
    const counts: Record<string, number> = {};
    for (const v of hydrated.values()) counts[v] = (counts[v] ?? 0) + 1;
    return counts;
  };
  const until = async (check: () => Promise<boolean>, what: string) => {
    const deadline = performance.now() + 15_000;
    while (!(await check())) {
      if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const userOf = async (context: BrowserContext) => (await context.cookies(base())).find((c) => c.name === 'elite-uid')?.value as string;
  const watch = (page: Page) => {
    const messages: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') messages.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => messages.push(e.message));
    return messages;
  };

  it('client component: the first paint shows the visitor’s variant, hydration agrees, one exposure per visitor, a purchase counts', async () => {
    mkdirSync(artifacts, { recursive: true });
    const context = await browser().newContext({ viewport: { width: 900, height: 720 } });
    const page = await context.newPage();
    const messages = watch(page);
    // Hold the page's scripts until the server-rendered HTML has been painted and captured.
    let release = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    await page.route('**/_next/static/**/*.js', async (route) => {
      await gate;
      await route.continue();
    });
    await page.goto(`${base()}/client`, { waitUntil: 'domcontentloaded' });
    const offer = page.getByTestId('client-offer');
    const userId = await userOf(context);
    const expected = reference().getVariantSync(FLAG, userId) as string;
    expect(await offer.getAttribute('data-hydrated')).toBe('false');
    expect(await offer.getAttribute('data-variant')).toBe(expected);
    const before = join(artifacts, `nextjs-client-before-hydration${suffix}.png`);
    await page.screenshot({ path: before, fullPage: true });
    const firstPaint = await offer.textContent();
    release();
    await page.locator('[data-testid="client-offer"][data-hydrated="true"]').waitFor({ timeout: 15_000 });
    const after = join(artifacts, `nextjs-client-after-hydration${suffix}.png`);
    await page.screenshot({ path: after, fullPage: true });
    expect(statSync(before).size).toBeGreaterThan(1_000);
    expect(await offer.getAttribute('data-variant')).toBe(expected);
    expect(await offer.textContent()).toBe(firstPaint);
    hydrated.set(userId, expected);

    // The exposure reaches the store once, however often the visitor reloads.
    await until(async () => exposuresIn(await results())[expected] === expectedExposures()[expected], 'the exposure');
    await page.unroute('**/_next/static/**/*.js');
    for (let i = 0; i < 2; i++) {
      await page.reload({ waitUntil: 'load' });
      await page.locator('[data-testid="client-offer"][data-hydrated="true"]').waitFor();
    }
    await page.getByTestId('buy').click();
    await page.locator('[data-testid="buy-status"][data-status="sent"]').waitFor();
    await until(async () => ((await results()).variants.find((v) => v.variant === expected)?.conversions ?? 0) === 1, 'the conversion');
    const after2 = await results();
    expect(exposuresIn(after2)).toMatchObject(expectedExposures());
    expect(after2.variants.find((v) => v.variant === expected)?.valueSum).toBeGreaterThan(0);
    // No hydration warning, no error: the client rendered what the server did.
    expect(messages).toEqual([]);
    await context.close();
  });

  it('client component: with JavaScript disabled the server-rendered variant shows, and no exposure is counted', async () => {
    const context = await browser().newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${base()}/client`, { waitUntil: 'load' });
    const userId = await userOf(context);
    const offer = page.getByTestId('client-offer');
    expect(await offer.getAttribute('data-variant')).toBe(reference().getVariantSync(FLAG, userId));
    expect(await offer.textContent()).toMatch(/\$\d+ \/ month/);
    await page.screenshot({ path: join(artifacts, `nextjs-client-no-js${suffix}.png`), fullPage: true });
    await new Promise((r) => setTimeout(r, 1_000));
    // Only hydrated visitors were exposed: the page never ran, so nothing was reported.
    expect(exposuresIn(await results())).toMatchObject(expectedExposures());
    await context.close();
  });

  it('tracking route: a tampered variant, a bad schema and an oversized body are refused, counted and never written', async () => {
    const userId = 'tamper-visitor';
    const served = reference().getVariantSync(FLAG, userId) as string;
    const other = ['control', 'variant-a', 'variant-b'].find((v) => v !== served) as string;
    const before = await stats();
    const resultsBefore = await results();
    const send = (body: string) =>
      fetch(`${base()}/api/elite`, {
        method: 'POST',
        headers: { cookie: `elite-uid=${userId}`, 'content-type': 'application/json' },
        body,
      });
    const tampered = JSON.stringify({
      v: 1,
      events: [
        { type: 'exposure', flag: FLAG, variant: other },
        { type: 'conversion', event: 'purchase', value: 1000 },
      ],
    });
    expect((await send(tampered)).status).toBe(409);
    expect((await send(JSON.stringify({ v: 1, events: [{ type: 'exposure', flag: FLAG, variant: served, userId: 'x' }] }))).status).toBe(
      400,
    );
    expect(
      (await send(JSON.stringify({ v: 1, events: [{ type: 'conversion', event: 'purchase', properties: { pad: 'x'.repeat(20_000) } }] })))
        .status,
    ).toBe(413);
    const after = await stats();
    expect(after.rejected.variantMismatch - before.rejected.variantMismatch).toBe(1);
    expect(after.rejected.invalid - before.rejected.invalid).toBe(1);
    expect(after.rejected.tooLarge - before.rejected.tooLarge).toBe(1);
    expect(after.exposures).toBe(before.exposures);
    expect(after.conversions).toBe(before.conversions);
    const resultsAfter = await results();
    expect(exposuresIn(resultsAfter)).toEqual(exposuresIn(resultsBefore));
    expect(resultsAfter.variants.map((v) => v.conversions)).toEqual(resultsBefore.variants.map((v) => v.conversions));
  });

  it('tracking route: a flood from one browser is limited (429) and the page stays usable', async () => {
    const context = await browser().newContext();
    const page = await context.newPage();
    const messages = watch(page);
    const exposed = (await stats()).exposures;
    await page.goto(`${base()}/client`, { waitUntil: 'load' });
    await page.locator('[data-testid="client-offer"][data-hydrated="true"]').waitFor();
    hydrated.set(await userOf(context), (await page.getByTestId('client-offer').getAttribute('data-variant')) as string);
    // This visitor's exposure is in before the flood starts.
    await until(async () => (await stats()).exposures === exposed + 1, 'the exposure');
    const before = await stats();
    const statuses = await page.evaluate(async () => {
      const body = JSON.stringify({ v: 1, events: [{ type: 'conversion', event: 'newsletter' }] });
      const all = Array.from({ length: 60 }, () => fetch('/api/elite', { method: 'POST', body }).then((r) => r.status));
      return Promise.all(all);
    });
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(40);
    expect(statuses.every((s) => s === 429 || s === 202)).toBe(true);
    expect((await stats()).rejected.rateLimited - before.rejected.rateLimited).toBe(statuses.filter((s) => s === 429).length);
    // The page answers at once, and its button still works.
    const started = performance.now();
    await page.getByTestId('buy').click();
    await page.locator('[data-testid="buy-status"][data-status="sent"]').waitFor({ timeout: 2_000 });
    expect(performance.now() - started).toBeLessThan(2_000);
    // The 429s are the only console errors (Chromium logs failed fetches).
    expect(messages.filter((m) => !m.includes('429'))).toEqual([]);
    await context.close();
    // Every hydrated visitor so far has exactly one exposure in the store.
    expect(exposuresIn(await results())).toMatchObject(expectedExposures());
  });
}
