import type { ResultsOptions } from '@tiqology/elite';
import { type CommandContext, quoteArguments } from '../context.js';
import { EXIT, usageError } from '../io.js';
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

/** `tiqology results <flag>`: the experiment's results table, or its JSON. */
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

  return withStore(values, io, async ({ storage, label }) => {
    const { createFlags } = await import('@tiqology/elite');
    const client = createFlags({
      storage,
      environment,
      trackExposures: false,
      logger: { warn: (m) => out.note(m), error: (m) => out.note(m) },
    });
    try {
      const results = await client.results(flagKey, options);
      if (out.json) {
        out.data({ flagKey, environment, event: options.event ?? null, since: since ?? null, until: until ?? null, ...results });
      } else {
        const scope = [`event ${options.event ?? 'any conversion'}`, since && `since ${since}`, until && `until ${until}`]
          .filter(Boolean)
          .join(', ');
        out.line(renderResultsTable(results, { colors: out.colors, title: `${flagKey} (${environment}), ${scope} [${label}]` }));
      }
      return EXIT.OK;
    } finally {
      await client.close();
    }
  });
}
