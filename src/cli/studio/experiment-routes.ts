/**
 * The experiments routes: the flags with variants, and one experiment's results as the SDK
 * computes them (`results()`, the call behind `tiqology results`): every variant's rate with its
 * interval, uplift, p-value and chance to beat control, the SRM check, the verdict sentence, an
 * interval chart, and the metric analysis when metrics are asked for. The window (since, until)
 * and the event are pickers of a GET form; `/experiments/<flag>/results.json` answers the same
 * JSON as `tiqology results <flag> --json` for the same query.
 * @packageDocumentation
 */
import type { ExperimentResults, ResultsOptions } from '@tiqology/elite';
import { renderAnalysis } from '../experiment-text.js';
import { CliError } from '../io.js';
import { parseAnalysisOptions } from '../metric-options.js';
import { envQuery } from './flags-list.js';
import { type Html, html, trustedSvg } from './html.js';
import { intervalChartSVG } from './interval-svg.js';
import { notice, page } from './layout.js';
import { envOf, keyOf, type Reply, RequestError, type RouteContext } from './reply.js';

const ISO = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/;

/** The query of one experiment from the URL, validated as `tiqology results` validates its options. */
interface ExperimentQuery {
  options: ResultsOptions;
  event: string;
  since: string;
  until: string;
  metrics: string;
  engine: string;
  sequential: boolean;
  error?: string;
}

function readQuery(url: URL): ExperimentQuery {
  const p = url.searchParams;
  const q: ExperimentQuery = {
    options: {},
    event: (p.get('event') ?? '').trim(),
    since: (p.get('since') ?? '').trim(),
    until: (p.get('until') ?? '').trim(),
    metrics: p.get('metrics') ?? '',
    engine: p.get('engine') ?? 'frequentist',
    sequential: p.get('sequential') === 'on',
  };
  if (q.event !== '') q.options.event = q.event;
  for (const name of ['since', 'until'] as const) {
    if (q[name] === '') continue;
    if (!ISO.test(q[name]) || Number.isNaN(Date.parse(q[name])))
      q.error = `${name} must be an ISO 8601 date or time (2026-01-31), got "${q[name]}"`;
    else q.options[name] = new Date(q[name]).toISOString();
  }
  if (q.options.since !== undefined && q.options.until !== undefined && q.options.since >= q.options.until)
    q.error = 'since must be before until';
  const lines = q.metrics
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  if (lines.length > 0 && q.error === undefined) {
    try {
      const values: Record<string, string | boolean | string[]> = {
        metric: lines.filter((l) => !l.includes('/')),
        ratio: lines.filter((l) => l.includes('/')),
        engine: q.engine,
      };
      if (q.sequential) values.sequential = true;
      const analysis = parseAnalysisOptions(values);
      if (analysis !== undefined) q.options.analysis = analysis;
    } catch (error) {
      q.error = (error as Error).message.replace(/--metric|--ratio/g, 'metric');
    }
  }
  return q;
}

/** The JSON of `tiqology results --json`: the query, then the results. */
function resultsJson(flagKey: string, environment: string, options: ResultsOptions, results: ExperimentResults): Record<string, unknown> {
  const query = {
    flagKey,
    environment,
    event: options.event ?? null,
    since: (options.since as string | undefined) ?? null,
    until: (options.until as string | undefined) ?? null,
  };
  return { ...query, ...results };
}

async function compute(ctx: RouteContext, flagKey: string, environment: string, options: ResultsOptions): Promise<ExperimentResults> {
  if (options.analysis !== undefined && typeof ctx.storage.queryMetricStats !== 'function') {
    throw new RequestError(400, 'this store cannot compute metric statistics: metrics need PostgreSQL or Supabase');
  }
  const { createFlags } = await import('@tiqology/elite');
  const client = createFlags({ storage: ctx.storage, environment, trackExposures: false, logger: { warn: () => {}, error: () => {} } });
  try {
    return await client.results(flagKey, options);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'FLAG_NOT_FOUND') throw new RequestError(404, (error as Error).message);
    if (code === 'INVALID_OPTIONS') throw new RequestError(400, (error as Error).message);
    throw error;
  } finally {
    await client.close();
  }
}

/** GET /experiments: the flags of the environment that have variants. */
export async function listExperiments(ctx: RouteContext): Promise<Reply> {
  const env = envOf(ctx);
  const flags = (await ctx.storage.listFlags(env)).filter((f) => (f.variants?.length ?? 0) > 1).sort((a, b) => a.key.localeCompare(b.key));
  const body = html`<form method="get" action="/experiments"><label for="env-input">Environment</label> <input id="env-input" name="env" value="${env}"> <button type="submit">Show</button></form>
${
  flags.length === 0
    ? html`<p>No flag with variants in environment “${env}”.</p>`
    : html`<ul>${flags.map((f) => html`<li><a href="/experiments/${f.key}${envQuery(env)}">${f.key}</a> <span class="muted">${f.variants?.map((v) => `${v.key} ${v.weight}%`).join(', ')}</span></li>`)}</ul>`
}`;
  return { status: 200, html: page(ctx.page, 'experiments', `Experiments · ${env}`, body) };
}

const pct = (x: number | undefined, digits = 2) => (x === undefined ? '–' : `${(100 * x).toFixed(digits)}%`);
const num = (x: number | undefined) => (x === undefined ? '' : String(x));

/** The results table: each shown number carries its exact value in data-raw, as the JSON has it. */
function resultsTable(r: ExperimentResults): Html {
  return html`<table id="results"><caption>Variants (control: ${r.control})</caption>
<thead><tr><th scope="col">Variant</th><th scope="col" class="num">Users</th><th scope="col" class="num">Conversions</th><th scope="col" class="num">Rate</th><th scope="col" class="num">95% interval</th><th scope="col" class="num">Uplift</th><th scope="col" class="num">p-value</th><th scope="col" class="num">Chance to beat control</th><th scope="col" class="num">Value per user</th></tr></thead>
<tbody>${r.variants.map(
    (
      v,
    ) => html`<tr data-variant="${v.variant}"><th scope="row">${v.variant}${v.variant === r.control ? ' (control)' : ''}${r.winner === v.variant ? ' ★ winner' : ''}</th>
<td class="num" data-field="exposures" data-raw="${v.exposures}">${v.exposures}</td>
<td class="num" data-field="conversions" data-raw="${v.conversions}">${v.conversions}</td>
<td class="num" data-field="conversionRate" data-raw="${v.conversionRate}">${pct(v.conversionRate)}</td>
<td class="num" data-field="conversionRateInterval" data-raw="${v.conversionRateInterval.join(',')}">${pct(v.conversionRateInterval[0])} – ${pct(v.conversionRateInterval[1])}</td>
<td class="num" data-field="uplift" data-raw="${num(v.uplift)}">${v.uplift === undefined ? '–' : `${v.uplift >= 0 ? '+' : ''}${pct(v.uplift, 1)}`}</td>
<td class="num" data-field="pValue" data-raw="${num(v.pValue)}">${v.pValue === undefined ? '–' : v.pValue < 0.0001 ? '<0.0001' : v.pValue.toFixed(4)}</td>
<td class="num" data-field="probabilityToBeatControl" data-raw="${num(v.probabilityToBeatControl)}">${pct(v.probabilityToBeatControl, 1)}</td>
<td class="num" data-field="valueMean" data-raw="${v.valueMean}">${v.valueMean.toFixed(2)}</td></tr>`,
  )}</tbody></table>`;
}

function pickers(flagKey: string, env: string, q: ExperimentQuery): Html {
  return html`<form method="get" action="/experiments/${flagKey}" aria-labelledby="pickers-heading"><h2 id="pickers-heading">Window and event</h2>
<input type="hidden" name="env" value="${env}">
<div class="field"><label for="q-event">Conversion event (empty: any conversion)</label><input id="q-event" name="event" value="${q.event}"></div>
<div class="field"><label for="q-since">Since (ISO 8601 date or time, inclusive)</label><input id="q-since" name="since" value="${q.since}" placeholder="2026-01-31"></div>
<div class="field"><label for="q-until">Until (exclusive)</label><input id="q-until" name="until" value="${q.until}" placeholder="2026-02-28"></div>
<div class="field"><label for="q-metrics">Metrics, one per line (KEY:KIND:EVENT, or KEY:NUM/DEN for a ratio), as tiqology results --metric takes them</label><textarea id="q-metrics" name="metrics" rows="3">${q.metrics}</textarea></div>
<div class="field"><label for="q-engine">Engine</label><select id="q-engine" name="engine">${['frequentist', 'bayesian'].map(
    (e) => html`<option value="${e}"${q.engine === e ? html` selected` : ''}>${e}</option>`,
  )}</select></div>
<div class="field"><input type="checkbox" id="q-sequential" name="sequential"${q.sequential ? html` checked` : ''}> <label for="q-sequential" class="inline">Sequential testing (valid however often you look)</label></div>
<button type="submit">Compute</button></form>`;
}

/** GET /experiments/:key (and `/results.json`): the experiment's results. */
export async function showExperiment(ctx: RouteContext, rawKey: string, asJson: boolean): Promise<Reply> {
  const env = envOf(ctx);
  const flagKey = keyOf(rawKey);
  const q = readQuery(ctx.url);
  if (asJson) {
    if (q.error !== undefined) throw new RequestError(400, q.error);
    return { status: 200, json: resultsJson(flagKey, env, q.options, await compute(ctx, flagKey, env, q.options)) };
  }
  let body: Html;
  if (q.error !== undefined) body = notice(q.error, 'bad');
  else {
    let r: ExperimentResults;
    try {
      r = await compute(ctx, flagKey, env, q.options);
    } catch (error) {
      if (error instanceof RequestError || error instanceof CliError || (error as { name?: string }).name === 'EliteError') {
        return {
          status: 400,
          html: page(ctx.page, 'experiments', flagKey, html`${notice((error as Error).message, 'bad')}${pickers(flagKey, env, q)}`),
        };
      }
      throw error;
    }
    const jsonHref = `/experiments/${flagKey}/results.json${ctx.url.search}`;
    body = html`<p id="verdict" data-verdict="${r.verdict}"><strong>${r.verdict === 'WINNER' ? `Winner: ${r.winner}` : r.verdict === 'NO_WINNER_YET' ? 'No winner yet' : 'Not enough data'}.</strong> ${r.summary}</p>
<p id="srm" data-mismatch="${String(r.srm.mismatch)}">${
      r.srm.mismatch
        ? html`<strong>Sample ratio mismatch</strong> (χ² ${r.srm.chiSquare.toFixed(2)}, p ${r.srm.pValue.toFixed(4)}): assignment or exposure logging is broken; do not trust the comparison.`
        : html`Sample ratio: ok (χ² ${r.srm.chiSquare.toFixed(2)}, df ${r.srm.degreesOfFreedom}, p ${r.srm.pValue.toFixed(4)}).`
    }</p>
${r.warnings.length === 0 ? '' : html`<ul class="notice">${r.warnings.map((w) => html`<li>${w}</li>`)}</ul>`}
${resultsTable(r)}
<figure class="chart">${trustedSvg(intervalChartSVG(r.variants, r.control))}<figcaption>Rate of each variant with its 95% interval</figcaption></figure>
${r.analysis === undefined ? '' : await analysisSection(r, flagKey, env)}
<p><a href="${jsonHref}">The same results as JSON</a> (what <code>tiqology results ${flagKey} --json</code> prints)</p>`;
  }
  return { status: 200, html: page(ctx.page, 'experiments', `${flagKey} · ${env}`, html`${body}${pickers(flagKey, env, q)}`) };
}

async function analysisSection(r: ExperimentResults, flagKey: string, env: string): Promise<Html> {
  const analysis = r.analysis as NonNullable<ExperimentResults['analysis']>;
  const { experimentToSVG } = await import('@tiqology/elite/experiments');
  return html`<h2>Metrics</h2><p id="analysis-summary" data-decision="${analysis.decision}">${analysis.summary}</p>
<figure class="chart">${trustedSvg(experimentToSVG(analysis, { title: `${flagKey} (${env})` }))}<figcaption>Effect of each variant on each metric, with intervals</figcaption></figure>
<pre>${renderAnalysis(analysis)}</pre>`;
}
