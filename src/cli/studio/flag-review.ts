/**
 * The steps between the editor and the store: the diff of what would change, with the form's
 * values carried in hidden fields to the save step; and the conflict page, shown when the flag
 * changed since it was read (nothing is written: the page shows what the other writer stored).
 * @packageDocumentation
 */
import type { FlagDefinition, StoredFlag } from '@tiqology/elite';
import { changedFields } from '../commands/flags-history.js';
import { definitionOf } from './flag-form.js';
import { envQuery } from './flags-list.js';
import { type Html, html } from './html.js';
import { formKeyField, notice, type PageContext } from './layout.js';

const pretty = (v: unknown) => (v === undefined ? '(unset)' : JSON.stringify(v, null, 2));

/** The differing fields of two definitions as a table: field, before, after. */
export function diffTable(
  before: FlagDefinition,
  after: FlagDefinition,
  caption: string,
  headings: { before: string; after: string; marked: boolean } = { before: 'Before', after: 'After', marked: true },
): Html {
  const fields = changedFields(before, after);
  if (fields.length === 0) return html`<p id="diff-empty">No change: the form holds what is stored.</p>`;
  const b = before as unknown as Record<string, unknown>;
  const a = after as unknown as Record<string, unknown>;
  return html`<table id="diff"><caption>${caption}</caption>
<thead><tr><th scope="col">Field</th><th scope="col">${headings.before}</th><th scope="col">${headings.after}</th></tr></thead>
<tbody>${fields.map((f) => {
    const was = html`<pre>${pretty(b[f])}</pre>`;
    const now = html`<pre>${pretty(a[f])}</pre>`;
    // del/ins mark a change about to be made; a conflict compares two versions, neither of them removed.
    return html`<tr data-field="${f}"><th scope="row">${f}</th><td>${headings.marked ? html`<del>${was}</del>` : was}</td><td>${headings.marked ? html`<ins>${now}</ins>` : now}</td></tr>`;
  })}</tbody></table>`;
}

/** The review page: the diff, and a Save button that posts the same values with the version read. */
export function reviewPage(ctx: PageContext, stored: StoredFlag, next: FlagDefinition, values: Record<string, string>): Html {
  const changed = changedFields(definitionOf(stored), next).length > 0;
  return html`<p>Version ${stored.version} of <a href="/flags/${stored.key}${envQuery(stored.environment)}">${stored.key}</a> (${stored.environment}), checked by the same validation every store runs.</p>
${diffTable(definitionOf(stored), next, 'What saving changes')}
<form method="post" action="/flags/${stored.key}/edit${envQuery(stored.environment)}">${formKeyField(ctx)}
<input type="hidden" name="_version" value="${stored.version}"><input type="hidden" name="_step" value="save">
${Object.entries(values).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
${changed ? html`<button type="submit" class="primary">Save version ${stored.version + 1}</button> ` : ''}<a href="/flags/${stored.key}${envQuery(stored.environment)}">Cancel</a>
</form>`;
}

/** The conflict page: the flag changed since it was read; what is stored now, against what was submitted. */
export function conflictPage(readVersion: number, current: StoredFlag | undefined, submitted: FlagDefinition | undefined): Html {
  if (current === undefined) {
    return notice(`Nothing was saved: the flag was deleted since you read version ${readVersion}.`, 'bad');
  }
  return html`${notice(
    html`<strong>Conflict: nothing was saved.</strong> You edited version ${readVersion}, but the flag is now at version ${current.version} (updated ${current.updatedAt}). Your change was not written over it.`,
    'bad',
  )}
${
  submitted === undefined
    ? ''
    : diffTable(definitionOf(current), submitted, `Stored version ${current.version} against your change`, {
        before: `Stored now (version ${current.version})`,
        after: 'Your change (not saved)',
        marked: false,
      })
}
<p><a href="/flags/${current.key}${envQuery(current.environment)}">Open version ${current.version} and edit again</a></p>`;
}
