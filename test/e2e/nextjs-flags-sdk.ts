/**
 * Vercel's Flags SDK (the real `flags` package, from examples/nextjs's lock file) with our flags
 * as its `decide` source, called by nextjs.test.ts: the build prerenders one static page per
 * permutation (`generatePermutations`), the middleware precomputes the visitor's code and
 * rewrites to that page; a Flags Explorer override (the `vercel-flag-overrides` cookie, encrypted
 * by the package's own `encryptOverrides` with the test's FLAGS_SECRET) serves the overridden
 * variant; the discovery endpoint answers our `getProviderData` to the Explorer's access proof only.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { expect, it } from 'vitest';
import type { FlagsClient } from '../../src/index.js';

const FLAG = 'pricing-test';
const VARIANTS = ['control', 'variant-a', 'variant-b'];

/** The parts of the `flags` package the checks use (its own functions, loaded from the example). */
interface FlagsPackage {
  encryptOverrides(overrides: Record<string, unknown>, secret?: string): Promise<string>;
  createAccessProof(secret?: string): Promise<string>;
  version: string;
}
/** The real `flags` package the example installed. */
export const loadFlagsPackage = async (app: string) => (await import(join(app, 'node_modules/flags/dist/index.js'))) as FlagsPackage;

/** Checks of `next build`'s output: one prerendered page per variant of the precomputed flag. */
export function flagsSdkBuildChecks(app: string) {
  it('prerenders the Flags SDK page once per permutation of the precomputed flag (generatePermutations)', () => {
    const manifest = JSON.parse(readFileSync(join(app, '.next/prerender-manifest.json'), 'utf8')) as { routes: Record<string, unknown> };
    const pages = Object.keys(manifest.routes).filter((r) => r.startsWith('/flags-sdk/'));
    expect(pages).toHaveLength(VARIANTS.length);
    const version = (JSON.parse(readFileSync(join(app, 'node_modules/flags/package.json'), 'utf8')) as { version: string }).version;
    expect(version).toMatch(/^4\./);
  });
}

interface Setup {
  browser: () => Browser;
  base: () => string;
  reference: () => FlagsClient;
  flagsPackage: () => FlagsPackage;
  secret: string;
  artifacts: string;
  suffix: string;
}

export function flagsSdkChecks({ browser, base, reference, flagsPackage, secret, artifacts, suffix }: Setup) {
  const page = async (cookie: string) => {
    const response = await fetch(`${base()}/flags-sdk`, { headers: { cookie } });
    const html = await response.text();
    return { response, variant: /data-testid="precomputed-offer" data-variant="([^"]+)"/.exec(html)?.[1] };
  };

  it('Flags SDK precompute: the middleware rewrites /flags-sdk to the static page of the visitor’s variant', async () => {
    // A first visit in Chromium: the id the middleware mints is the one `identify` saw.
    const context = await browser().newContext();
    const tab = await context.newPage();
    const errors: string[] = [];
    tab.on('pageerror', (e) => errors.push(e.message));
    tab.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await tab.goto(`${base()}/flags-sdk`, { waitUntil: 'load' });
    const userId = (await context.cookies(base())).find((c) => c.name === 'elite-uid')?.value as string;
    expect(userId).toMatch(/^[0-9a-f-]{36}$/);
    expect(new URL(tab.url()).pathname).toBe('/flags-sdk');
    expect(await tab.getByTestId('precomputed-offer').getAttribute('data-variant')).toBe(reference().getVariantSync(FLAG, userId));
    await tab.screenshot({ path: join(artifacts, `nextjs-flags-sdk${suffix}.png`), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();

    // First visits by HTTP: the rewrite runs the middleware again for the static page's path; it
    // must keep the id it minted, so one id cookie is set and the page shows that id's variant.
    for (let i = 0; i < 12; i++) {
      const response = await fetch(`${base()}/flags-sdk`);
      const ids = response.headers
        .getSetCookie()
        .filter((c) => c.startsWith('elite-uid='))
        .map((c) => c.slice('elite-uid='.length).split(';')[0] as string);
      expect(ids).toHaveLength(1);
      const variant = /data-testid="precomputed-offer" data-variant="([^"]+)"/.exec(await response.text())?.[1];
      expect(variant, ids[0]).toBe(reference().getVariantSync(FLAG, ids[0] as string));
    }

    // Returning visitors, by HTTP: each served a prerendered page (not rendered for the request) of its variant, every variant seen.
    const seen = new Set<string>();
    for (let i = 0; i < 24; i++) {
      const id = `sdk-visitor-${i}`;
      const { response, variant } = await page(`elite-uid=${id}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('x-nextjs-cache')).toBe('HIT');
      expect(variant, id).toBe(reference().getVariantSync(FLAG, id));
      seen.add(variant as string);
    }
    expect([...seen].sort()).toEqual(VARIANTS);
  });

  it('Flags Explorer override: the encrypted vercel-flag-overrides cookie serves the overridden variant; a forged one is ignored', async () => {
    const { encryptOverrides } = flagsPackage();
    const userId = 'sdk-override-visitor';
    const served = reference().getVariantSync(FLAG, userId) as string;
    const other = VARIANTS.find((v) => v !== served) as string;
    const override = await encryptOverrides({ [FLAG]: other }, secret);

    const context = await browser().newContext();
    await context.addCookies([
      { name: 'elite-uid', value: userId, url: base() },
      { name: 'vercel-flag-overrides', value: override, url: base() },
    ]);
    const tab = await context.newPage();
    await tab.goto(`${base()}/flags-sdk`, { waitUntil: 'load' });
    expect(await tab.getByTestId('precomputed-offer').getAttribute('data-variant')).toBe(other);
    await tab.screenshot({ path: join(artifacts, `nextjs-flags-sdk-override${suffix}.png`), fullPage: true });
    await context.close();

    // Without the cookie, and with one encrypted under another secret: the variant our adapter decided.
    expect((await page(`elite-uid=${userId}`)).variant).toBe(served);
    const forged = await encryptOverrides({ [FLAG]: other }, Buffer.alloc(32, 7).toString('base64url'));
    expect((await page(`elite-uid=${userId}; vercel-flag-overrides=${forged}`)).variant).toBe(served);
  });

  it('Flags Explorer discovery: /.well-known/vercel/flags answers getProviderData to the access proof only', async () => {
    const { createAccessProof, version } = flagsPackage();
    const url = `${base()}/.well-known/vercel/flags`;
    const refused = [
      await fetch(url),
      await fetch(url, { headers: { authorization: 'Bearer not-a-proof' } }),
      await fetch(url, { headers: { authorization: `Bearer ${await createAccessProof(Buffer.alloc(32, 7).toString('base64url'))}` } }),
    ];
    expect(refused.map((r) => r.status)).toEqual([401, 401, 401]);
    for (const r of refused) expect(await r.json()).toBeNull();

    const response = await fetch(url, { headers: { authorization: `Bearer ${await createAccessProof(secret)}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-flags-sdk-version')).toBe(version);
    // Not a page: the middleware assigned nothing.
    expect(response.headers.get('set-cookie')).toBeNull();
    const data = (await response.json()) as {
      definitions: Record<string, { options: { value: unknown; label: string }[]; description?: string }>;
    };
    expect(Object.keys(data.definitions).sort()).toEqual(['pricing-client', FLAG]);
    // The choices are what the flag returns (variant keys), so an override picked in the Explorer is served as is.
    const choices = data.definitions[FLAG]?.options.map((o) => o.value);
    expect(choices).toEqual(VARIANTS);
    // Answers, no rules: no weights or salts reach the Explorer.
    expect(JSON.stringify(data)).not.toMatch(/weight|salt/);
    const pick = choices?.at(-1) as string;
    const { encryptOverrides } = flagsPackage();
    const cookie = `elite-uid=sdk-discovery; vercel-flag-overrides=${await encryptOverrides({ [FLAG]: pick }, secret)}`;
    expect((await page(cookie)).variant).toBe(pick);
  });
}
