/**
 * The guarded-rollout Prometheus source against a real Prometheus server: two app instances serve
 * telemetry with per-variant request metrics, Prometheus scrapes both every second, and the source's
 * figures since a step began equal what the apps recorded after it (summed over the instances,
 * without what came before), then a controller reading them rolls a bad release back.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../../src/adapters/memory.js';
import { createPrometheusSource, createRolloutController } from '../../src/rollouts/index.js';
import type { GroupFigures } from '../../src/rollouts/types.js';
import { createTelemetry, type Telemetry } from '../../src/telemetry/index.js';
import { runCli } from '../cli/in-process.js';
import { freePort, type PrometheusServer, startPrometheus } from './server.js';

const KEY = 'new-checkout';

/** What the test recorded per group, to compare with the source's figures. */
const expected = () => ({ requests: 0, errors: 0, latencySum: 0, latencySumSquares: 0, costSum: 0, costSumSquares: 0 });

describe('createPrometheusSource on a real Prometheus', () => {
  let dir: string;
  let prometheus: PrometheusServer | undefined;
  const apps: Server[] = [];
  const telemetries: Telemetry[] = [];
  let api: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'elite-rollout-prom-'));
    const targets: string[] = [];
    for (let i = 0; i < 2; i++) {
      const telemetry = createTelemetry({ attribution: { flags: [KEY] }, defaultMetrics: false });
      const app = createServer((req, res) => {
        if (req.url === '/metrics') return void telemetry.metricsHandler()(req, res);
        res.statusCode = 404;
        res.end();
      });
      await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
      targets.push(`'127.0.0.1:${(app.address() as AddressInfo).port}'`);
      apps.push(app);
      telemetries.push(telemetry);
    }
    prometheus = await startPrometheus(
      dir,
      [
        'global:',
        '  scrape_interval: 1s',
        'scrape_configs:',
        '  - job_name: rollout-test',
        '    static_configs:',
        `      - targets: [${targets.join(', ')}]`,
        '',
      ].join('\n'),
    );
    api = prometheus.api;
  });

  afterAll(async () => {
    await prometheus?.stop();
    for (const app of apps) await new Promise((r) => app.close(r));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Records `n` requests on each instance; the new code fails every 4th and is 3× slower. Returns what was recorded. */
  const record = (n: number, into: { treatment: GroupFigures; control: GroupFigures }) => {
    telemetries.forEach((telemetry, instance) => {
      for (let i = 0; i < n; i++) {
        const onNew = i % 3 === 0;
        const durationMs = (onNew ? 300 : 100) + ((i * 7 + instance) % 50);
        const failed = onNew ? i % 4 === 0 : i % 40 === 0;
        // The new code's LLM calls cost three times as much per request.
        const costUsd = (onNew ? 0.03 : 0.01) * (1 + ((i * 13 + instance) % 10) / 10);
        telemetry.recordRequest({ route: '/pay', status: failed ? 500 : 200, durationMs, costUsd, flags: { [KEY]: onNew ? 'on' : 'off' } });
        const group = onNew ? into.treatment : into.control;
        group.costSum += costUsd;
        group.costSumSquares += costUsd * costUsd;
        group.requests++;
        if (failed) group.errors++;
        group.latencySum += durationMs;
        group.latencySumSquares += durationMs * durationMs;
      }
    });
  };

  const scrapedTotal = async () => {
    const res = await fetch(`${api}/api/v1/query?query=${encodeURIComponent(`sum(http_variant_requests_total{flag="${KEY}"})`)}`);
    const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
    return Number(body.data.result[0]?.value[1] ?? 0);
  };

  it('reads exactly the requests recorded since the step began, summed over instances', async () => {
    const before = { treatment: expected(), control: expected() };
    record(300, before);
    await expect.poll(scrapedTotal, { timeout: 30_000, interval: 250 }).toBe(600);
    // The step begins after the first batch was scraped by both targets.
    await new Promise((r) => setTimeout(r, 1500));
    const since = Date.now();
    await new Promise((r) => setTimeout(r, 1500));
    const after = { treatment: expected(), control: expected() };
    record(900, after);
    await expect.poll(scrapedTotal, { timeout: 30_000, interval: 250 }).toBe(2400);
    const source = createPrometheusSource({ url: api, selector: 'job="rollout-test"' });
    const figures = await source.read(KEY, since);
    // Counts and latencies (integers) exactly; the cost sums (floats added in another order) to 1e-9.
    const costless = ({ costSum: _s, costSumSquares: _q, ...rest }: GroupFigures) => rest;
    for (const group of ['treatment', 'control'] as const) {
      expect(costless(figures[group])).toEqual(costless(after[group]));
      expect(figures[group].costSum).toBeCloseTo(after[group].costSum, 9);
      expect(figures[group].costSumSquares).toBeCloseTo(after[group].costSumSquares, 9);
    }
    expect(figures.treatment.costSum / figures.treatment.requests).toBeGreaterThan(0.03);
    // Over the whole history (a step begun before any series existed), everything counts.
    const all = await source.read(KEY, since - 60_000);
    expect(all.treatment.requests).toBe(before.treatment.requests + after.treatment.requests);
    expect(all.control.errors).toBe(before.control.errors + after.control.errors);
  });

  it('a selector matching nothing reads zeros; an unreachable Prometheus rejects', async () => {
    const none = await createPrometheusSource({ url: api, selector: 'job="no-such-job"' }).read(KEY, Date.now() - 60_000);
    expect(none.treatment.requests + none.control.requests).toBe(0);
    const down = createPrometheusSource({ url: `http://127.0.0.1:${await freePort()}`, timeoutMs: 2000 });
    await expect(down.read(KEY, Date.now())).rejects.toThrow();
  });

  it('a controller reading Prometheus rolls the bad release back', async () => {
    const at = Date.now();
    const storage = createMemoryStorage({
      flags: [{ key: KEY, environment: 'production', enabled: true, rollout: 5 }],
      now: () => at - 120_000,
    });
    const controller = createRolloutController({
      storage,
      metrics: createPrometheusSource({ url: api }),
      enabled: true,
      plan: {
        flagKey: KEY,
        environment: 'production',
        steps: [5, 25, 100],
        minStepMs: 0,
        minSamplePerStep: 100,
        guardrails: [{ metric: 'error_rate' }, { metric: 'latency' }],
      },
    });
    const decision = await controller.check();
    expect(decision.action).toBe('rollback');
    expect(decision.guardrails.find((g) => g.metric === 'error_rate')?.status).toBe('harmed');
    expect((await storage.getFlag(KEY, 'production'))?.rollout).toBe(0);
  });

  it('a cost_per_request guardrail reads the per-variant cost counters: the costlier release is rolled back', async () => {
    const at = Date.now();
    const storage = createMemoryStorage({
      flags: [{ key: KEY, environment: 'production', enabled: true, rollout: 5 }],
      now: () => at - 120_000,
    });
    const controller = createRolloutController({
      storage,
      metrics: createPrometheusSource({ url: api, selector: 'job="rollout-test"' }),
      enabled: true,
      plan: {
        flagKey: KEY,
        environment: 'production',
        steps: [5, 25, 100],
        minStepMs: 0,
        minSamplePerStep: 100,
        guardrails: [{ metric: 'cost_per_request', tolerance: 0.5 }],
      },
    });
    const decision = await controller.check();
    expect(decision.action).toBe('rollback');
    const cost = decision.guardrails[0]!;
    expect(cost).toMatchObject({ metric: 'cost_per_request', status: 'harmed' });
    expect(cost.treatment / cost.control).toBeGreaterThan(2.5);
    expect(decision.reasons[0]).toMatch(/LLM cost per request is worse on the new code/);
    expect((await storage.getFlag(KEY, 'production'))?.rollout).toBe(0);
  });

  it('tiqology rollout run --once reads the same Prometheus: a dry run reports the rollback (exit 5), --enable writes it', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'elite-rollout-cli-'));
    try {
      const updatedAt = new Date(Date.now() - 120_000).toISOString();
      writeFileSync(
        join(cwd, 'flags.json'),
        JSON.stringify({ flags: [{ key: KEY, environment: 'production', enabled: true, rollout: 5, version: 3, updatedAt }] }),
      );
      writeFileSync(
        join(cwd, 'plan.json'),
        JSON.stringify({
          steps: [5, 25, 100],
          minStep: '1m',
          minSamplePerStep: 100,
          guardrails: [{ metric: 'error_rate' }],
          prometheus: { url: api, selector: 'job="rollout-test"' },
        }),
      );
      const args = ['rollout', 'run', KEY, '--plan', 'plan.json', '--file', 'flags.json', '--once'];
      const flag = () =>
        (JSON.parse(readFileSync(join(cwd, 'flags.json'), 'utf8')) as { flags: { rollout: number; metadata?: object }[] }).flags[0];
      const dry = await runCli(args, { cwd, env: {} });
      expect(dry.code).toBe(5);
      expect(dry.stdout).toMatch(/rollback\s+5 % → 0 %\s+error rate is worse on the new code.*\(dry run: pass --enable to write\)/);
      expect(flag()?.rollout).toBe(5);
      const enabled = await runCli([...args, '--enable'], { cwd, env: {} });
      expect(enabled.code).toBe(5);
      expect(flag()).toMatchObject({ rollout: 0, metadata: { 'rollout.state': 'rolled_back' } });
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
