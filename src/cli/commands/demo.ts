/**
 * `tiqology demo`: the whole product on the embedded memory store, no services. Flags and a
 * three-variant pricing experiment evaluated for simulated users (seeded, so every run prints the
 * same numbers), telemetry served as Prometheus metrics on 127.0.0.1 while it runs, then a
 * 24-hour traffic forecast of a bundled real series with the scaling decision, the 7-day cost
 * forecast and the SVG chart.
 * @packageDocumentation
 */
import type { AddressInfo } from 'node:net';
import type { FlagDefinition } from '@tiqology/elite';
import { columnIndex, readColumns, readCsvTable } from '../csv-input.js';
import { CliError, EXIT, usageError } from '../io.js';
import { packageRoot } from '../package-root.js';
import { createProgress } from '../progress.js';
import type { CommandContext } from '../registry.js';
import { renderResultsTable } from '../table.js';
import { decisionLines } from './decide.js';
import { renderForecast } from './forecast.js';

const ENVIRONMENT = 'production';

/** Monthly price and the share of exposed users who buy, per variant of `pricing-test`. */
export const PRICING = {
  control: { priceUsd: 20, conversionRate: 0.04 },
  'annual-discount': { priceUsd: 25, conversionRate: 0.056 },
  premium: { priceUsd: 30, conversionRate: 0.031 },
} as const;

/** The demo's flags: a toggle, a progressive rollout and the pricing experiment. */
export const DEMO_FLAGS: FlagDefinition[] = [
  { key: 'dark-mode', environment: ENVIRONMENT, enabled: true, description: 'A plain toggle' },
  { key: 'new-checkout', environment: ENVIRONMENT, enabled: true, rollout: 25, description: 'Progressive rollout at 25%' },
  {
    key: 'pricing-test',
    environment: ENVIRONMENT,
    enabled: true,
    description: 'Three price points',
    variants: [
      { key: 'control', weight: 34, value: { priceUsd: PRICING.control.priceUsd } },
      { key: 'annual-discount', weight: 33, value: { priceUsd: PRICING['annual-discount'].priceUsd } },
      { key: 'premium', weight: 33, value: { priceUsd: PRICING.premium.priceUsd } },
    ],
  },
];

/** Load the current fleet handles at 100%, in requests per hour of the bundled series. */
export const DEMO_CAPACITY = 58_000;

/**
 * mulberry32: a small seeded PRNG with a full 2^32 period, uniform in [0, 1). Not
 * cryptographic; here only so every run of the demo simulates the same users.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function wholeNumber(name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const text = String(value);
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) throw usageError(`--${name} must be a whole number from ${min} to ${max}, got "${text}"`);
  return n;
}

/** The bundled traffic series: data/demo/traffic.csv of the installed package. */
function demoDataPath(): string {
  const root = packageRoot();
  if (root === undefined) throw new CliError('demo: cannot find the @tiqology/elite package directory holding data/demo/traffic.csv');
  return new URL('data/demo/traffic.csv', root.url).pathname;
}

const count = (n: number) => n.toLocaleString('en-US');

export async function run({ positionals, values, io, out }: CommandContext): Promise<number> {
  if (positionals.length > 0) throw usageError(`demo: takes no arguments, got ${positionals.map((p) => `"${p}"`).join(' ')}`);
  const users = wholeNumber('users', values.users, 6000, 100, 1_000_000);
  const seed = wholeNumber('seed', values.seed, 42, 0, 2 ** 32 - 1);
  const port = wholeNumber('port', values.port, 0, 0, 65_535);
  const svgPath = typeof values.svg === 'string' ? values.svg : 'tiqology-demo-forecast.svg';
  if (svgPath.trim() === '') throw usageError('--svg must name a file');
  const started = performance.now();
  const { bold } = out.colors;
  // Human text goes to stdout; with --json it goes to stderr and stdout holds one JSON document.
  const say = out.json ? (text = '') => out.note(text) : (text = '') => out.line(text);

  const [{ createFlags }, { createMemoryStorage }, { createTelemetry }, { createServer }] = await Promise.all([
    import('@tiqology/elite'),
    import('@tiqology/elite/adapters/memory'),
    import('@tiqology/elite/telemetry'),
    import('node:http'),
  ]);

  say(bold('TiQology Elite demo: flags, experiments, telemetry and forecasts on the embedded memory store'));
  say();

  // 1. Flags on the memory store.
  const storage = createMemoryStorage({ flags: DEMO_FLAGS });
  const flags = createFlags({ storage, environment: ENVIRONMENT, logger: { warn: (m) => out.note(m), error: (m) => out.note(m) } });
  await flags.refresh();
  say(bold('Flags'));
  say('  dark-mode      toggle, on');
  say('  new-checkout   progressive rollout, 25% of users');
  say(
    `  pricing-test   experiment 34/33/33: ${Object.entries(PRICING)
      .map(([k, v]) => `${k} $${v.priceUsd}/month`)
      .join(', ')}`,
  );
  say();

  // 2. Telemetry, served to Prometheus while the simulation runs.
  const telemetry = createTelemetry({ flags, alerts: false, logger: { warn: (m) => out.note(m), error: (m) => out.note(m) } });
  const handler = telemetry.metricsHandler();
  const server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new CliError(`demo: cannot serve metrics on 127.0.0.1:${port}: ${error.code ?? error.message}`, 1, { cause: error })),
    );
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const metricsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;

  try {
    say(`${bold('Prometheus metrics')} while the demo runs: ${metricsUrl}`);
    say();

    // 3. Simulated users: flags, purchases, chat requests and LLM completions, all seeded.
    const random = seededRandom(seed);
    const progress = createProgress(io.stderr as Parameters<typeof createProgress>[0], {
      total: users,
      label: 'Simulating users',
      colors: out.colors,
    });
    let darkMode = 0;
    let newCheckout = 0;
    let purchases = 0;
    let revenueUsd = 0;
    for (let i = 0; i < users; i++) {
      const user = { targetingKey: `user-${String(i).padStart(5, '0')}`, plan: random() < 0.3 ? 'team' : 'personal' };
      if (await flags.isEnabled('dark-mode', user)) darkMode++;
      if (await flags.isEnabled('new-checkout', user)) newCheckout++;
      const variant = (await flags.getVariant('pricing-test', user)) as keyof typeof PRICING | undefined;
      const turns = 1 + Math.floor(random() * 3);
      for (let t = 0; t < turns; t++) {
        const inputTokens = 300 + Math.floor(random() * 1500);
        const outputTokens = 60 + Math.floor(random() * 400);
        // 80-160 tokens a second after the first one.
        const durationMs = 250 + outputTokens * (6 + 6 * random());
        const failed = random() < 0.01;
        telemetry.recordCompletion({
          provider: 'openai',
          model: 'gpt-4o-mini',
          inputTokens,
          outputTokens: failed ? 0 : outputTokens,
          durationMs,
          timeToFirstTokenMs: 150 + 300 * random(),
          status: failed ? 'error' : 'ok',
        });
        telemetry.recordRequest({ method: 'POST', route: '/api/chat', status: failed ? 502 : 200, durationMs: durationMs + 15 });
      }
      if (variant !== undefined && random() < PRICING[variant].conversionRate) {
        flags.track('purchase', user, { value: PRICING[variant].priceUsd });
        purchases++;
        revenueUsd += PRICING[variant].priceUsd;
      }
      progress.tick();
      // Let the metrics server (and a scraper) in between batches.
      if (i % 250 === 249) await new Promise((resolve) => setImmediate(resolve));
    }
    progress.done();
    say(bold(`Simulated ${count(users)} users (seed ${seed})`));
    say(`  dark-mode on for ${count(darkMode)} of ${count(users)} users; new-checkout (25% rollout) for ${count(newCheckout)}`);
    say(`  ${count(purchases)} purchases, $${count(revenueUsd)} of monthly revenue`);
    say();

    // 4. The experiment's results.
    const results = await flags.results('pricing-test', { event: 'purchase' });
    say(renderResultsTable(results, { colors: out.colors, title: 'pricing-test, event purchase' }));
    say();

    // 5. The metrics endpoint, scraped once as Prometheus would.
    const response = await fetch(metricsUrl);
    const exposition = await response.text();
    const sample = (name: string) => {
      let sum = 0;
      for (const m of exposition.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.eE+-]+)$`, 'gm'))) sum += Number(m[1]);
      return sum;
    };
    const snapshot = telemetry.snapshot();
    const scraped = {
      status: response.status,
      samples: exposition.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length,
      completions: sample('llm_chat_completions_total'),
      tokens: sample('llm_tokens_total'),
      costUsd: sample('llm_cost_usd_total'),
      requests: sample('http_server_request_duration_seconds_count'),
    };
    say(bold('Telemetry'));
    say(
      `  ${metricsUrl} answered ${scraped.status} with ${count(scraped.samples)} samples: ${count(scraped.completions)} chat completions, ${count(scraped.tokens)} tokens, $${scraped.costUsd.toFixed(2)} of LLM cost, ${count(scraped.requests)} requests`,
    );
    say(`  p95 request latency ${Math.round(snapshot.p95Ms)} ms, error rate ${(100 * snapshot.errorRate).toFixed(1)}%`);
    say();

    // 6. Forecast, decision, cost and chart from the bundled series.
    const dataPath = demoDataPath();
    const table = await readCsvTable(dataPath, io);
    table.label = 'data/demo/traffic.csv';
    const ti = columnIndex(table, 'ts', 'time-column', []);
    const requests = readColumns(table, ti, columnIndex(table, 'requests', 'column', []));
    const costs = readColumns(table, ti, columnIndex(table, 'cost_usd', 'column', []));
    const { cost, decide, fromColumns, toSVG, traffic } = await import('@tiqology/elite/forecast');
    const forecast = traffic(fromColumns(requests.timestamps, requests.values), { horizon: '24h' });
    say(
      renderForecast(
        forecast,
        bold(`Traffic forecast, 24 h ahead of 4 weeks of hourly NYC taxi demand (NAB, MIT licence) as request load`),
        8,
      ),
    );
    say();
    const decision = decide({ forecast, capacity: DEMO_CAPACITY, metrics: { latencyMs: snapshot.p95Ms } });
    say(`Capacity of the current fleet: ${count(DEMO_CAPACITY)} requests/hour`);
    for (const line of decisionLines(decision)) say(line);
    const toPoints = (c: { timestamps: string[]; values: number[] }) =>
      c.timestamps.map((timestamp, i) => ({ timestamp, value: c.values[i] as number }));
    const costForecast = cost(toPoints(costs), { horizonDays: 7, drivers: { requests: toPoints(requests) } });
    say(costForecast.summary);
    say();

    const peak = forecast.steps.reduce((a, b) => (b.mean > a.mean ? b : a));
    const svg = toSVG(forecast, {
      title: 'Requests per hour: forecast 24 h ahead (NYC taxi demand, NAB)',
      markers: [{ timestamp: peak.timestamp, kind: decision.decision, label: `${decision.decision} ${decision.confidence.toFixed(2)}` }],
    });
    const { writeFile } = await import('node:fs/promises');
    const { resolve } = await import('node:path');
    await writeFile(resolve(io.cwd, svgPath), svg);
    const elapsedS = (performance.now() - started) / 1000;
    say(`Forecast chart: ${svgPath}`);
    say(`Done in ${elapsedS.toFixed(1)} s.`);

    if (out.json) {
      out.data({
        users,
        seed,
        flags: { darkMode, newCheckout },
        purchases,
        revenueUsd,
        results,
        metrics: { url: metricsUrl, ...scraped },
        forecast: { model: forecast.model, peak: { timestamp: peak.timestamp.toISOString(), mean: peak.mean } },
        decision: { decision: decision.decision, confidence: decision.confidence, reasons: decision.reasons },
        cost: { summary: costForecast.summary, total: costForecast.total, averagePerDay: costForecast.averagePerDay },
        svg: svgPath,
        elapsedMs: Math.round(elapsedS * 1000),
      });
    }
    if (values['keep-serving'] === true) {
      say(`Serving ${metricsUrl} until Ctrl-C.`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    }
    return EXIT.OK;
  } finally {
    await flags.close();
    await telemetry.shutdown();
    await new Promise((resolve) => server.close(resolve));
  }
}
