import type { ResultsOptions } from '@tiqology/elite';
import { type CommandContext, quoteArguments } from '../context.js';
import { renderAnalysis } from '../experiment-text.js';
import { CliError, EXIT, usageError, writeTextFile } from '../io.js';
import { parseAnalysisOptions } from '../metric-options.js';
import { environmentOf, withStore } from '../stores.js';
import { renderResultsTable } from '../table.js';

function time(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  // ISO 8601 dates or date-times only: Date.parse also takes forms that differ between engines.
  if (!/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text) || Number.isNaN(Date.parse(text))) {
    throw usageError(`--${name} must be an ISO 8601 date or time (2026-01-31, 2026-01-31T12:00:00Z), got "${text}"`);
  }
  return new Date(text).toISOString();
}

/**
 * `tiqology results <flag>`: the experiment's results table, or its JSON; with `--metric`/`--ratio`
 * also the metric analysis (tables, interval charts, decision) and, with `--svg`, its chart.
 */
export async function run({ positionals, values, io, out }: CommandContext): Promise<number> {
  if (positionals.length !== 1) throw usageError(`results: expected one flag key, got ${quoteArguments(positionals)}`);
  const flagKey = positionals[0] as string;
  const environment = environmentOf(values, io);
  const options: ResultsOptions = {};
  if (typeof values.event === 'string') {
    if (values.event.trim() === '') throw usageError('--event must not be empty');
    options.event = values.event;
  }
  const since = time('since', values.since);
  const until = time('until', values.until);
  if (since !== undefined) options.since = since;
  if (until !== undefined) options.until = until;
  if (since !== undefined && until !== undefined && since >= until) throw usageError('--since must be before --until');
  const analysis = parseAnalysisOptions(values);
  if (analysis !== undefined) options.analysis = analysis;
  const svgPath = typeof values.svg === 'string' ? values.svg : undefined;
  if (svgPath !== undefined && svgPath.trim() === '') throw usageError('--svg must name a file');
  if (svgPath !== undefined && analysis === undefined) throw usageError('--svg draws the metric analysis: add --metric or --ratio');

  return withStore(values, io, async ({ storage, label }) => {
    if (analysis !== undefined && typeof storage.queryMetricStats !== 'function') {
      throw new CliError(
        `${label} cannot compute metric statistics (its store has no queryMetricStats): use --database-url or --supabase-url for --metric and --ratio`,
      );
    }
    const { createFlags } = await import('@tiqology/elite');
    const client = createFlags({
      storage,
      environment,
      trackExposures: false,
      logger: { warn: (m) => out.note(m), error: (m) => out.note(m) },
    });
    try {
      const results = await client.results(flagKey, options);
      if (svgPath !== undefined && results.analysis !== undefined) {
        const { experimentToSVG } = await import('@tiqology/elite/experiments');
        await writeTextFile(io, svgPath, experimentToSVG(results.analysis, { title: `${flagKey} (${environment})` }));
      }
      if (out.json) {
        const query = { flagKey, environment, event: options.event ?? null, since: since ?? null, until: until ?? null };
        out.data({ ...query, ...results, ...(svgPath === undefined ? {} : { svg: svgPath }) });
      } else {
        const scope = [`event ${options.event ?? 'any conversion'}`, since && `since ${since}`, until && `until ${until}`]
          .filter(Boolean)
          .join(', ');
        out.line(renderResultsTable(results, { colors: out.colors, title: `${flagKey} (${environment}), ${scope} [${label}]` }));
        if (results.analysis !== undefined) out.line(`\n${renderAnalysis(results.analysis, { colors: out.colors })}`);
        if (svgPath !== undefined) out.line(`Chart: ${svgPath}`);
      }
      return EXIT.OK;
    } finally {
      await client.close();
    }
  });
}
