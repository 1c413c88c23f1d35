/**
 * The forecast routes: a CSV uploaded, pasted, or named by a path under the studio's working
 * directory (or a series read from Prometheus when the studio was given `--prometheus-url`), then
 * the forecast chart with its bands (`toSVG`), the scaling decision and its reasons (`decide`, as
 * `tiqology decide` computes them) and, with a cost column, the 7-day cost forecast (`cost`).
 * @packageDocumentation
 */
import { relative, resolve } from 'node:path';
import { columnIndex, parseHorizon, pointsOf, readColumns, readCsvTable, TIME_COLUMNS, VALUE_COLUMNS } from '../csv-input.js';
import { formatNumber } from '../forecast-text.js';
import type { CliIo } from '../io.js';
import type { FormFields } from './body.js';
import { type Html, html, trustedSvg } from './html.js';
import { formKeyField, notice, type PageContext, page } from './layout.js';
import { readPrometheusCsv } from './prometheus-series.js';
import type { Reply, RouteContext } from './reply.js';

/** Where the forecast routes read from: the working directory for paths, Prometheus when configured. */
export interface ForecastSources {
  /** Paths are resolved here and must stay under it. */
  cwd: string;
  /** Prometheus base URL given at startup (never shown on the page). */
  prometheusUrl?: string;
}

const field = (id: string, label: string, input: Html) => html`<div class="field"><label for="${id}">${label}</label>${input}</div>`;

function forecastForm(ctx: PageContext, form: FormFields | undefined, prometheus: boolean): Html {
  const v = (name: string, fallback = '') => form?.get(name) ?? fallback;
  return html`<form method="post" action="/forecast" enctype="multipart/form-data" aria-labelledby="source-heading">${formKeyField(ctx)}
<h2 id="source-heading">Series</h2>
${field('fc-file', 'Upload a CSV file (a header row; timestamp and value columns)', html`<input type="file" id="fc-file" name="csv_file" accept=".csv,text/csv">`)}
${field('fc-path', 'Or a CSV path under the studio’s working directory', html`<input id="fc-path" name="csv_path" value="${v('csv_path')}" size="40">`)}
${field('fc-text', 'Or paste the CSV', html`<textarea id="fc-text" name="csv_text" rows="4">${v('csv_text')}</textarea>`)}
${prometheus ? field('fc-promql', 'Or a PromQL query (the last 14 days, hourly, from the telemetry Prometheus)', html`<input id="fc-promql" name="promql" value="${v('promql')}" size="60">`) : ''}
<h2>Options</h2>
${field('fc-column', `Value column (default: the first of ${VALUE_COLUMNS.join(', ')})`, html`<input id="fc-column" name="column" value="${v('column')}">`)}
${field('fc-time', `Time column (default: the first of ${TIME_COLUMNS.join(', ')})`, html`<input id="fc-time" name="time_column" value="${v('time_column')}">`)}
${field('fc-horizon', 'Horizon (24h, 90m, 7d)', html`<input id="fc-horizon" name="horizon" value="${v('horizon', '24h')}">`)}
${field('fc-capacity', 'Capacity: the load the current fleet handles at 100% (for the decision)', html`<input id="fc-capacity" name="capacity" value="${v('capacity')}" inputmode="decimal">`)}
${field('fc-cost', 'Cost column, USD per step (for the 7-day cost forecast)', html`<input id="fc-cost" name="cost_column" value="${v('cost_column')}">`)}
<button type="submit" class="primary">Forecast</button></form>`;
}

/** GET /forecast: the form. */
export async function forecastPage(ctx: RouteContext, sources: ForecastSources): Promise<Reply> {
  return {
    status: 200,
    html: page(ctx.page, 'forecast', 'Forecast', forecastForm(ctx.page, undefined, sources.prometheusUrl !== undefined)),
  };
}

/** The CSV text the form names, with a label; a message when there is none or it cannot be read. */
async function csvOf(form: FormFields, sources: ForecastSources): Promise<{ text: string; label: string } | string> {
  const file = form.get('csv_file') ?? '';
  if (file.trim() !== '') return { text: file, label: 'the uploaded file' };
  const path = (form.get('csv_path') ?? '').trim();
  if (path !== '') {
    const full = resolve(sources.cwd, path);
    const rel = relative(sources.cwd, full);
    if (rel.startsWith('..') || resolve(sources.cwd, rel) !== full)
      return `the path must stay under the studio's working directory, got "${path}"`;
    const { readFile } = await import('node:fs/promises');
    try {
      return { text: await readFile(full, 'utf8'), label: rel };
    } catch (error) {
      return `cannot read ${rel}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`;
    }
  }
  const text = form.get('csv_text') ?? '';
  if (text.trim() !== '') return { text, label: 'the pasted CSV' };
  const promql = (form.get('promql') ?? '').trim();
  if (promql !== '' && sources.prometheusUrl !== undefined) return readPrometheusCsv(sources.prometheusUrl, promql);
  return 'give a CSV: upload one, name a path, or paste it';
}

/** POST /forecast: the forecast, decision and cost of the series, or the form with what is wrong. */
export async function runForecast(ctx: RouteContext, sources: ForecastSources): Promise<Reply> {
  const form = ctx.form as FormFields;
  const formHtml = forecastForm(ctx.page, form, sources.prometheusUrl !== undefined);
  const fail = (message: string) => ({
    status: 422,
    html: page(ctx.page, 'forecast', 'Forecast', html`${notice(message, 'bad')}${formHtml}`),
  });
  const csv = await csvOf(form, sources);
  if (typeof csv === 'string') return fail(csv);
  try {
    const io: CliIo = {
      stdout: { write: () => true },
      stderr: { write: () => true },
      env: {},
      cwd: sources.cwd,
      readStdin: async () => csv.text,
    };
    const table = await readCsvTable('-', io);
    table.label = csv.label;
    const text = (name: string) => {
      const value = (form.get(name) ?? '').trim();
      return value === '' ? undefined : value;
    };
    const ti = columnIndex(table, text('time_column'), 'time-column', TIME_COLUMNS);
    const vi = columnIndex(table, text('column'), 'column', VALUE_COLUMNS);
    const horizon = parseHorizon(text('horizon'), '24h');
    const capacityText = text('capacity');
    const capacity = capacityText === undefined ? undefined : Number(capacityText.replace(/_/g, ''));
    if (capacity !== undefined && !(Number.isFinite(capacity) && capacity > 0))
      return fail(`capacity must be a number > 0, got "${capacityText}"`);
    const load = readColumns(table, ti, vi);
    const { cost, decide, fromColumns, toSVG, traffic } = await import('@tiqology/elite/forecast');
    const forecast = traffic(fromColumns(load.timestamps, load.values), { horizon });
    const decision = capacity === undefined ? undefined : decide({ forecast, capacity });
    const costName = text('cost_column');
    const costForecast =
      costName === undefined
        ? undefined
        : cost(pointsOf(readColumns(table, ti, columnIndex(table, costName, 'cost-column', []))), {
            horizonDays: 7,
            drivers: { [table.header[vi] as string]: pointsOf(load) },
          });
    const column = table.header[vi] as string;
    const body = html`<p>${csv.label}: “${column}”, ${load.values.length} points; model ${forecast.model}; backtest MASE ${forecast.backtest.mase.toFixed(2)}, sMAPE ${forecast.backtest.smape.toFixed(1)}%.</p>
<figure class="chart" id="forecast-chart">${trustedSvg(toSVG(forecast, { title: `${column}: forecast (${forecast.model})` }))}<figcaption>Forecast with its ${forecast.levels.join('% and ')}% bands</figcaption></figure>
${forecast.warnings.map((w) => notice(`warning: ${w}`))}
${
  decision === undefined
    ? html`<p>Give the capacity to get a scaling decision.</p>`
    : html`<h2>Decision</h2><p id="decision" data-decision="${decision.decision}"><strong>${decision.decision}</strong> (confidence ${Math.round(100 * decision.confidence)}%)</p><ul id="reasons">${decision.reasons.map((r) => html`<li>${r}</li>`)}</ul>`
}
${
  costForecast === undefined
    ? ''
    : html`<h2>Cost, next 7 days</h2><p id="cost" data-total="${costForecast.total}">${costForecast.summary}</p>
<table><caption>Cost per day, USD</caption><thead><tr><th scope="col">Day</th><th scope="col" class="num">Cost</th></tr></thead><tbody>${costForecast.days.map(
        (d) => html`<tr><td>${d.date}</td><td class="num">${formatNumber(d.costUsd)}</td></tr>`,
      )}</tbody></table>`
}
${formHtml}`;
    return { status: 200, html: page(ctx.page, 'forecast', 'Forecast', body) };
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'CliError' || name === 'EliteError') return fail((error as Error).message);
    throw error;
  }
}
