/**
 * examples/nextjs end to end, on what users install: the SDK is packed (`npm pack`) and the
 * tarball installed into the example, which is built once (`next build`) and served by
 * `next start` on 127.0.0.1; Debian's Chromium drives it through playwright-core.
 *
 * Checked: the middleware bundle holds the SDK's Edge build ("edge-light": no statistics) and
 * no Node built-in from it; a visitor keeps
 * one variant across reloads and the Edge middleware, the Node server component and the SDK
 * evaluated here agree on it; 300 visitors split within 3σ of the weights; a click on
 * "Subscribe" reaches `flags.results` through the route handler. A screenshot and the build
 * and server logs go to test/artifacts/ (kept by CI).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createWriteStream, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFlags, type ExperimentResults, type FlagDefinition, type FlagsClient } from '../../src/index.js';

const root = new URL('../..', import.meta.url).pathname;
const app = join(root, 'examples/nextjs');
const artifacts = join(root, 'test/artifacts');
const CHROMIUM = '/usr/bin/chromium';
const FLAG = 'pricing-test';
const VISITORS = 300;

const timings: Record<string, number> = {};
const timed = <T>(name: string, fn: () => T): T => {
  const started = performance.now();
  try {
    return fn();
  } finally {
    timings[name] = Math.round(performance.now() - started);
  }
};
const run = (cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) =>
  execFileSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env },
    maxBuffer: 64 * 1024 * 1024,
  });

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });

let server: ChildProcess | undefined;
let browser: Browser | undefined;
let base = '';
let buildLog = '';
/** The SDK evaluated here, in the test's own process, from the example's definitions. */
let reference: FlagsClient;
let weights: Record<string, number> = {};
let prices: Record<string, number> = {};
/** Every visitor whose page was rendered, with the variant shown: the expected exposures. */
const shown = new Map<string, string>();

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  if (!existsSync(CHROMIUM)) {
    // Debian's build: playwright-core drives it and downloads nothing.
    timed('install chromium', () =>
      run('bash', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium'], root),
    );
  }
  // The example's own lock file; a developer's existing install is reused outside CI.
  if (process.env.CI || !existsSync(join(app, 'node_modules/next/package.json'))) {
    timed('npm ci (example)', () => run('npm', ['ci', '--no-audit', '--no-fund'], app));
  }
  // `npm run sdk`: npm pack of the repository (prepack builds it), then the tarball installed.
  timed('pack and install the SDK', () => run('npm', ['run', 'sdk'], app));

  const { FLAGS } = (await import(join(app, 'lib/experiments.ts'))) as { FLAGS: FlagDefinition[] };
  // As in the app: bootstrap definitions only (they stay in force past the cache TTL).
  reference = createFlags({ bootstrap: FLAGS, trackExposures: false });
  const pricing = FLAGS.find((f) => f.key === FLAG);
  weights = Object.fromEntries((pricing?.variants ?? []).map((v) => [v.key, v.weight]));
  prices = Object.fromEntries((pricing?.variants ?? []).map((v) => [v.key, (v.value as { priceUsd: number }).priceUsd]));

  rmSync(join(app, '.next'), { recursive: true, force: true });
  buildLog = timed('next build', () => run(process.execPath, ['node_modules/next/dist/bin/next', 'build'], app));
  writeFileSync(join(artifacts, 'next-build.log'), buildLog);

  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const started = performance.now();
  server = spawn(process.execPath, ['node_modules/next/dist/bin/next', 'start', '-H', '127.0.0.1', '-p', String(port)], {
    cwd: app,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so afterAll stops it and nothing else
  });
  const serverLog = createWriteStream(join(artifacts, 'next-start.log'));
  server.stdout?.pipe(serverLog);
  server.stderr?.pipe(serverLog);
  for (;;) {
    if (server.exitCode !== null) throw new Error(`next start exited with ${server.exitCode}; see test/artifacts/next-start.log`);
    try {
      if ((await fetch(`${base}/api/results`)).status < 500) break;
    } catch {
      // not listening yet
    }
    if (performance.now() - started > 60_000) throw new Error('next start did not answer within 60 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  timings['next start (ready)'] = Math.round(performance.now() - started);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
});

afterAll(async () => {
  await browser?.close();
  if (server?.pid !== undefined && server.exitCode === null) {
    const exited = new Promise((r) => server?.once('exit', r));
    process.kill(-server.pid, 'SIGTERM');
    await exited;
  }
  await reference?.close();
  console.log(`e2e timings (ms): ${JSON.stringify(timings)}`);
});

/** Opens the page in a context and reads what the middleware and the server component said. */
async function visit(context: BrowserContext) {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('response', (r) => {
    if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`);
  });
  const response = await page.goto(`${base}/`, { waitUntil: 'networkidle' });
  const read = async () => {
    const offer = page.getByTestId('offer');
    const cookies = Object.fromEntries((await context.cookies(base)).map((c) => [c.name, c.value]));
    return {
      header: response?.headers()['x-elite-variant'],
      rendered: await offer.getAttribute('data-variant'),
      middleware: await offer.getAttribute('data-middleware-variant'),
      userId: cookies['elite-uid'],
      cookieVariant: cookies['elite-pricing'],
    };
  };
  return { page, errors, response, read };
}

describe('examples/nextjs', () => {
  it('installs the packed SDK, not a link to the repository', () => {
    const installed = join(app, 'node_modules/@tiqology/elite');
    expect(lstatSync(installed).isSymbolicLink()).toBe(false);
    expect(readFileSync(join(installed, 'dist/flags.js'), 'utf8')).toBe(readFileSync(join(root, 'dist/flags.js'), 'utf8'));
  });

  it('builds the middleware for the Edge runtime with no Node built-in from the SDK', () => {
    // Next.js warns at build time about Node APIs reached from Edge code.
    expect(buildLog).not.toMatch(/Edge Runtime/i);
    expect(buildLog).toMatch(/Middleware/);
    const manifest = JSON.parse(readFileSync(join(app, '.next/server/middleware-manifest.json'), 'utf8')) as {
      middleware: Record<string, { files: string[] }>;
    };
    const files = Object.values(manifest.middleware).flatMap((m) => m.files);
    expect(files).toContain('server/middleware.js');
    // Node-runtime middleware would be listed here instead (Next.js 15.5).
    const functions = JSON.parse(readFileSync(join(app, '.next/server/functions-config-manifest.json'), 'utf8')) as {
      functions: Record<string, unknown>;
    };
    expect(functions.functions['/_middleware']).toBeUndefined();
    const bundle = readFileSync(join(app, '.next/server/middleware.js'));
    const size = { bytes: bundle.length, gzipBytes: gzipSync(bundle).length };
    console.log(`middleware.js: ${size.bytes} bytes, ${size.gzipBytes} gzipped`);
    writeFileSync(join(artifacts, 'nextjs-middleware-size.json'), `${JSON.stringify(size)}\n`);

    // The source map names every module webpack put in the bundle, with its source.
    const map = JSON.parse(readFileSync(join(app, '.next/server/middleware.js.map'), 'utf8')) as {
      sources: string[];
      sourcesContent: string[];
    };
    const sdk = map.sources
      .map((source, i) => ({ source, content: map.sourcesContent[i] ?? '' }))
      .filter(({ source }) => /node_modules\/(@tiqology\/elite|toad-cache)\//.test(source));
    // Not vacuous: the evaluation code and its cache are in the bundle.
    expect(sdk.some(({ content }) => content.includes('getVariantSync'))).toBe(true);
    expect(sdk.some(({ source }) => source.includes('toad-cache'))).toBe(true);
    // Next.js resolved the Edge build ("edge-light"): the statistics behind results() are not in
    // the one-file middleware bundle (the main build would bring them, ~41 kB gzipped).
    expect(sdk.some(({ source }) => /\/dist\/edge\//.test(source))).toBe(true);
    expect(sdk.filter(({ content }) => /wilsonInterval|sampleRatioCheck/.test(content)).map(({ source }) => source)).toEqual([]);
    expect(bundle.includes('wilsonInterval')).toBe(false);
    // Not vacuous: the installed main build has them, in its lazy chunk.
    const dist = join(app, 'node_modules/@tiqology/elite/dist');
    const lazy = readdirSync(dist).filter((f) => /^stats-.*\.js$/.test(f));
    expect(lazy.some((f) => readFileSync(join(dist, f), 'utf8').includes('wilsonInterval'))).toBe(true);
    const names = builtinModules.filter((m) => !m.startsWith('_')).map((m) => m.replace(/[/\\^$.*+?()[\]{}|]/g, '\\$&'));
    const builtin = new RegExp(`(?:from|import|require)\\s*\\(?\\s*["'](?:node:[\\w/]+|(?:${names.join('|')})(?:/[\\w/]*)?)["']`);
    const offenders = sdk.filter(({ content }) => builtin.test(content)).map(({ source }) => source);
    expect(offenders).toEqual([]);
    // The same pattern does find a built-in: it is not a pattern that never matches.
    expect(builtin.test(`import { AsyncLocalStorage } from "node:async_hooks"`)).toBe(true);
    expect(builtin.test(`const fs = require('fs')`)).toBe(true);
  });

  it('keeps a visitor in one variant across reloads; middleware, server component and SDK agree', async () => {
    const context = await browser!.newContext();
    const { page, errors, read } = await visit(context);
    const first = await read();
    expect(first.userId).toMatch(/^[0-9a-f-]{36}$/);
    const expected = reference.getVariantSync(FLAG, first.userId!);
    expect(Object.keys(weights)).toContain(expected);
    expect(first).toMatchObject({ header: expected, rendered: expected, middleware: expected, cookieVariant: expected });
    shown.set(first.userId!, expected!);

    for (let i = 0; i < 3; i++) {
      const response = await page.reload({ waitUntil: 'networkidle' });
      expect(response?.headers()['x-elite-variant']).toBe(expected);
      expect(await page.getByTestId('offer').getAttribute('data-variant')).toBe(expected);
      expect((await context.cookies(base)).find((c) => c.name === 'elite-uid')?.value).toBe(first.userId);
    }
    // The variant came from the server as props: hydration found nothing to disagree with.
    expect(errors).toEqual([]);

    // The same user id in another session (another device signed in): the same variant.
    const other = await browser!.newContext();
    await other.addCookies([{ name: 'elite-uid', value: first.userId!, url: base }]);
    const again = await (await visit(other)).read();
    expect(again).toMatchObject({ header: expected, rendered: expected, userId: first.userId });
    await other.close();
    await context.close();
  });

  it(`splits ${VISITORS} visitors within 3σ of the weights, each a page load through the middleware`, async () => {
    // A sample of first visits in the browser: the middleware mints the id.
    for (let i = 0; i < 8; i++) {
      const context = await browser!.newContext();
      const { errors, read } = await visit(context);
      const seen = await read();
      const expected = reference.getVariantSync(FLAG, seen.userId!);
      expect(seen).toMatchObject({ header: expected, rendered: expected, middleware: expected, cookieVariant: expected });
      expect(errors).toEqual([]);
      shown.set(seen.userId!, expected!);
      await context.close();
    }

    // The bulk over HTTP: each request is a full page load (middleware + server component)
    // with its own id cookie, as a returning visitor's browser sends it. Fixed ids keep the
    // tally reproducible; a browser context each would cost minutes for the same check.
    const counts: Record<string, number> = {};
    const ids = Array.from({ length: VISITORS }, (_, i) => `visitor-${i}`);
    const load = async (userId: string) => {
      const response = await fetch(`${base}/`, { headers: { cookie: `elite-uid=${userId}` } });
      expect(response.status).toBe(200);
      const html = await response.text();
      const rendered = /data-variant="([^"]+)"/.exec(html)?.[1];
      const middleware = /data-middleware-variant="([^"]+)"/.exec(html)?.[1];
      const header = response.headers.get('x-elite-variant');
      const expected = reference.getVariantSync(FLAG, userId);
      expect({ header, rendered, middleware }).toEqual({ header: expected, rendered: expected, middleware: expected });
      // A known id is kept, not replaced.
      expect(response.headers.getSetCookie().some((c) => c.startsWith('elite-uid='))).toBe(false);
      counts[rendered!] = (counts[rendered!] ?? 0) + 1;
      shown.set(userId, rendered!);
    };
    const queue = [...ids];
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        for (let id = queue.shift(); id !== undefined; id = queue.shift()) await load(id);
      }),
    );
    timings[`${VISITORS} page loads over HTTP`] = Math.round(performance.now() - started);

    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(VISITORS);
    for (const [variant, weight] of Object.entries(weights)) {
      const p = weight / 100;
      const sigma = Math.sqrt(VISITORS * p * (1 - p));
      const n = counts[variant] ?? 0;
      expect(Math.abs(n - VISITORS * p), `${variant}: ${n} of ${VISITORS}, expected ${VISITORS * p} ± ${3 * sigma}`).toBeLessThanOrEqual(
        3 * sigma,
      );
    }
    writeFileSync(join(artifacts, 'nextjs-split.json'), `${JSON.stringify({ visitors: VISITORS, weights, counts }, null, 2)}\n`);
  });

  it('records a click on Subscribe through the route handler, visible in flags.results', async () => {
    const context = await browser!.newContext({ viewport: { width: 900, height: 820 } });
    const { page, errors, read } = await visit(context);
    const { userId, rendered } = await read();
    shown.set(userId!, rendered!);
    await page.getByTestId('convert').click();
    await page.locator('[data-testid="status"][data-status="done"]').waitFor({ timeout: 15_000 });
    expect(errors).toEqual([]);
    const screenshot = join(artifacts, 'nextjs-pricing.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    expect(statSync(screenshot).size).toBeGreaterThan(1_000);

    const results = (await (await fetch(`${base}/api/results?event=purchase`)).json()) as ExperimentResults;
    writeFileSync(join(artifacts, 'nextjs-results.json'), `${JSON.stringify(results, null, 2)}\n`);
    for (const v of results.variants) {
      // Every rendered page recorded one exposure, in the Node runtime, whatever route it came from.
      expect(v.exposures, v.variant).toBe([...shown.values()].filter((s) => s === v.variant).length);
      expect(v.conversions, v.variant).toBe(v.variant === rendered ? 1 : 0);
      expect(v.valueSum, v.variant).toBe(v.variant === rendered ? prices[v.variant] : 0);
    }
    expect(results.srm.mismatch).toBe(false);
    await context.close();
  });

  it('ignores assignment headers sent by the client', async () => {
    const response = await fetch(`${base}/`, {
      headers: { cookie: 'elite-uid=visitor-7', 'x-elite-user-id': 'someone-else', 'x-elite-variant': 'not-a-variant' },
    });
    const html = await response.text();
    const expected = reference.getVariantSync(FLAG, 'visitor-7');
    expect(response.headers.get('x-elite-variant')).toBe(expected);
    expect(/data-variant="([^"]+)"/.exec(html)?.[1]).toBe(expected);
    expect(/data-middleware-variant="([^"]+)"/.exec(html)?.[1]).toBe(expected);
  });

  it('refuses a conversion from a visitor with no id', async () => {
    const response = await fetch(`${base}/api/convert`, { method: 'POST' });
    expect(response.status).toBe(400);
  });
});
