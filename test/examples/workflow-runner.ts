/**
 * Runs the `run:` steps of a GitHub Actions job locally, the way a runner does on ubuntu-latest:
 * each script in `bash --noprofile --norc -eo pipefail`, with the workflow, job and step `env`,
 * a fresh `$GITHUB_OUTPUT` per step (read back as `steps.<id>.outputs`), `$GITHUB_STEP_SUMMARY`,
 * and the job stopping at the first failed step. `uses:` steps (checkout, setup-node) are skipped:
 * the test provides what they would. Only the expressions the examples use are understood
 * (`secrets.*`, `vars.*`, `inputs.*`, `env.*`, `steps.<id>.outputs.*` and `if:` comparisons of one
 * of them with a string); anything else throws, so a workflow change cannot silently bypass a test.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

export interface WorkflowStep {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string | number | boolean>;
}

export interface Workflow {
  name?: string;
  on: Record<string, unknown>;
  env?: Record<string, string | number | boolean>;
  jobs: Record<string, { env?: Record<string, string | number | boolean>; steps: WorkflowStep[] }>;
}

/** What `${{ … }}` can refer to: GitHub gives the empty string for a secret or variable that is not set. */
export interface WorkflowContext {
  secrets?: Record<string, string>;
  vars?: Record<string, string>;
  inputs?: Record<string, string>;
}

export interface StepRun {
  label: string;
  id: string | undefined;
  /** False when skipped: a `uses:` step, excluded by `skip`, its `if:` false, or an earlier step failed. */
  ran: boolean;
  /** The step's `if:` as evaluated (true when it has none). */
  condition: boolean;
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
}

export interface JobRun {
  steps: StepRun[];
  /** True when every step that ran exited 0. */
  ok: boolean;
  /** What the steps appended to `$GITHUB_STEP_SUMMARY`. */
  summary: string;
  /** Finds a step by `id` or `name`; throws when there is none. */
  step(label: string): StepRun;
}

export interface RunOptions {
  cwd: string;
  context?: WorkflowContext;
  /** Directories put first on PATH (stubs and shims). */
  path?: string[];
  /** Extra environment for every step (for stubs), below the workflow's own env. */
  env?: Record<string, string>;
  /** Rewrites a script before it runs (e.g. `npx tiqology` → the built CLI). */
  rewrite?: (script: string) => string;
  /** Steps not to run (e.g. `npm ci`, a package install the test machine already has). */
  skip?: (step: WorkflowStep) => boolean;
}

export function loadWorkflow(path: string): Workflow {
  return parse(readFileSync(path, 'utf8')) as Workflow;
}

/** The label of a step in results: its `id`, else its `name`, else its command. */
export function stepLabel(step: WorkflowStep): string {
  return step.id ?? step.name ?? step.run?.split('\n')[0] ?? step.uses ?? '?';
}

interface Scope {
  context: WorkflowContext;
  env: Record<string, string>;
  steps: Record<string, Record<string, string>>;
}

function lookup(source: string, scope: Scope): string {
  const expr = source.trim();
  const path = expr.split('.');
  const [root, a, b, c] = path;
  if (root === 'steps' && path.length === 4 && b === 'outputs') return scope.steps[a as string]?.[c as string] ?? '';
  if (path.length === 2) {
    if (root === 'secrets') return scope.context.secrets?.[a as string] ?? '';
    if (root === 'vars') return scope.context.vars?.[a as string] ?? '';
    if (root === 'inputs') return scope.context.inputs?.[a as string] ?? '';
    if (root === 'env') return scope.env[a as string] ?? '';
  }
  throw new Error(`workflow-runner: unsupported expression "${expr}"`);
}

function substitute(text: string, scope: Scope): string {
  return text.replace(/\$\{\{(.*?)\}\}/g, (_, expr: string) => lookup(expr, scope));
}

function condition(source: string | undefined, scope: Scope): boolean {
  if (source === undefined) return true;
  const expr = source
    .trim()
    .replace(/^\$\{\{(.*)\}\}$/s, '$1')
    .trim();
  const m = /^([\w.-]+)\s*(==|!=)\s*'([^']*)'$/.exec(expr);
  if (!m) throw new Error(`workflow-runner: unsupported if: "${source}"`);
  // GitHub compares strings case-insensitively.
  const equal = lookup(m[1] as string, scope).toLowerCase() === (m[3] as string).toLowerCase();
  return m[2] === '==' ? equal : !equal;
}

function envOf(block: WorkflowStep['env'], scope: Scope): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(block ?? {})) out[k] = substitute(String(v), scope);
  return out;
}

/** `name=value` lines and `name<<DELIMITER` blocks, as the runner reads `$GITHUB_OUTPUT`. */
export function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const body: string[] = [];
      for (i++; i < lines.length && lines[i] !== heredoc[2]; i++) body.push(lines[i] as string);
      out[heredoc[1] as string] = body.join('\n');
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return out;
}

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Asynchronous, so a stand-in server in the test's own process can answer the step. */
function bash(scriptFile: string, cwd: string, env: NodeJS.ProcessEnv): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', scriptFile], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs one job of a workflow; see the file comment for what is emulated. */
export async function runJob(workflow: Workflow, jobId: string, options: RunOptions): Promise<JobRun> {
  const job = workflow.jobs[jobId];
  if (!job) throw new Error(`workflow-runner: no job "${jobId}"`);
  const work = mkdtempSync(join(tmpdir(), 'elite-gha-'));
  const summaryFile = join(work, 'summary.md');
  writeFileSync(summaryFile, '');
  const scope: Scope = { context: options.context ?? {}, env: {}, steps: {} };
  scope.env = envOf(workflow.env, scope);
  scope.env = { ...scope.env, ...envOf(job.env, scope) };
  const steps: StepRun[] = [];
  let failed = false;
  try {
    for (const [index, step] of job.steps.entries()) {
      const label = stepLabel(step);
      const base = { label, id: step.id, code: null, stdout: '', stderr: '', outputs: {} };
      const stepScope: Scope = { ...scope, env: { ...scope.env, ...envOf(step.env, scope) } };
      const cond = !failed && condition(step.if, stepScope);
      if (failed || !cond || step.run === undefined || options.skip?.(step)) {
        steps.push({ ...base, ran: false, condition: cond });
        continue;
      }
      const outputFile = join(work, `output-${index}`);
      writeFileSync(outputFile, '');
      const scriptFile = join(work, `step-${index}.sh`);
      const script = substitute(step.run, stepScope);
      writeFileSync(scriptFile, options.rewrite ? options.rewrite(script) : script);
      const child = await bash(scriptFile, options.cwd, {
        PATH: [...(options.path ?? []), process.env.PATH].join(':'),
        HOME: join(work, 'home'),
        CI: 'true',
        GITHUB_ACTIONS: 'true',
        RUNNER_TEMP: work,
        ...options.env,
        ...stepScope.env,
        GITHUB_OUTPUT: outputFile,
        GITHUB_STEP_SUMMARY: summaryFile,
      });
      const outputs = parseOutputs(readFileSync(outputFile, 'utf8'));
      if (step.id) scope.steps[step.id] = outputs;
      steps.push({ ...base, ran: true, condition: true, code: child.code, stdout: child.stdout, stderr: child.stderr, outputs });
      if (child.code !== 0) failed = true;
    }
    const summary = readFileSync(summaryFile, 'utf8');
    return {
      steps,
      ok: !failed,
      summary,
      step(label) {
        const found = steps.find((s) => s.id === label || s.label === label);
        if (!found) throw new Error(`workflow-runner: no step "${label}" in job "${jobId}"`);
        return found;
      },
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
