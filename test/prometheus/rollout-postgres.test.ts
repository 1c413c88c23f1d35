/**
 * A guarded rollout end to end on the real components together: the flag lives in the real
 * PostgreSQL, an app (a real HTTP server with a flags client on that store) serves requests and
 * exports per-variant metrics, the real Prometheus scrapes it every second, and
 * `tiqology rollout run --once --enable --database-url …`, run again and again as a scheduled job
 * would, starts the rollout, then rolls the bad release back. The flag's history in PostgreSQL
 * keeps each decision with its figures. And the scheduled workflow of
 * examples/github-actions/guarded-rollout.yml, with the shipped plan, against the same two.
 *
 * Runs in `npm run test:prometheus`; .ci/run starts PostgreSQL before it and keeps DATABASE_URL
 * exported (locally: `npm run db:start` and export the URL it prints).
 */
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStorage, migrate } from '../../src/adapters/postgres.js';
import type { StorageAdapter } from '../../src/adapters/types.js';
import { createFlags } from '../../src/flags/create-flags.js';
import type { FlagsClient } from '../../src/flags/index.js';
import { createTelemetry } from '../../src/telemetry/index.js';
import { buildCli, removeCli, root } from '../cli/build.js';
import { runCli } from '../cli/in-process.js';
import { loadWorkflow, runJob } from '../examples/workflow-runner.js';
import { type PrometheusServer, startPrometheus } from './server.js';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL is not set: this suite needs PostgreSQL too (`npm run db:start`, export the URL it prints)');

const KEY = 'guarded-checkout';
const ENV = 'production';
const quiet = { warn: () => {}, error: () => {} };

describe('a guarded rollout on the real PostgreSQL and the real Prometheus', () => {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  let storage: StorageAdapter;
  let flags: FlagsClient;
  let app: Server;
  let appUrl: string;
  let prometheus: PrometheusServer | undefined;
  let dir: string;
  let served = 0;

  beforeAll(async () => {
    await migrate(pool);
    await pool.query('delete from feature_flags where key = $1', [KEY]);
    await pool.query('delete from feature_flag_history where key = $1', [KEY]);
    storage = createPostgresStorage({ pool });
    await storage.writeFlag({ key: KEY, environment: ENV, enabled: true, rollout: 0 }, { updatedBy: 'test' });
    flags = createFlags({ storage, environment: ENV, logger: quiet, trackExposures: false });
    const telemetry = createTelemetry({ attribution: { flags: [KEY] }, defaultMetrics: false });
    // The app: the new code path fails a quarter of its requests and costs three times as much.
    app = createServer(async (req, res) => {
      if (req.url === '/metrics') return void telemetry.metricsHandler()(req, res);
      const user = new URL(req.url ?? '/', 'http://app').searchParams.get('user') ?? 'anonymous';
      const started = performance.now();
      const onNew = await flags.isEnabled(KEY, user);
      const failed = onNew ? served % 4 === 0 : served % 100 === 0;
      served++;
      res.statusCode = failed ? 500 : 200;
      res.end();
      telemetry.recordRequest({
        route: '/checkout',
        status: res.statusCode,
        durationMs: performance.now() - started,
        costUsd: onNew ? 0.03 : 0.01,
        flags: { [KEY]: onNew ? 'on' : 'off' },
      });
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    dir = mkdtempSync(join(tmpdir(), 'elite-rollout-pg-prom-'));
    prometheus = await startPrometheus(
      dir,
      [
        'global:',
        '  scrape_interval: 1s',
        'scrape_configs:',
        '  - job_name: checkout',
        '    static_configs:',
        `      - targets: ['${appUrl.slice('http://'.length)}']`,
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'plan.json'),
      JSON.stringify({
        steps: [10, 50, 100],
        minStep: '1m',
        minSamplePerStep: 100,
        guardrails: [{ metric: 'error_rate' }, { metric: 'cost_per_request', tolerance: 0.5 }],
        prometheus: { url: prometheus.api, selector: 'job="checkout"' },
      }),
    );
  });

  afterAll(async () => {
    await flags?.close();
    await prometheus?.stop();
    await new Promise((r) => app?.close(r));
    if (dir) rmSync(dir, { recursive: true, force: true });
    await pool.end();
  });

  const rolloutRun = () =>
    runCli(['rollout', 'run', KEY, '--plan', join(dir, 'plan.json'), '--database-url', url, '--env', ENV, '--once', '--enable'], {
      cwd: dir,
      env: {},
    });

  const scraped = async () => {
    const query = encodeURIComponent(`sum(http_variant_requests_total{flag="${KEY}",job="checkout"})`);
    const body = (await (await fetch(`${prometheus?.api}/api/v1/query?query=${query}`)).json()) as {
      data: { result: { value: [number, string] }[] };
    };
    return Number(body.data.result[0]?.value[1] ?? 0);
  };

  it('starts the rollout, rolls the bad release back from what Prometheus scraped, and the history in PostgreSQL says why', async () => {
    // First scheduled run: nothing to compare yet, the rollout starts at the first step.
    const start = await rolloutRun();
    expect(start.stdout).toMatch(/advance\s+0 % → 10 %\s+starting at 10 %/);
    expect(start.code).toBe(0);
    expect((await storage.getFlag(KEY, ENV))?.rollout).toBe(10);
    await flags.refresh();

    // Traffic on the 10 % step, through HTTP; Prometheus scrapes it.
    for (let i = 0; i < 2_000; i++) {
      const res = await fetch(`${appUrl}/checkout?user=user-${i}`);
      await res.arrayBuffer();
    }
    await expect.poll(scraped, { timeout: 30_000, interval: 250 }).toBe(2_000);

    // Next scheduled run: the new code's error rate and cost per request are worse, with the plan's confidence.
    const check = await rolloutRun();
    expect(check.stdout).toMatch(/rollback\s+10 % → 0 %\s+error rate is worse on the new code/);
    expect(check.stdout).toMatch(/LLM cost per request is worse on the new code/);
    expect(check.code).toBe(5);
    expect(await storage.getFlag(KEY, ENV)).toMatchObject({ rollout: 0, metadata: { 'rollout.state': 'rolled_back' } });

    // And the one after holds: a rolled-back flag waits for a person.
    const after = await rolloutRun();
    expect(after.code).toBe(3);
    expect(after.stdout).toMatch(/rolled back earlier/);

    const history = await storage.listFlagHistory!(KEY, ENV);
    const byController = history.filter((c) => c.updatedBy === 'rollout-controller').reverse();
    expect(byController.map((c) => [c.before?.rollout, c.after?.rollout])).toEqual([
      [0, 10],
      [10, 0],
    ]);
    expect(byController[0]?.after?.metadata?.['rollout.decision']).toMatch(/^advance 0 % → 10 %: starting at 10 %/);
    expect(byController[1]?.after?.metadata?.['rollout.decision']).toMatch(
      /^rollback 10 % → 0 %: error rate is worse on the new code: [\d.]+ % against [\d.]+ %/,
    );
  });

  it('examples/github-actions/guarded-rollout.yml with the shipped plan: advance (exit 0), then hold (exit 3), on PostgreSQL and Prometheus', async () => {
    const flagKey = 'guarded-gha';
    await pool.query('delete from feature_flags where key = $1', [flagKey]);
    await storage.writeFlag({ key: flagKey, environment: ENV, enabled: true, rollout: 0 }, { updatedBy: 'test' });
    const bin = await buildCli();
    const repo = mkdtempSync(join(tmpdir(), 'elite-gha-rollout-'));
    try {
      mkdirSync(join(repo, 'bin'));
      writeFileSync(join(repo, 'bin/tiqology'), `#!/usr/bin/env bash\nexec "${process.execPath}" "${bin}" "$@"\n`);
      chmodSync(join(repo, 'bin/tiqology'), 0o755);
      mkdirSync(join(repo, '.github/rollouts'), { recursive: true });
      copyFileSync(join(root, 'examples/github-actions/rollout-plan.json'), join(repo, `.github/rollouts/${flagKey}.json`));
      const workflow = loadWorkflow(join(root, 'examples/github-actions/guarded-rollout.yml'));
      const job = () =>
        runJob(workflow, 'check', {
          cwd: repo,
          context: { secrets: { DATABASE_URL: url, PROMETHEUS_URL: prometheus?.api ?? '' }, vars: { ROLLOUT_FLAG: flagKey } },
          path: [join(repo, 'bin')],
          rewrite: (script) => script.replaceAll('npx tiqology', 'tiqology'),
          skip: (step) => step.run?.trim() === 'npm ci',
        });
      const first = await job();
      expect(first.ok).toBe(true);
      expect(first.step('check')).toMatchObject({ code: 0, outputs: { action: 'advance' } });
      expect(first.summary).toMatch(/^### guarded-gha: advance \(exit 0\)\n0 % → 1 %\n- starting at 1 %/);
      expect(await storage.getFlag(flagKey, ENV)).toMatchObject({ rollout: 1 });
      const second = await job();
      expect(second.ok).toBe(true);
      expect(second.step('check').outputs.action).toBe('hold');
      expect(second.summary).toMatch(/^### guarded-gha: hold \(exit 3\)\n1 % → 1 %\n- the step has run \d+ s of 1800 s/);
    } finally {
      removeCli(bin);
      rmSync(repo, { recursive: true, force: true });
    }
  });
});
