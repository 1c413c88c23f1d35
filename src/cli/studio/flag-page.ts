/**
 * One flag's page: its state and kill switch, its rules and segments as sentences, the editor
 * (rollout, variants' weights and values, default variant, description, rules and segments as
 * JSON) with each field's error beside it, the history of changes, and the guarded rollout's
 * state and timeline when a rollout controller has written to the flag.
 * @packageDocumentation
 */
import type { FlagChange, StoredFlag } from '@tiqology/elite';
import type { FlagFormState } from './flag-form.js';
import { historyTable, rolloutSection } from './flag-history-view.js';
import { ruleText, segmentLines } from './flag-text.js';
import { envQuery, toggleForm } from './flags-list.js';
import { type Html, html } from './html.js';
import { formKeyField, type PageContext } from './layout.js';

/** A text input with its label and, when there is one, its error (announced, linked by aria-describedby). */
function field(name: string, label: string, state: FlagFormState, options: { type?: string; hint?: string; rows?: number } = {}): Html {
  const id = `f-${name.replace(/[^a-zA-Z0-9]+/g, '-')}`;
  const error = state.errors[name];
  const described = [error === undefined ? '' : `${id}-error`, options.hint === undefined ? '' : `${id}-hint`].filter(Boolean).join(' ');
  const attrs = html`id="${id}" name="${name}"${error === undefined ? '' : html` aria-invalid="true"`}${described ? html` aria-describedby="${described}"` : ''}`;
  const control =
    options.rows === undefined
      ? html`<input ${attrs} type="${options.type ?? 'text'}" value="${state.values[name] ?? ''}">`
      : html`<textarea ${attrs} rows="${options.rows}">${state.values[name] ?? ''}</textarea>`;
  return html`<div class="field"><label for="${id}">${label}</label>${control}${
    options.hint === undefined ? '' : html`<div class="muted" id="${id}-hint">${options.hint}</div>`
  }${error === undefined ? '' : html`<p class="error" id="${id}-error" data-error-for="${name}">${error}</p>`}</div>`;
}

/** Every error at the top of the form, each linking to its field. */
function errorSummary(state: FlagFormState): Html | '' {
  const entries = Object.entries(state.errors);
  if (entries.length === 0) return '';
  return html`<div class="notice bad" role="alert" id="error-summary"><p>Nothing was saved: ${entries.length === 1 ? 'one field needs' : `${entries.length} fields need`} fixing.</p>
<ul>${entries.map(([name, message]) => html`<li><a href="#f-${name.replace(/[^a-zA-Z0-9]+/g, '-')}">${message}</a></li>`)}</ul></div>`;
}

/** The editor. It posts to the review step, which shows the diff before anything is written. */
export function flagEditor(ctx: PageContext, flag: StoredFlag, state: FlagFormState): Html {
  const variants = flag.variants ?? [];
  return html`<form method="post" action="/flags/${flag.key}/edit${envQuery(flag.environment)}" novalidate aria-labelledby="edit-heading">
<h2 id="edit-heading">Edit</h2>
${errorSummary(state)}
${formKeyField(ctx)}<input type="hidden" name="_version" value="${flag.version}"><input type="hidden" name="_step" value="review">
<div class="field"><input type="checkbox" id="f-enabled" name="enabled"${state.values.enabled === 'on' ? html` checked` : ''}> <label for="f-enabled" class="inline">Enabled (kill switch)</label></div>
${field('rollout', 'Rollout (% of users included, 0–100; empty: 100)', state, { type: 'text', hint: 'At most two decimals.' })}
${field('description', 'Description', state)}
${
  variants.length === 0
    ? ''
    : html`<fieldset><legend>Variants (weights sum to 100)</legend>${variants.map(
        (_v, i) =>
          html`${field(`variants[${i}].key`, `Variant ${i + 1} key`, state)}${field(`variants[${i}].weight`, `Variant ${i + 1} weight (%)`, state)}${field(
            `variants[${i}].value`,
            `Variant ${i + 1} value (JSON)`,
            state,
            { rows: 1 },
          )}`,
      )}</fieldset>${field('defaultVariant', 'Default variant (served when the flag is off or the user is not included)', state)}`
}
${field('rules', 'Rules (JSON, first match wins)', state, { rows: 6 })}
${field('segments', 'Segments (JSON, name → condition)', state, { rows: 4 })}
<button type="submit" class="primary">Review changes</button>
</form>`;
}

/** The flag's page: summary, rules as text, editor, rollout and history. */
export function flagPage(
  ctx: PageContext,
  flag: StoredFlag,
  state: FlagFormState,
  history: FlagChange[] | undefined,
  message?: Html,
  plan: Html | '' = '',
): Html {
  const rules = flag.rules ?? [];
  const segments = segmentLines(flag);
  return html`${message ?? ''}
<p><a href="/flags${envQuery(flag.environment)}">← All flags of ${flag.environment}</a></p>
<dl>
<dt>State</dt><dd><span class="${flag.enabled ? 'on' : 'off'}" id="flag-state">${flag.enabled ? 'on' : 'off'}</span> ${toggleForm(ctx, flag, `/flags/${flag.key}${envQuery(flag.environment)}`)}</dd>
<dt>Rollout</dt><dd id="flag-rollout">${flag.rollout ?? 100}%</dd>
<dt>Version</dt><dd id="flag-version">${flag.version}, updated ${flag.updatedAt}</dd>
${flag.description ? html`<dt>Description</dt><dd id="flag-description">${flag.description}</dd>` : ''}
${flag.variants ? html`<dt>Variants</dt><dd>${flag.variants.map((v) => `${v.key} ${v.weight}%`).join(', ')}${flag.defaultVariant ? `; default ${flag.defaultVariant}` : ''}</dd>` : ''}
</dl>
<h2>Rules</h2>
${rules.length === 0 ? html`<p>No rules: everyone included by the rollout gets the flag.</p>` : html`<ol>${rules.map((r) => html`<li>${ruleText(r)}</li>`)}</ol>`}
${segments.length === 0 ? '' : html`<h2>Segments</h2><ul>${segments.map((s) => html`<li>${s}</li>`)}</ul>`}
${flagEditor(ctx, flag, state)}
${plan}
${rolloutSection(flag, history)}
${historyTable(history)}`;
}
