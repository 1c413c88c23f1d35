/**
 * `tiqology demo`: the whole product on the embedded memory store, no services. Flags and a
 * three-variant pricing experiment evaluated for simulated users (seeded, so every run prints the
 * same numbers), telemetry served as Prometheus metrics on 127.0.0.1 while it runs, then a
 * 24-hour traffic forecast of a bundled real series with the scaling decision, the 7-day cost
 * forecast and the SVG chart.
 *
 * This file reads the command line and prints; the parts live in `../demo/`: the scenario, the
 * simulated users, the metrics endpoint and the traffic outlook.
 * @packageDocumentation
 */
import type { ExperimentResults } from '@tiqology/elite';
import { seededRandom } from '../../internal/seeded-random.js';
import { type CommandContext, quoteArguments } from '../context.js';
import { type AnomalyAct, OUTAGE_START_H, runAnomalyAct } from '../demo/anomaly-act.js';
import type { MetricsScrape } from '../demo/metrics-endpoint.js';
import { scrapeMetrics, serveMetrics } from '../demo/metrics-endpoint.js';
import { type RolloutAct, runRolloutAct } from '../demo/rollout-act.js';
import { rolloutChart } from '../demo/rollout-chart.js';
import { DEMO_CAPACITY, DEMO_ENVIRONMENT, DEMO_FLAGS, PRICING } from '../demo/scenario.js';
import { type SimulationTotals, simulateUsers } from '../demo/simulate-users.js';
import { forecastDemoTraffic, outlookChart, type TrafficOutlook } from '../demo/traffic-outlook.js';
import { decisionLines, renderForecast } from '../forecast-text.js';
import { EXIT, usageError, writeTextFile } from '../io.js';
import type { Output } from '../output.js';
import { createProgress } from '../progress.js';
import { renderResultsTable } from '../table.js';

/** The demo's command line, checked. */
interface DemoOptions {
  users: number;
  seed: number;
  port: number;
  svgPath: string;
  keepServing: boolean;
}

/** Writes one line of human text (stdout, or stderr under `--json`). */
type Say = (text?: string) => void;

function wholeNumber(name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const text = String(value);
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) throw usageError(`--${name} must be a whole number from ${min} to ${max}, got "${text}"`);
  return n;
}

function demoOptions({ positionals, values }: CommandContext): DemoOptions {
  if (positionals.length > 0) throw usageError(`demo: takes no arguments, got ${quoteArguments(positionals)}`);
  const users = wholeNumber('users', values.users, 6000, 100, 1_000_000);
  const seed = wholeNumber('seed', values.seed, 42, 0, 2 ** 32 - 1);
  const port = wholeNumber('port', values.port, 0, 0, 65_535);
  const svgPath = typeof values.svg === 'string' ? values.svg : 'tiqology-demo-forecast.svg';
  if (svgPath.trim() === '') throw usageError('--svg must name a file');
  return { users, seed, port, svgPath, keepServing: values['keep-serving'] === true };
}

const count = (n: number) => n.toLocaleString('en-US');

function sayFlags(say: Say, out: Output): void {
  say(out.colors.bold('Flags'));
  say('  dark-mode      toggle, on');
  say('  new-checkout   progressive rollout, 25% of users');
  say(
    `  pricing-test   experiment 34/33/33: ${Object.entries(PRICING)
      .map(([k, v]) => `${k} $${v.priceUsd}/month`)
      .join(', ')}`,
  );
  say();
}

function saySimulation(say: Say, out: Output, { users, seed }: DemoOptions, totals: SimulationTotals): void {
  say(out.colors.bold(`Simulated ${count(users)} users (seed ${seed})`));
  say(`  dark-mode on for ${count(totals.darkMode)} of ${count(users)} users; new-checkout (25% rollout) for ${count(totals.newCheckout)}`);
  say(`  ${count(totals.purchases)} purchases, $${count(totals.revenueUsd)} of monthly revenue`);
  say();
}

function sayTelemetry(say: Say, out: Output, url: string, scraped: MetricsScrape, snapshot: { p95Ms: number; errorRate: number }): void {
  say(out.colors.bold('Telemetry'));
  say(
    `  ${url} answered ${scraped.status} with ${count(scraped.samples)} samples: ${count(scraped.completions)} chat completions, ${count(scraped.tokens)} tokens, $${scraped.costUsd.toFixed(2)} of LLM cost, ${count(scraped.requests)} requests`,
  );
  say(`  p95 request latency ${Math.round(snapshot.p95Ms)} ms, error rate ${(100 * snapshot.errorRate).toFixed(1)}%`);
  say();
}

function sayOutlook(say: Say, out: Output, { forecast, decision, cost }: TrafficOutlook): void {
  say(
    renderForecast(
      forecast,
      out.colors.bold(`Traffic forecast, 24 h ahead of 4 weeks of hourly NYC taxi demand (NAB, MIT licence) as request load`),
      8,
    ),
  );
  say();
  say(`Capacity of the current fleet: ${count(DEMO_CAPACITY)} requests/hour`);
  for (const line of decisionLines(decision)) say(line);
  say(cost.summary);
  say();
}

/** The anomaly act: the alert the injected outage fired, how soon, and its resolution. */
function sayAnomalies(say: Say, out: Output, act: AnomalyAct): void {
  say(
    `${out.colors.bold('Anomaly watch')} (telemetry.watchAnomalies): learned ${count(act.learned)} hours, then 24 simulated live hours with an outage at +${OUTAGE_START_H} h (traffic at 30 %)`,
  );
  const iso = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
  for (const t of act.transitions) {
    const after = Math.round((t.at - act.outageAt) / 3_600_000);
    const color = t.state === 'firing' ? out.colors.red : out.colors.green;
    say(`  ${iso(t.at)}  ${color(`${t.name} ${t.state}`.padEnd(24))}  ${after >= 0 ? '+' : ''}${after} h from the outage: ${t.summary}`);
  }
  if (act.transitions.length === 0) say('  no alert fired');
  say();
}

/** Everything the demo found, as the one JSON document of `--json`. */
function demoJson(
  options: DemoOptions,
  totals: SimulationTotals,
  results: ExperimentResults,
  metrics: { url: string } & MetricsScrape,
  { forecast, decision, cost, peak }: TrafficOutlook,
  elapsedMs: number,
): Record<string, unknown> {
  return {
    users: options.users,
    seed: options.seed,
    flags: { darkMode: totals.darkMode, newCheckout: totals.newCheckout },
    purchases: totals.purchases,
    revenueUsd: totals.revenueUsd,
    results,
    metrics,
    forecast: { model: forecast.model, peak: { timestamp: peak.timestamp.toISOString(), mean: peak.mean } },
    decision: { decision: decision.decision, confidence: decision.confidence, reasons: decision.reasons },
    cost: { summary: cost.summary, total: cost.total, averagePerDay: cost.averagePerDay },
    svg: options.svgPath,
    elapsedMs,
  };
}

/** Where the rollout chart goes: beside the forecast chart, as `tiqology-demo-rollout.svg`. */
function rolloutSvgPath(forecastSvg: string): string {
  const slash = forecastSvg.lastIndexOf('/');
  return `${forecastSvg.slice(0, slash + 1)}tiqology-demo-rollout.svg`;
}

/** The guarded-rollout act as a short timeline. */
function sayRollout(say: Say, out: Output, act: RolloutAct): void {
  say(`${out.colors.bold('Guarded rollout')} of new-search: new code at 4 % errors against 1 %, plan 1 → 5 → 25 → 50 → 100 %`);
  for (const d of act.timeline) {
    const minute = `+${Math.round((d.at - act.startedAt) / 60_000)} min`.padStart(7);
    const color = d.action === 'rollback' ? out.colors.red : out.colors.green;
    say(`  ${minute}  ${color(d.action.padEnd(8))}  ${`${d.from} % → ${d.to} %`.padEnd(11)}  ${d.reasons.join('; ')}`);
  }
  const last = act.timeline.at(-1);
  if (last?.action === 'rollback')
    say(`  Caught at ${last.from} %: ${count(act.exposedUsers)} users saw the bad release, of ${count(act.requests)} requests simulated.`);
  say();
}

/** Resolves on the first SIGINT or SIGTERM (Ctrl-C), for `--keep-serving`. */
function untilInterrupted(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** `tiqology demo`: see the help text in the command table. */
export async function run(context: CommandContext): Promise<number> {
  const { io, out } = context;
  const options = demoOptions(context);
  const started = performance.now();
  // Human text goes to stdout; with --json it goes to stderr and stdout holds one JSON document.
  const say: Say = out.json ? (text = '') => out.note(text) : (text = '') => out.line(text);
  const logger = { warn: (m: string) => out.note(m), error: (m: string) => out.note(m) };

  const [{ createFlags }, { createMemoryStorage }, { createTelemetry }] = await Promise.all([
    import('@tiqology/elite'),
    import('@tiqology/elite/adapters/memory'),
    import('@tiqology/elite/telemetry'),
  ]);

  say(out.colors.bold('TiQology Elite demo: flags, experiments, telemetry and forecasts on the embedded memory store'));
  say();

  const flags = createFlags({ storage: createMemoryStorage({ flags: DEMO_FLAGS }), environment: DEMO_ENVIRONMENT, logger });
  await flags.refresh();
  sayFlags(say, out);

  // Telemetry, served to Prometheus while the simulation runs.
  const telemetry = createTelemetry({ flags, alerts: false, logger });
  const metrics = await serveMetrics(telemetry, options.port);
  try {
    say(`${out.colors.bold('Prometheus metrics')} while the demo runs: ${metrics.url}`);
    say();

    const progress = createProgress(io.stderr as Parameters<typeof createProgress>[0], {
      total: options.users,
      label: 'Simulating users',
      colors: out.colors,
    });
    const totals = await simulateUsers(flags, telemetry, { users: options.users, random: seededRandom(options.seed), progress });
    saySimulation(say, out, options, totals);

    const results = await flags.results('pricing-test', { event: 'purchase' });
    say(renderResultsTable(results, { colors: out.colors, title: 'pricing-test, event purchase' }));
    say();

    const scraped = await scrapeMetrics(metrics.url);
    const snapshot = telemetry.snapshot();
    sayTelemetry(say, out, metrics.url, scraped, snapshot);

    const outlook = await forecastDemoTraffic(io, snapshot.p95Ms);
    sayOutlook(say, out, outlook);
    const anomalies = runAnomalyAct(telemetry, outlook, seededRandom(options.seed ^ 0xa11e));
    sayAnomalies(say, out, anomalies);
    const fired = anomalies.transitions.filter((t) => t.state === 'firing');
    await writeTextFile(
      io,
      options.svgPath,
      await outlookChart(
        outlook,
        fired.map((t) => ({ at: t.at, label: `${t.name} ${Math.round(t.value).toLocaleString('en-US')}` })),
      ),
    );
    say(`Forecast chart: ${options.svgPath}`);
    say();

    // A separate seeded stream: the act's users do not shift the simulation's.
    const act = await runRolloutAct(seededRandom(options.seed ^ 0x5eed));
    const rolloutSvg = rolloutSvgPath(options.svgPath);
    sayRollout(say, out, act);
    await writeTextFile(io, rolloutSvg, rolloutChart(act));
    say(`Rollout chart: ${rolloutSvg}`);
    const elapsedS = (performance.now() - started) / 1000;
    say(`Done in ${elapsedS.toFixed(1)} s.`);

    if (out.json)
      out.data({
        ...demoJson(options, totals, results, { url: metrics.url, ...scraped }, outlook, Math.round(elapsedS * 1000)),
        rollout: { timeline: act.timeline, exposedUsers: act.exposedUsers, requests: act.requests, svg: rolloutSvg },
        anomalies: { outageAt: new Date(anomalies.outageAt).toISOString(), transitions: anomalies.transitions },
      });
    if (options.keepServing) {
      say(`Serving ${metrics.url} until Ctrl-C.`);
      await untilInterrupted();
    }
    return EXIT.OK;
  } finally {
    await flags.close();
    await telemetry.shutdown();
    await metrics.close();
  }
}
