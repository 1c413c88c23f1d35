/**
 * A guarded rollout's plan on the flag's page, when the studio was given `--plans <dir>`: the plan
 * file `<dir>/<flag>.json` that `tiqology rollout run <flag> --plan` reads, checked the same way,
 * shown as its steps (the current one marked), time and sample per step, guardrails, what harm
 * does and the error budget. The Prometheus URL of the file is never shown.
 * @packageDocumentation
 */
import { join } from 'node:path';
import type { StoredFlag } from '@tiqology/elite';
import type { CliIo } from '../io.js';
import { readPlanFile } from '../rollout-plan-file.js';
import { type Html, html } from './html.js';
import { notice } from './layout.js';

const silentIo = (cwd: string): CliIo => ({
  stdout: { write: () => true },
  stderr: { write: () => true },
  env: {},
  cwd,
  readStdin: async () => '',
});

/** The plan section of `flag`, or nothing when `dir` is unset or holds no plan for it. */
export async function planSection(flag: StoredFlag, dir: string | undefined): Promise<Html | ''> {
  if (dir === undefined) return '';
  const path = join(dir, `${flag.key}.json`);
  const { existsSync } = await import('node:fs');
  if (!existsSync(path)) return '';
  let plan: Awaited<ReturnType<typeof readPlanFile>>['plan'];
  try {
    ({ plan } = await readPlanFile(path, silentIo(dir), flag.key, flag.environment));
  } catch (error) {
    return html`<h2>Rollout plan</h2>${notice(`The plan file ${flag.key}.json cannot be used: ${(error as Error).message.replace(dir, '')}`, 'bad')}`;
  }
  const current = flag.rollout ?? 100;
  const minutes = (plan.minStepMs ?? 600_000) / 60_000;
  return html`<h2>Rollout plan</h2>
<ol id="rollout-plan">${plan.steps.map((step) => html`<li${step === current ? html` aria-current="step"` : ''}>${step}%${step === current ? ' (now)' : ''}</li>`)}</ol>
<p>At least ${minutes} min and ${plan.minSamplePerStep ?? 1000} requests on the new code per step; on harm: ${plan.onHarm ?? 'rollback'}; error budget α = ${plan.alpha ?? 0.05}.</p>
<ul>${plan.guardrails.map(
    (g) =>
      html`<li>Guardrail: ${typeof g.metric === 'string' ? g.metric : `${g.metric.key} (${g.metric.kind})`}${g.tolerance ? `, tolerance ${Math.round(g.tolerance * 100)}%` : ''}</li>`,
  )}</ul>`;
}
