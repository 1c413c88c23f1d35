/**
 * examples/nextjs end to end, on what users install: the SDK is packed (`npm pack`) and the
 * tarball installed into the example, which is built once (`next build`, `output: 'standalone'`)
 * and served twice on 127.0.0.1, each server checked by the same tests: by `next start`, and as
 * the usual Docker image does, by `node server.js` from a copy of `.next/standalone` (with
 * `.next/static`) in a temporary folder with no node_modules above it, so that only the files
 * Next.js traced are there. Debian's Chromium drives both through playwright-core.
 *
 * Checked: the middleware bundle holds the SDK's Edge build ("edge-light": no statistics) and
 * no Node built-in from it; on each server, `/api/metrics` and `/api/results` answer; a visitor
 * keeps one variant across reloads and the Edge middleware, the Node server component and the
 * SDK evaluated here agree on it; 300 visitors (100 on the standalone server) split within 3σ of
 * the weights; a click on "Subscribe" reaches `flags.results` through the route handler; a
 * question in the chat box is answered by an OpenAI-compatible server on 127.0.0.1 through the instrumented client, and
 * `/api/metrics` then shows the request, flag-cache and LLM metrics while the spans reach an
 * OTLP/HTTP receiver on 127.0.0.1 (both servers from test/telemetry/, one pair per Next.js
 * server). The client-component path (app/client, `@tiqology/elite/react`) is checked by
 * nextjs-client-flags.ts on both servers, Vercel's Flags SDK with our adapter (precompute, Flags Explorer
 * overrides and discovery) by nextjs-flags-sdk.ts. Screenshots and the build and server logs go to test/artifacts/ (kept by CI).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  cpSync,
  createWriteStream,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { builtinModules } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createFlags, type ExperimentResults, type FlagDefinition, type FlagsClient } from '../../src/index.js';
import { computeCostUsd, findPrice } from '../../src/telemetry/index.js';
import { startOpenAIServer, USAGE } from '../telemetry/openai-server.js';
import { startOtlpReceiver } from '../telemetry/otlp-receiver.js';
import { clientFlagsChecks } from './nextjs-client-flags.js';
import { flagsSdkBuildChecks, flagsSdkChecks, loadFlagsPackage } from './nextjs-flags-sdk.js';

const root = new URL('../..', import.meta.url).pathname;
const app = join(root, 'examples/nextjs');
const artifacts = join(root, 'test/artifacts');
const CHROMIUM = '/usr/bin/chromium';
const FLAG = 'pricing-test';
/**
 * First-time visitors per server. The split is the same computation on both servers (the middleware
 * runs the same Edge bundle): 300 on `next start` test the weights; 100 on the standalone server
 * check that its middleware and pages serve a crowd, in a third of the time.
 */
const VISITORS: Record<'next start' | 'standalone', number> = { 'next start': 300, standalone: 100 };
const MODEL = 'gpt-4o-mini';
/** The Flags SDK's FLAGS_SECRET (signs precomputed codes, encrypts overrides), for the build and both servers. */
const FLAGS_SECRET = randomBytes(32).toString('base64url');
const SERVICE = 'tiqology-chat-example';

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

/** One sample of the Prometheus text exposition: name, labels, value. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}
const parseExposition = (text: string): Sample[] =>
  text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!m) throw new Error(`not an exposition line: ${line}`);
      const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!]));
      return { name: m[1]!, labels, value: Number(m[3]) };
    });
/** The value of the one sample named `name` whose labels include `labels` (undefined if none). */
const sampleOf = (samples: Sample[], name: string, labels: Record<string, string> = {}) => {
  const found = samples.filter((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v));
  expect(found.length, `${name} ${JSON.stringify(labels)}`).toBeLessThanOrEqual(1);
  return found[0]?.value;
};

let browser: Browser | undefined;
let buildLog = '';
/** The SDK evaluated here, in the test's own process, from the example's definitions. */
let reference: FlagsClient;
let weights: Record<string, number> = {};
let prices: Record<string, number> = {};
let flagsPackage: Awaited<ReturnType<typeof loadFlagsPackage>>;

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

  // One build for both servers: `output: 'standalone'` adds .next/standalone, and `next start`
  // serves the same .next (it warns that standalone is meant for server.js).
  rmSync(join(app, '.next'), { recursive: true, force: true });
  buildLog = timed('next build', () => run(process.execPath, ['node_modules/next/dist/bin/next', 'build'], app, { FLAGS_SECRET }));
  flagsPackage = await loadFlagsPackage(app);
  writeFileSync(join(artifacts, 'next-build.log'), buildLog);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
});

afterAll(async () => {
  await browser?.close();
  await reference?.close();
  console.log(`e2e timings (ms): ${JSON.stringify(timings)}`);
});

type Mode = 'next start' | 'standalone';

/**
 * Starts the built example: `next start` in the example folder, or `node server.js` in a copy of
 * `.next/standalone` (plus `.next/static` and `public`, as Next.js's docs say to copy) in a temp
 * folder outside the repository, where nothing outside the copy can be resolved.
 */
async function startServer(mode: Mode, port: number, env: NodeJS.ProcessEnv, log: string): Promise<ChildProcess> {
  let cwd = app;
  let args = ['node_modules/next/dist/bin/next', 'start', '-H', '127.0.0.1', '-p', String(port)];
  if (mode === 'standalone') {
    cwd = mkdtempSync(join(tmpdir(), 'elite-standalone-'));
    cpSync(join(app, '.next/standalone'), cwd, { recursive: true });
    cpSync(join(app, '.next/static'), join(cwd, '.next/static'), { recursive: true });
    if (existsSync(join(app, 'public'))) cpSync(join(app, 'public'), join(cwd, 'public'), { recursive: true });
    for (let dir = dirname(cwd); ; dir = dirname(dir)) {
      expect(existsSync(join(dir, 'node_modules')), `${dir}/node_modules would make the copy resolve outside itself`).toBe(false);
      if (dir === dirname(dir)) break;
    }
    args = ['server.js'];
  }
  const server = spawn(process.execPath, args, {
    cwd,
    env: {
      ...process.env,
      NEXT_TELEMETRY_DISABLED: '1',
      NODE_ENV: 'production',
      HOSTNAME: '127.0.0.1',
      PORT: String(port),
      FLAGS_SECRET,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so afterAll stops it and nothing else
  });
  const serverLog = createWriteStream(join(artifacts, log));
  server.stdout?.pipe(serverLog);
  server.stderr?.pipe(serverLog);
  const started = performance.now();
  const base = `http://127.0.0.1:${port}`;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`${mode} exited with ${server.exitCode}; see test/artifacts/${log}`);
    try {
      // Any answer: the server listens. Whether the routes work is the first test's business.
      await fetch(`${base}/api/results`);
      break;
    } catch {
      // not listening yet
    }
    if (performance.now() - started > 60_000) throw new Error(`${mode} did not answer within 60 s; see test/artifacts/${log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  timings[`${mode} (ready)`] = Math.round(performance.now() - started);
  if (mode === 'standalone') server.once('exit', () => rmSync(cwd, { recursive: true, force: true }));
  return server;
}

describe('examples/nextjs build', () => {
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
      .filter(({ source }) => /node_modules\/@tiqology\/elite\//.test(source));
    // Not vacuous: the evaluation code and its cache (its own LRU, no dependency) are in the bundle.
    expect(sdk.some(({ content }) => content.includes('getVariantSync'))).toBe(true);
    // (esbuild writes the class as `var Lru = class {`.)
    expect(sdk.some(({ content }) => /\bLru = class\b|\bclass Lru\b/.test(content))).toBe(true);
    // Next.js resolved the Edge build ("edge-light"): the statistics behind results() are not in
    // the one-file middleware bundle (the main build would bring them, ~41 kB gzipped).
    expect(sdk.some(({ source }) => /\/dist\/edge\//.test(source))).toBe(true);
    expect(sdk.filter(({ content }) => /wilsonInterval|sampleRatioCheck/.test(content)).map(({ source }) => source)).toEqual([]);
    expect(bundle.includes('wilsonInterval')).toBe(false);
    // Not vacuous: the installed main build has them (the experiments entry, which results() loads lazily).
    const dist = join(app, 'node_modules/@tiqology/elite/dist');
    const main = readdirSync(dist).filter((f) => f.endsWith('.js'));
    expect(main.some((f) => readFileSync(join(dist, f), 'utf8').includes('wilsonInterval'))).toBe(true);
    const names = builtinModules.filter((m) => !m.startsWith('_')).map((m) => m.replace(/[/\\^$.*+?()[\]{}|]/g, '\\$&'));
    const builtin = new RegExp(`(?:from|import|require)\\s*\\(?\\s*["'](?:node:[\\w/]+|(?:${names.join('|')})(?:/[\\w/]*)?)["']`);
    const offenders = sdk.filter(({ content }) => builtin.test(content)).map(({ source }) => source);
    expect(offenders).toEqual([]);
    // The same pattern does find a built-in: it is not a pattern that never matches.
    expect(builtin.test(`import { AsyncLocalStorage } from "node:async_hooks"`)).toBe(true);
    expect(builtin.test(`const fs = require('fs')`)).toBe(true);
  });

  flagsSdkBuildChecks(app);
});

/** The route checks, against one server of the build. */
function servedBy(mode: Mode) {
  describe(`examples/nextjs served by ${mode}`, () => {
    const suffix = mode === 'next start' ? '' : '-standalone';
    const visitors = VISITORS[mode];
    let server: ChildProcess | undefined;
    let base = '';
    let openai: Awaited<ReturnType<typeof startOpenAIServer>> | undefined;
    let otlp: Awaited<ReturnType<typeof startOtlpReceiver>> | undefined;
    /** Every visitor whose page was rendered, with the variant shown: the expected exposures. */
    const shown = new Map<string, string>();

    beforeAll(async () => {
      // Before the server: instrumentation.ts reads the OTLP endpoint at startup.
      openai = await startOpenAIServer();
      otlp = await startOtlpReceiver();
      const port = await freePort();
      base = `http://127.0.0.1:${port}`;
      server = await startServer(
        mode,
        port,
        {
          OPENAI_BASE_URL: openai.baseURL,
          OPENAI_API_KEY: 'sk-test',
          OPENAI_MODEL: MODEL,
          OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
          // Export batches every 200 ms rather than 5 s, so the test waits less for its spans.
          OTEL_BSP_SCHEDULE_DELAY: '200',
        },
        mode === 'next start' ? 'next-start.log' : 'next-standalone.log',
      );
    });

    afterAll(async () => {
      if (server?.pid !== undefined && server.exitCode === null) {
        const exited = new Promise((r) => server?.once('exit', r));
        process.kill(-server.pid, 'SIGTERM');
        await exited;
      }
      await openai?.close();
      await otlp?.close();
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

    const scrape = async () => {
      const response = await fetch(`${base}/api/metrics`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await response.text();
      return { text, samples: parseExposition(text) };
    };
    const flagLookups = (samples: Sample[]) =>
      (sampleOf(samples, 'elite_flags_cache_hits_total') ?? Number.NaN) +
      (sampleOf(samples, 'elite_flags_cache_misses_total') ?? Number.NaN);

    it('serves /api/metrics and /api/results (prom-client and the statistics load on this server)', async () => {
      // A standalone copy without prom-client failed here with 500 ("Failed to prepare server").
      const metrics = await fetch(`${base}/api/metrics`);
      const text = await metrics.text();
      expect(metrics.status, text.slice(0, 500)).toBe(200);
      expect(text).toMatch(/^# TYPE elite_flags_cache_hits_total counter$/m);
      const results = await fetch(`${base}/api/results`);
      expect(results.status).toBe(200);
      expect(((await results.json()) as ExperimentResults).variants.map((v) => v.variant).sort()).toEqual(Object.keys(weights).sort());
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

    it(`splits ${visitors} first-time visitors in Chromium within 3σ of the weights`, { timeout: 240_000 }, async () => {
      // Each visit is a first visit in the browser: no cookie, so the middleware mints a random id
      // and assigns the variant; the tally is a real sample. Four tabs in parallel, each clearing its
      // cookies before the next visitor.
      const counts: Record<string, number> = {};
      const errors: string[] = [];
      let remaining = visitors;
      // However the test ends (a failure, a timeout), no tab goes on visiting into the next tests.
      onTestFinished(() => {
        remaining = 0;
      });
      const worker = async () => {
        const context = await browser!.newContext();
        const page = await context.newPage();
        page.on('pageerror', (e) => errors.push(e.message));
        page.on('response', (r) => {
          if (r.status() >= 400) errors.push(`${r.status()} ${r.url()}`);
        });
        while (remaining > 0) {
          remaining--;
          // Leave the previous visit first: none of its requests can then land in the cleared jar.
          await page.goto('about:blank');
          await context.clearCookies();
          const response = await page.goto(`${base}/`, { waitUntil: 'domcontentloaded' });
          const offer = page.getByTestId('offer');
          const cookies = Object.fromEntries((await context.cookies(base)).map((c) => [c.name, c.value]));
          const userId = cookies['elite-uid'];
          expect(userId, 'the middleware mints an id').toMatch(/\S{8,}/);
          expect(shown.has(userId!), 'ids are distinct').toBe(false);
          const expected = reference.getVariantSync(FLAG, userId!);
          expect({
            header: response?.headers()['x-elite-variant'],
            rendered: await offer.getAttribute('data-variant'),
            middleware: await offer.getAttribute('data-middleware-variant'),
            cookieVariant: cookies['elite-pricing'],
          }).toEqual({ header: expected, rendered: expected, middleware: expected, cookieVariant: expected });
          counts[expected!] = (counts[expected!] ?? 0) + 1;
          shown.set(userId!, expected!);
        }
        await context.close();
      };
      const started = performance.now();
      // On a failure the other tabs stop too, so no visit runs on into the tests that follow.
      await Promise.all(
        Array.from({ length: 4 }, () =>
          worker().catch((error: unknown) => {
            remaining = 0;
            throw error;
          }),
        ),
      );
      timings[`${mode}: ${visitors} first visits in Chromium`] = Math.round(performance.now() - started);
      expect(errors).toEqual([]);

      expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(visitors);
      for (const [variant, weight] of Object.entries(weights)) {
        const p = weight / 100;
        const sigma = Math.sqrt(visitors * p * (1 - p));
        const n = counts[variant] ?? 0;
        expect(Math.abs(n - visitors * p), `${variant}: ${n} of ${visitors}, expected ${visitors * p} ± ${3 * sigma}`).toBeLessThanOrEqual(
          3 * sigma,
        );
      }
      writeFileSync(join(artifacts, `nextjs-split${suffix}.json`), `${JSON.stringify({ visitors: visitors, weights, counts }, null, 2)}\n`);
    });

    it('records a click on Subscribe through the route handler, visible in flags.results', async () => {
      const context = await browser!.newContext({ viewport: { width: 900, height: 820 } });
      const { page, errors, read } = await visit(context);
      const { userId, rendered } = await read();
      shown.set(userId!, rendered!);
      await page.getByTestId('convert').click();
      await page.locator('[data-testid="status"][data-status="done"]').waitFor({ timeout: 15_000 });
      expect(errors).toEqual([]);
      const screenshot = join(artifacts, `nextjs-pricing${suffix}.png`);
      await page.screenshot({ path: screenshot, fullPage: true });
      expect(statSync(screenshot).size).toBeGreaterThan(1_000);

      const results = (await (await fetch(`${base}/api/results?event=purchase`)).json()) as ExperimentResults;
      writeFileSync(join(artifacts, `nextjs-results${suffix}.json`), `${JSON.stringify(results, null, 2)}\n`);
      for (const v of results.variants) {
        // Every rendered page recorded one exposure, in the Node runtime, whatever route it came from.
        expect(v.exposures, v.variant).toBe([...shown.values()].filter((s) => s === v.variant).length);
        expect(v.conversions, v.variant).toBe(v.variant === rendered ? 1 : 0);
        expect(v.valueSum, v.variant).toBe(v.variant === rendered ? prices[v.variant] : 0);
      }
      expect(results.srm.mismatch).toBe(false);
      await context.close();
    });

    it('assigns no id on a request for the icon or another static file', async () => {
      for (const path of ['/icon.svg', '/robots.txt']) {
        const response = await fetch(`${base}${path}`);
        await response.arrayBuffer();
        expect(response.headers.get('set-cookie'), path).toBeNull();
        expect(response.headers.get('x-elite-variant'), path).toBeNull();
      }
    });

    clientFlagsChecks({ browser: () => browser!, base: () => base, reference: () => reference, artifacts, suffix });
    flagsSdkChecks({
      browser: () => browser!,
      base: () => base,
      reference: () => reference,
      flagsPackage: () => flagsPackage,
      secret: FLAGS_SECRET,
      artifacts,
      suffix,
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

    it('answers in the chat box through the instrumented OpenAI client; metrics and spans show it', async () => {
      const context = await browser!.newContext({ viewport: { width: 900, height: 980 } });
      const { page, errors } = await visit(context);
      const seenBefore = openai!.seen.length;
      await page.getByTestId('chat-input').fill('Which plan fits a team of three?');
      await page.getByTestId('chat-send').click();
      const answer = page.locator('[data-testid="chat-answer"][data-status="done"]');
      await answer.waitFor({ timeout: 15_000 });
      // The local server streams "Hel", "lo", " there!": the route passed every piece on.
      expect(await answer.textContent()).toBe('Hello there!');
      expect(errors).toEqual([]);
      await page.screenshot({ path: join(artifacts, `nextjs-chat${suffix}.png`), fullPage: true });
      await context.close();

      // One upstream call, streamed, with usage asked for by the instrumentation.
      const calls = openai!.seen.slice(seenBefore);
      expect(calls).toHaveLength(1);
      expect(calls[0]?.body).toMatchObject({
        model: MODEL,
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: 'user', content: 'Which plan fits a team of three?' }],
      });

      const { text, samples } = await scrape();
      writeFileSync(join(artifacts, `nextjs-metrics${suffix}.txt`), text);
      const llm = { provider: 'openai', model: MODEL };
      expect(sampleOf(samples, 'llm_chat_completions_total', { ...llm, status: 'ok' })).toBe(1);
      expect(sampleOf(samples, 'llm_tokens_total', { ...llm, type: 'input' })).toBe(USAGE.prompt_tokens);
      expect(sampleOf(samples, 'llm_tokens_total', { ...llm, type: 'output' })).toBe(USAGE.completion_tokens);
      expect(sampleOf(samples, 'llm_tokens_total', { ...llm, type: 'cached_input' })).toBe(USAGE.prompt_tokens_details.cached_tokens);
      expect(sampleOf(samples, 'llm_tokens_total', { ...llm, type: 'reasoning' })).toBe(USAGE.completion_tokens_details.reasoning_tokens);
      const price = findPrice(MODEL);
      expect(price).toBeDefined();
      const cost = computeCostUsd(
        {
          inputTokens: USAGE.prompt_tokens,
          outputTokens: USAGE.completion_tokens,
          cachedInputTokens: USAGE.prompt_tokens_details.cached_tokens,
        },
        price!,
      );
      expect(cost).toBeGreaterThan(0);
      expect(sampleOf(samples, 'llm_cost_usd_total', llm)).toBeCloseTo(cost, 12);
      const genAi = { gen_ai_operation_name: 'chat', gen_ai_provider_name: 'openai', gen_ai_request_model: MODEL };
      expect(sampleOf(samples, 'gen_ai_client_token_usage_count', { ...genAi, gen_ai_token_type: 'input' })).toBe(1);
      expect(sampleOf(samples, 'gen_ai_client_token_usage_sum', { ...genAi, gen_ai_token_type: 'input' })).toBe(USAGE.prompt_tokens);
      expect(sampleOf(samples, 'gen_ai_client_token_usage_sum', { ...genAi, gen_ai_token_type: 'output' })).toBe(USAGE.completion_tokens);
      expect(text).toMatch(/^# TYPE gen_ai_client_token_usage histogram$/m);

      // Request metrics of the route handlers, by route template.
      const http = 'http_server_request_duration_seconds_count';
      expect(sampleOf(samples, http, { method: 'POST', route: '/api/chat', status_code: '200' })).toBe(1);
      expect(sampleOf(samples, http, { method: 'POST', route: '/api/convert', status_code: '200' })).toBe(1);
      expect(sampleOf(samples, http, { method: 'POST', route: '/api/convert', status_code: '400' })).toBe(1);
      // The readiness poll and the conversion test read the results.
      expect(sampleOf(samples, http, { method: 'GET', route: '/api/results', status_code: '200' })).toBeGreaterThanOrEqual(2);
      expect(text).toMatch(/^# TYPE http_server_request_duration_seconds histogram$/m);
      // prom-client's process metrics come with the shared registry.
      expect(sampleOf(samples, 'process_resident_memory_bytes')).toBeGreaterThan(0);

      // The flag-cache counters follow the Node flags client: one lookup per rendered page.
      const before = flagLookups(samples);
      expect(before).toBeGreaterThan(0);
      const PAGES = 5;
      for (let i = 0; i < PAGES; i++) {
        expect((await fetch(`${base}/`, { headers: { cookie: `elite-uid=metrics-${i}` } })).status).toBe(200);
      }
      expect(flagLookups((await scrape()).samples) - before).toBe(PAGES);

      // Spans: the chat completion reached the OTLP receiver, with the GenAI attributes.
      const deadline = performance.now() + 15_000;
      const chatSpan = () => otlp!.spans.find((x) => x.name === `chat ${MODEL}`);
      while (chatSpan() === undefined && performance.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      writeFileSync(
        join(artifacts, `nextjs-spans${suffix}.json`),
        `${JSON.stringify(
          otlp!.spans.map(({ name, traceId, spanId, parentSpanId, kind, resource }) => ({
            name,
            traceId,
            spanId,
            parentSpanId,
            kind,
            resource,
          })),
          null,
          2,
        )}\n`,
      );
      const span = chatSpan();
      expect(span, 'no chat span reached the OTLP receiver').toBeDefined();
      expect(otlp!.requests.every((r) => r.status === 200)).toBe(true);
      expect(span!.kind).toBe(3); // SPAN_KIND_CLIENT
      expect(span!.scope).toBe('@tiqology/elite');
      expect(span!.resource['service.name']).toBe(SERVICE);
      expect(span!.attributes).toMatchObject({
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': MODEL,
        'gen_ai.usage.input_tokens': USAGE.prompt_tokens,
        'gen_ai.usage.output_tokens': USAGE.completion_tokens,
        'server.address': '127.0.0.1',
      });
      // A child in the request's trace: Next.js's own spans go to the same provider.
      const request = otlp!.spans.find((x) => x.name === 'POST /api/chat/route' && x.parentSpanId === '');
      expect(request, 'no Next.js request span for /api/chat').toBeDefined();
      expect(span!.traceId).toBe(request!.traceId);
      expect(span!.parentSpanId).not.toBe('');
    });
  });
}

servedBy('next start');
servedBy('standalone');
