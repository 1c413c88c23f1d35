import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../test/cli/in-process.js';
import { parseDuration } from './rollout-plan-file.js';

let dir: string;
const cli = (args: string[]) => runCli(args, { cwd: dir, env: {} });

/** A port nothing listens on: Prometheus is down. */
const closedPort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });

const flagsFile = (flag: Record<string, unknown>) => {
  writeFileSync(join(dir, 'flags.json'), JSON.stringify({ flags: [{ key: 'new-checkout', environment: 'production', ...flag }] }));
};
const stored = () => (JSON.parse(readFileSync(join(dir, 'flags.json'), 'utf8')) as { flags: Record<string, unknown>[] }).flags[0];

const writePlan = (plan: Record<string, unknown>) => writeFileSync(join(dir, 'plan.json'), JSON.stringify(plan));

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'elite-rollout-cli-'));
  writePlan({
    steps: [1, 5, 25, 100],
    minStep: '10m',
    guardrails: [{ metric: 'error_rate' }],
    prometheus: { url: `http://127.0.0.1:${await closedPort()}`, timeoutMs: 2000 },
  });
});

describe('tiqology rollout', () => {
  it('usage errors exit 2: no subcommand, unknown one, no key, no --plan, bad --interval', async () => {
    flagsFile({ enabled: true, rollout: 0 });
    expect((await cli(['rollout'])).code).toBe(2);
    expect((await cli(['rollout', 'runn', 'x'])).stderr).toMatch(/unknown subcommand "runn".*run/);
    expect((await cli(['rollout', 'run'])).stderr).toMatch(/expected <key>/);
    expect((await cli(['rollout', 'run', 'new-checkout', '--file', 'flags.json'])).stderr).toMatch(/--plan <file> is needed/);
    const interval = await cli(['rollout', 'run', 'new-checkout', '--plan', 'plan.json', '--interval', '10', '--file', 'flags.json']);
    expect(interval.code).toBe(2);
    expect(interval.stderr).toMatch(/--interval must be a duration/);
  });

  it('a bad plan file fails before the store is touched, naming the field', async () => {
    flagsFile({ enabled: true, rollout: 0 });
    writePlan({ steps: [5, 1], guardrails: [{ metric: 'error_rate' }], prometheus: { url: 'http://127.0.0.1:9' } });
    const steps = await cli(['rollout', 'run', 'new-checkout', '--plan', 'plan.json', '--file', 'flags.json', '--once']);
    expect(steps.code).toBe(1);
    expect(steps.stderr).toMatch(/steps must increase/);
    writePlan({ steps: [5], guardrails: [{ metric: 'error_rate' }] });
    expect((await cli(['rollout', 'run', 'new-checkout', '--plan', 'plan.json', '--file', 'flags.json'])).stderr).toMatch(
      /prometheus must be an object/,
    );
    // Only experiment-metric guardrails read the store alone; any request guardrail needs Prometheus.
    writePlan({ steps: [5], guardrails: [{ metric: { key: 'c', kind: 'binomial', source: { event: 'buy' } } }, { metric: 'latency' }] });
    expect((await cli(['rollout', 'run', 'new-checkout', '--plan', 'plan.json', '--file', 'flags.json'])).stderr).toMatch(
      /prometheus must be an object/,
    );
    writePlan({ steps: [5], minStep: 'ten', guardrails: [{ metric: 'error_rate' }], prometheus: { url: 'http://127.0.0.1:9' } });
    expect((await cli(['rollout', 'run', 'new-checkout', '--plan', 'plan.json', '--file', 'flags.json'])).stderr).toMatch(
      /minStep must be a duration/,
    );
    writePlan({ flagKey: 'other', steps: [5], guardrails: [{ metric: 'error_rate' }], prometheus: { url: 'http://127.0.0.1:9' } });
    expect((await cli(['rollout', 'run', 'new-checkout', '--plan', 'plan.json', '--file', 'flags.json'])).stderr).toMatch(/differs/);
  });

  it('--once with Prometheus down holds (exit 3) and writes nothing, even with --enable', async () => {
    flagsFile({ enabled: true, rollout: 5 });
    const before = stored();
    const run = await cli(['rollout', 'run', 'new-checkout', '--plan', 'plan.json', '--file', 'flags.json', '--once', '--enable']);
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/hold\s+5 %\s+metrics unavailable/);
    expect(stored()).toEqual(before);
  });

  it('--once at the last step completes (exit 4); --json prints the decision', async () => {
    flagsFile({ enabled: true, rollout: 100 });
    const run = await cli(['rollout', 'run', 'new-checkout', '--plan', 'plan.json', '--file', 'flags.json', '--once', '--json']);
    expect(run.code).toBe(4);
    expect(JSON.parse(run.stdout)).toMatchObject({ flagKey: 'new-checkout', action: 'complete', from: 100, to: 100 });
  });

  it('resume clears the rollback state (the run holds before, and not for that reason after)', async () => {
    flagsFile({ enabled: true, rollout: 0, metadata: { 'rollout.state': 'rolled_back', owner: 'payments' } });
    const held = await cli(['rollout', 'run', 'new-checkout', '--plan', 'plan.json', '--file', 'flags.json', '--once']);
    expect(held.code).toBe(3);
    expect(held.stdout).toMatch(/rolled back earlier/);
    const resumed = await cli(['rollout', 'resume', 'new-checkout', '--file', 'flags.json']);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/rollout state cleared/);
    expect(stored()?.metadata).toEqual({ owner: 'payments' });
    const again = await cli(['rollout', 'resume', 'new-checkout', '--file', 'flags.json']);
    expect(again.stdout).toMatch(/not rolled back/);
    const after = await cli(['rollout', 'run', 'new-checkout', '--plan', 'plan.json', '--file', 'flags.json', '--once']);
    expect(after.stdout).not.toMatch(/rolled back earlier/);
    expect((await cli(['rollout', 'resume', 'nope', '--file', 'flags.json'])).code).toBe(1);
  });

  it('parses durations', () => {
    expect([parseDuration('90s'), parseDuration('10m'), parseDuration('1h'), parseDuration('500ms'), parseDuration('10')]).toEqual([
      90_000,
      600_000,
      3_600_000,
      500,
      undefined,
    ]);
  });
});
