import type { DecisionResult } from '@tiqology/elite/forecast';
import type { CommandContext } from '../context.js';
import { columnIndex, csvArgument, parseHorizon, pointsOf, readColumns, readCsvTable, TIME_COLUMNS, VALUE_COLUMNS } from '../csv-input.js';
import { decisionLines } from '../forecast-text.js';
import { EXIT, usageError } from '../io.js';

const POLICIES = ['forecast', 'learned'] as const;

function capacityOf(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value).replace(/_/g, '');
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0) throw usageError(`--capacity must be a number > 0, got "${String(value)}"`);
  return n;
}

/** `tiqology decide <csv>`: scale up, down or keep, from a load history; and the 7-day cost forecast. */
export async function run({ positionals, values, io, out }: CommandContext): Promise<number> {
  const path = csvArgument('decide', positionals);
  const policy = (values.policy ?? 'forecast') as (typeof POLICIES)[number];
  if (!POLICIES.includes(policy)) throw usageError(`--policy must be forecast or learned, got "${String(values.policy)}"`);
  const capacity = capacityOf(values.capacity);
  if (policy === 'forecast' && capacity === undefined) {
    throw usageError('decide: --policy forecast needs --capacity <n>, the load the current fleet handles at 100%');
  }
  if (policy === 'learned' && capacity !== undefined) throw usageError('decide: --capacity applies to --policy forecast');
  const horizon = parseHorizon(values.horizon, '24h');

  const table = await readCsvTable(path, io);
  const ti = columnIndex(table, values['time-column'] as string | undefined, 'time-column', TIME_COLUMNS);
  const vi = columnIndex(table, values.column as string | undefined, 'column', VALUE_COLUMNS);
  const ci = values['cost-column'] === undefined ? undefined : columnIndex(table, values['cost-column'] as string, 'cost-column', []);
  const load = readColumns(table, ti, vi);
  const points = pointsOf(load);
  const { cost, decide, fromColumns, traffic } = await import('@tiqology/elite/forecast');
  // The shipped forest (about 40 kB) lives with the CLI, not in the forecast entry apps bundle.
  const { pretrainedScalingPolicy } = await import('../../forecast/scaling/pretrained-policy.js');

  let result: DecisionResult;
  if (policy === 'learned') {
    result = decide({ history: points }, pretrainedScalingPolicy());
  } else {
    const forecast = traffic(fromColumns(load.timestamps, load.values), { horizon });
    result = decide({ forecast, capacity });
  }
  let costForecast: ReturnType<typeof cost> | undefined;
  if (ci !== undefined) {
    const history = pointsOf(readColumns(table, ti, ci));
    costForecast = cost(history, { horizonDays: 7, drivers: { [table.header[vi] as string]: points } });
  }

  if (out.json) {
    out.data({
      file: table.label,
      column: table.header[vi],
      policy,
      capacity: capacity ?? null,
      decision: result.decision,
      confidence: result.confidence,
      probabilities: result.probabilities,
      reasons: result.reasons,
      featureImportance: result.featureImportance,
      cost:
        costForecast === undefined
          ? null
          : {
              column: table.header[ci as number],
              summary: costForecast.summary,
              total: costForecast.total,
              averagePerDay: costForecast.averagePerDay,
              totalLower: costForecast.totalLower,
              totalUpper: costForecast.totalUpper,
              days: costForecast.days,
              warnings: costForecast.warnings,
            },
    });
  } else {
    for (const line of decisionLines(result)) out.line(line);
    if (costForecast !== undefined) out.line(costForecast.summary);
  }
  return EXIT.OK;
}
