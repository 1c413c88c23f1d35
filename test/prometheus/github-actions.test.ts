/**
 * The promtool steps of examples/github-actions/observability.yml, run as written from the
 * repository root (the workflow's paths are this repository's): both pass on the shipped rules,
 * and a broken rule fails the check step and stops the job before the unit tests. The install step
 * (`sudo apt-get install prometheus`) is skipped: this suite runs where promtool is installed.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadWorkflow, runJob, type WorkflowStep } from '../examples/workflow-runner.js';

const root = new URL('../..', import.meta.url).pathname;
const workflow = loadWorkflow(join(root, 'examples/github-actions/observability.yml'));
const skipInstall = (step: WorkflowStep) => step.name === 'Install promtool';

describe('observability.yml', () => {
  it('checks and unit-tests the shipped rules', async () => {
    const job = await runJob(workflow, 'promtool', { cwd: root, skip: skipInstall });
    expect(job.ok).toBe(true);
    expect(job.step('Check the rules')).toMatchObject({ ran: true, code: 0 });
    expect(job.step('Check the rules').stdout).toMatch(/SUCCESS: 17 rules found/);
    expect(job.step('Unit-test the rules')).toMatchObject({ ran: true, code: 0 });
    expect(job.step('Unit-test the rules').stdout).toMatch(/SUCCESS/);
  });

  it('watches the files its commands read', () => {
    const paths = (workflow.on.push as { paths: string[] }).paths;
    const env = workflow.env as { RULES: string; RULE_TESTS: string };
    expect(paths).toEqual((workflow.on.pull_request as { paths: string[] }).paths);
    expect(paths).toContain(`${env.RULES.split('/')[0]}/**`);
    expect(paths).toContain('test/prometheus/*.yml');
    expect(env.RULE_TESTS).toMatch(/^test\/prometheus\/[^/]+\.yml$/);
  });

  it('a broken rule fails the check and the job stops there', async () => {
    // The same layout in a scratch repository, with one expression broken.
    const repo = mkdtempSync(join(tmpdir(), 'elite-observability-'));
    try {
      mkdirSync(join(repo, 'prometheus'));
      mkdirSync(join(repo, 'test/prometheus'), { recursive: true });
      writeFileSync(
        join(repo, 'prometheus/alerts.yml'),
        readFileSync(join(root, 'prometheus/alerts.yml'), 'utf8').replace('> 0.05 and', '> > 0.05 and'),
      );
      cpSync(join(root, 'test/prometheus/alerts.test.yml'), join(repo, 'test/prometheus/alerts.test.yml'));
      const job = await runJob(workflow, 'promtool', { cwd: repo, skip: skipInstall });
      expect(job.ok).toBe(false);
      expect(job.step('Check the rules').code).toBe(1);
      expect(job.step('Check the rules').stderr).toMatch(/FAILED/);
      expect(job.step('Unit-test the rules').ran).toBe(false);
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });
});
