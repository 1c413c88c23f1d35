/**
 * A flag's past: the table of recorded changes (the store's history, newest first) and, when a
 * guarded-rollout controller has written to the flag, its state and the timeline of its
 * decisions, read from those same changes (the controller records each decision in the flag's
 * metadata, under `rollout.decision`).
 * @packageDocumentation
 */
import type { FlagChange, StoredFlag } from '@tiqology/elite';
import { describeChange } from '../commands/flags-history.js';
import { type Html, html } from './html.js';

// The rollout controller's metadata keys and writer (exported by @tiqology/elite/rollouts as
// ROLLOUT_STATE_KEY, ROLLOUT_DECISION_KEY, ROLLOUT_WRITER); the studio test checks they agree,
// so that the flags pages do not load the rollouts entry.
const STATE_KEY = 'rollout.state';
const DECISION_KEY = 'rollout.decision';
const WRITER = 'rollout-controller';

const show = (v: unknown) => (v === undefined ? '(unset)' : JSON.stringify(v));

/** The history section: a table, or why there is none. */
export function historyTable(history: FlagChange[] | undefined): Html {
  if (history === undefined) {
    return html`<h2>History</h2><p>This store keeps no history of changes (a flags file's history is its version control; PostgreSQL and Supabase keep one).</p>`;
  }
  if (history.length === 0) return html`<h2>History</h2><p>No recorded changes.</p>`;
  return html`<h2>History</h2><table id="history"><caption>Changes, newest first</caption>
<thead><tr><th scope="col" class="num">Version</th><th scope="col">Action</th><th scope="col">At</th><th scope="col">By</th><th scope="col">Changes</th></tr></thead>
<tbody>${history.map(
    (c) =>
      html`<tr><td class="num">${c.version}</td><td>${c.action}</td><td>${c.at}</td><td>${c.updatedBy ?? '–'}</td><td>${describeChange(c)}</td></tr>`,
  )}</tbody></table>`;
}

/** The guarded rollout's section, when the flag has one: state, scheduled steps and the controller's decisions. */
export function rolloutSection(flag: StoredFlag, history: FlagChange[] | undefined): Html | '' {
  const decisions = (history ?? []).filter(
    (c) =>
      c.updatedBy === WRITER ||
      (c.after?.metadata?.[DECISION_KEY] !== undefined && c.after?.metadata?.[DECISION_KEY] !== c.before?.metadata?.[DECISION_KEY]),
  );
  const state = flag.metadata?.[STATE_KEY];
  const last = flag.metadata?.[DECISION_KEY];
  const schedule = flag.schedule ?? [];
  if (decisions.length === 0 && state === undefined && last === undefined && schedule.length === 0) return '';
  return html`<h2>Rollout</h2>
${state === 'rolled_back' ? html`<p class="notice bad" role="status">Rolled back by the guarded-rollout controller: it holds until someone runs <code>tiqology rollout resume ${flag.key}</code>.</p>` : ''}
${last === undefined ? '' : html`<p>Last decision: ${String(last)}</p>`}
${
  schedule.length === 0
    ? ''
    : html`<table><caption>Scheduled steps</caption><thead><tr><th scope="col">At</th><th scope="col">Enabled</th><th scope="col" class="num">Rollout</th></tr></thead>
<tbody>${schedule.map((s) => html`<tr><td>${s.at}</td><td>${s.enabled === undefined ? '–' : s.enabled ? 'on' : 'off'}</td><td class="num">${s.rollout === undefined ? '–' : `${s.rollout}%`}</td></tr>`)}</tbody></table>`
}
${
  decisions.length === 0
    ? ''
    : html`<table id="rollout-timeline"><caption>Timeline of the controller's decisions, newest first</caption>
<thead><tr><th scope="col">At</th><th scope="col">Rollout</th><th scope="col">Decision</th></tr></thead>
<tbody>${decisions.map(
        (c) =>
          html`<tr><td>${c.at}</td><td>${show(c.before?.rollout ?? 100)} → ${show(c.after?.rollout ?? 100)}</td><td>${String(c.after?.metadata?.[DECISION_KEY] ?? describeChange(c))}</td></tr>`,
      )}</tbody></table>`
}`;
}
