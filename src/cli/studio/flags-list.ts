/**
 * The flags page: every flag of an environment with its state, rollout and variants, a search
 * box (a GET form, filtered on the server; the script filters as you type), and a kill-switch
 * button per flag that posts the version it shows, so a concurrent change is a conflict.
 * @packageDocumentation
 */
import type { StoredFlag } from '@tiqology/elite';
import { type Html, html } from './html.js';
import { formKeyField, type PageContext } from './layout.js';

/** The query string of a page of the environment `env`. */
export const envQuery = (env: string): string => `?env=${encodeURIComponent(env)}`;

/** A flag matches the search when its key or description contains the text, ignoring case. */
export const matchesSearch = (flag: StoredFlag, search: string): boolean =>
  search === '' || `${flag.key} ${flag.description ?? ''}`.toLowerCase().includes(search.toLowerCase());

/** The environment picker and the search box: one GET form, labelled. */
function searchForm(env: string, search: string): Html {
  return html`<form method="get" action="/flags" role="search">
<label for="env-input">Environment</label> <input id="env-input" name="env" value="${env}" size="14" pattern="[a-z0-9][a-z0-9._\\-]{0,127}">
<label for="flag-search">Search flags</label> <input id="flag-search" name="q" type="search" value="${search}" aria-describedby="search-status">
<button type="submit">Show</button>
</form>`;
}

/** The kill-switch form of one flag: turns it on or off at the version shown. */
export function toggleForm(ctx: PageContext, flag: StoredFlag, back: string): Html {
  const verb = flag.enabled ? 'Turn off' : 'Turn on';
  return html`<form class="inline" method="post" action="/flags/${flag.key}/toggle${envQuery(flag.environment)}">${formKeyField(ctx)}
<input type="hidden" name="version" value="${flag.version}"><input type="hidden" name="enabled" value="${flag.enabled ? '' : 'on'}">
<input type="hidden" name="back" value="${back}">
<button type="submit" aria-label="${verb} ${flag.key}">${verb}</button></form>`;
}

/** The variants column: `control 50, treatment 50`, or `toggle` for a flag without variants. */
const variantsText = (flag: StoredFlag): string => (flag.variants ? flag.variants.map((v) => `${v.key} ${v.weight}`).join(', ') : 'toggle');

/** The flags page's body. */
export function flagsList(ctx: PageContext, env: string, search: string, flags: readonly StoredFlag[], message?: Html): Html {
  const shown = flags.filter((f) => matchesSearch(f, search)).sort((a, b) => a.key.localeCompare(b.key));
  const rows = shown.map(
    (f) => html`<tr data-search="${`${f.key} ${f.description ?? ''}`.toLowerCase()}" data-flag="${f.key}">
<th scope="row"><a href="/flags/${f.key}${envQuery(env)}">${f.key}</a>${f.description ? html`<div class="muted">${f.description}</div>` : ''}</th>
<td><span class="${f.enabled ? 'on' : 'off'}" data-field="enabled">${f.enabled ? 'on' : 'off'}</span></td>
<td class="num" data-field="rollout">${f.rollout ?? 100}%</td>
<td>${variantsText(f)}</td>
<td class="num">${f.version}</td>
<td>${f.updatedAt}</td>
<td>${toggleForm(ctx, f, `/flags${envQuery(env)}${search ? `&q=${encodeURIComponent(search)}` : ''}`)}</td>
</tr>`,
  );
  return html`${message ?? ''}${searchForm(env, search)}
<p id="search-status" role="status">${shown.length} ${shown.length === 1 ? 'flag' : 'flags'} shown</p>
${
  flags.length === 0
    ? html`<p>No flags in environment “${env}”. Create one with <code>tiqology flags set</code>.</p>`
    : html`<table id="flag-table"><caption>Flags of ${env}</caption>
<thead><tr><th scope="col">Key</th><th scope="col">State</th><th scope="col" class="num">Rollout</th><th scope="col">Variants</th><th scope="col" class="num">Version</th><th scope="col">Updated</th><th scope="col">Kill switch</th></tr></thead>
<tbody>${rows}</tbody></table>`
}`;
}
