/**
 * The shipped Prometheus rules and Grafana dashboard against the real tools: `promtool check
 * rules` and `promtool test rules`, then a Prometheus server on 127.0.0.1 scraping a test app
 * that serves telemetry.metricsHandler() and sees each alert fire (a test copy of the rules with
 * 1 s `for:` durations; scrape and evaluation every second). The app also records attributed
 * LLM completions, so that every query of the Grafana dashboard returns data, the attribution
 * panels (cost per feature, top spenders, cost per variant) included.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../../src/adapters/memory.js';
import { createFlags } from '../../src/flags/index.js';
import { createTelemetry } from '../../src/telemetry/index.js';
import { type PrometheusServer, startPrometheus } from './server.js';

const root = new URL('../..', import.meta.url).pathname;
const RULES = join(root, 'prometheus/alerts.yml');
const ALERTS = [
  'EliteHighErrorRate',
  'EliteErrorBudgetBurnFast',
  'EliteErrorBudgetBurnSlow',
  'EliteHighLatencyP95',
  'EliteLowFlagCacheHitRatio',
  'EliteMetricAnomaly',
];

describe('promtool', () => {
  it('checks the shipped rules', () => {
    const out = execFileSync('promtool', ['check', 'rules', RULES], { encoding: 'utf8' });
    expect(out).toMatch(/SUCCESS: 17 rules found/);
  });

  it('passes the rule unit tests', () => {
    const out = execFileSync('promtool', ['test', 'rules', join(root, 'test/prometheus/alerts.test.yml')], { encoding: 'utf8' });
    expect(out).toMatch(/SUCCESS/);
  });

  it('rejects a broken rule file (the check can fail)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'elite-rules-'));
    try {
      writeFileSync(join(dir, 'bad.yml'), readFileSync(RULES, 'utf8').replace('> 0.05 and', '> > 0.05 and'));
      expect(() => execFileSync('promtool', ['check', 'rules', join(dir, 'bad.yml')], { stdio: 'pipe' })).toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a real Prometheus scraping a test app', () => {
  let dir: string;
  let prometheus: PrometheusServer | undefined;
  let app: Server;
  let api: string;
  let traffic: ReturnType<typeof setInterval> | undefined;
  const flags = createFlags({ storage: createMemoryStorage() });
  // Top spenders over 1 s windows so that the per-user counters move within the test.
  const telemetry = createTelemetry({ flags, attribution: { flags: ['new-prompt'], topUsers: 5, topUsersWindowMs: 1000 } });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'elite-prometheus-'));
    app = createServer((req, res) => {
      if (req.url === '/metrics') return void telemetry.metricsHandler()(req, res);
      res.statusCode = 404;
      res.end();
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    const appPort = (app.address() as AddressInfo).port;
    // The test copy: same expressions, `for:` shortened so each alert fires within seconds.
    writeFileSync(join(dir, 'alerts.yml'), readFileSync(RULES, 'utf8').replace(/for: \S+/g, 'for: 1s'));
    prometheus = await startPrometheus(
      dir,
      [
        'global:',
        '  scrape_interval: 1s',
        '  evaluation_interval: 1s',
        'rule_files:',
        `  - ${join(dir, 'alerts.yml')}`,
        'scrape_configs:',
        '  - job_name: elite-test',
        '    static_configs:',
        `      - targets: ['127.0.0.1:${appPort}']`,
        '',
      ].join('\n'),
    );
    api = prometheus.api;
    // An anomaly watch whose last point left its expected band: two weeks of a daily shape, then a drop.
    const watch = telemetry.watchAnomalies({ series: 'custom' });
    const hour = 3_600_000;
    const shape = (h: number) => 1000 + 500 * Math.sin((2 * Math.PI * (h % 24)) / 24);
    for (let h = 0; h < 14 * 24; h++) watch.observe(h * hour, shape(h));
    const drop = watch.observe(14 * 24 * hour, 0.05 * shape(14 * 24));
    expect(drop.observed).toBeLessThan(drop.expected.lower);
    // Traffic while Prometheus scrapes: half the requests fail, all take 800 ms, every flag
    // lookup is of a new key (a cache miss).
    let key = 0;
    traffic = setInterval(() => {
      for (let i = 0; i < 10; i++)
        telemetry.recordRequest({ method: 'POST', route: '/api/chat', status: i % 2 ? 500 : 200, durationMs: 800 });
      for (let i = 0; i < 10; i++) void flags.isEnabled(`flag-${key++}`, 'user-1');
      // LLM traffic: a whale and a dolphin among many light users, two features, two variants.
      for (let i = 0; i < 10; i++) {
        const userId = i < 4 ? 'whale' : i < 6 ? 'dolphin' : `light-${key}-${i}`;
        telemetry.recordCompletion({
          provider: 'openai',
          model: 'gpt-4o',
          inputTokens: userId === 'whale' ? 4000 : 400,
          outputTokens: 100,
          durationMs: 900,
          timeToFirstTokenMs: 300,
          status: 'ok',
          userId,
          feature: i % 2 ? 'search' : 'chat',
          flags: { 'new-prompt': i % 3 ? 'control' : 'treatment', 'not-listed': 'on' },
        });
      }
    }, 100);
  });

  afterAll(async () => {
    if (traffic) clearInterval(traffic);
    await prometheus?.stop();
    await new Promise((r) => app?.close(r));
    await flags.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('scrapes the app and loads the rules', async () => {
    await expect
      .poll(
        async () => {
          const body = (await (await fetch(`${api}/api/v1/targets`)).json()) as { data: { activeTargets: { health: string }[] } };
          return body.data.activeTargets.map((t) => t.health);
        },
        { timeout: 30_000, interval: 500 },
      )
      .toEqual(['up']);
    const rules = (await (await fetch(`${api}/api/v1/rules`)).json()) as { data: { groups: { rules: { health: string }[] }[] } };
    const all = rules.data.groups.flatMap((g) => g.rules);
    expect(all).toHaveLength(17);
    expect(all.every((r) => r.health === 'ok')).toBe(true);
  });

  it('fires each alert', async () => {
    const firing = async () => {
      const body = (await (await fetch(`${api}/api/v1/alerts`)).json()) as {
        data: { alerts: { labels: Record<string, string>; state: string }[] };
      };
      return body.data.alerts
        .filter((a) => a.state === 'firing' && a.labels.job === 'elite-test')
        .map((a) => a.labels.alertname)
        .sort();
    };
    await expect.poll(firing, { timeout: 90_000, interval: 1000 }).toEqual([...ALERTS].sort());
  });

  const query = async (expr: string) => {
    const res = await fetch(`${api}/api/v1/query?query=${encodeURIComponent(expr)}`);
    return (await res.json()) as {
      status: string;
      error?: string;
      data: { result: { metric: Record<string, string>; value: [number, string] }[] };
    };
  };

  it('every Grafana dashboard query is valid PromQL and returns data', async () => {
    const dashboard = JSON.parse(readFileSync(join(root, 'grafana/dashboard.json'), 'utf8')) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => ({ title: p.title, expr: t.expr.replaceAll('$job', '.*') })));
    expect(exprs.length).toBeGreaterThan(20);
    // The per-user counters need two window ends before increase() has two samples.
    await expect
      .poll(async () => (await query('increase(llm_user_cost_usd_total{user="whale"}[1h])')).data.result.length, {
        timeout: 30_000,
        interval: 1000,
      })
      .toBeGreaterThan(0);
    for (const { title, expr } of exprs) {
      const body = await query(expr);
      expect({ title, expr, status: body.status, error: body.error }).toEqual({ title, expr, status: 'success', error: undefined });
      expect({ title, expr, series: body.data.result.length > 0 }).toEqual({ title, expr, series: true });
    }
  });

  it('the attribution panels show the expected series', async () => {
    const dashboard = JSON.parse(readFileSync(join(root, 'grafana/dashboard.json'), 'utf8')) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    const panel = async (title: string, refId = 0) => {
      const expr = dashboard.panels.find((p) => p.title === title)?.targets[refId]?.expr as string;
      return (await query(expr.replaceAll('$job', '.*'))).data.result;
    };
    const byFeature = await panel('LLM cost per hour by feature');
    expect(byFeature.map((r) => r.metric.feature).sort()).toEqual(['chat', 'search']);
    // The whale (4 calls of 4,400 tokens each tick) and the dolphin top the table; light users are _other.
    const top = await panel('Top spenders (last hour)');
    const ranked = [...top].sort((a, b) => Number(b.value[1]) - Number(a.value[1])).map((r) => r.metric.user);
    expect(ranked.slice(0, 2)).toEqual(['whale', 'dolphin']);
    expect(ranked.length).toBeLessThanOrEqual(10);
    expect((await panel('Top spenders (last hour)', 1)).map((r) => r.metric.user)).toEqual(['_other']);
    for (const title of ['LLM cost per hour by flag variant', 'LLM cost per call by flag variant']) {
      const series = await panel(title);
      expect(series.map((r) => `${r.metric.flag}=${r.metric.variant}`).sort()).toEqual(['new-prompt=control', 'new-prompt=treatment']);
      expect(series.every((r) => Number(r.value[1]) > 0)).toBe(true);
    }
  });
});
