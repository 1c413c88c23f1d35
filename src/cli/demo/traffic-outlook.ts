/**
 * The demo's forecasting part, on the bundled real series (data/demo/traffic.csv: four weeks of
 * hourly NYC taxi demand from NAB, read as request load, with a cost column): the 24-hour traffic
 * forecast, the scaling decision against {@link DEMO_CAPACITY}, the 7-day cost forecast driven by
 * the load, and the chart of the forecast with the decision marked at its peak.
 * @packageDocumentation
 */
import type { CostForecast, DecisionResult, ForecastStep, TrafficForecast } from '@tiqology/elite/forecast';
import { columnIndex, pointsOf, readColumns, readCsvTable } from '../csv-input.js';
import { CliError, type CliIo } from '../io.js';
import { packageRoot } from '../package-root.js';
import { DEMO_CAPACITY } from './scenario.js';

/** What the demo forecasts from the bundled series. */
export interface TrafficOutlook {
  /** Requests per hour, 24 h ahead. */
  forecast: TrafficForecast;
  /** Scale up, down or keep, for {@link DEMO_CAPACITY} and the measured latency. */
  decision: DecisionResult;
  /** The cost column 7 days ahead, with the request load as driver. */
  cost: CostForecast;
  /** The forecast step with the highest mean, where the chart marks the decision. */
  peak: ForecastStep;
  /** The requests column forecast from: epoch ms and requests per hour. */
  history: { timestamps: number[]; values: number[] };
}

/** The bundled traffic series: data/demo/traffic.csv of the installed package. */
function demoDataPath(): string {
  const root = packageRoot();
  if (root === undefined) throw new CliError('demo: cannot find the @tiqology/elite package directory holding data/demo/traffic.csv');
  return new URL('data/demo/traffic.csv', root.url).pathname;
}

/**
 * Reads the bundled series and forecasts it: traffic, decision (given the p95 latency the
 * simulation measured, in ms) and cost. Fails with a `CliError` when the data file is missing.
 */
export async function forecastDemoTraffic(io: CliIo, latencyMs: number): Promise<TrafficOutlook> {
  const table = await readCsvTable(demoDataPath(), io);
  table.label = 'data/demo/traffic.csv';
  const ti = columnIndex(table, 'ts', 'time-column', []);
  const requests = readColumns(table, ti, columnIndex(table, 'requests', 'column', []));
  const costs = readColumns(table, ti, columnIndex(table, 'cost_usd', 'column', []));
  const { cost, decide, fromColumns, traffic } = await import('@tiqology/elite/forecast');
  const forecast = traffic(fromColumns(requests.timestamps, requests.values), { horizon: '24h' });
  const decision = decide({ forecast, capacity: DEMO_CAPACITY, metrics: { latencyMs } });
  const costForecast = cost(pointsOf(costs), { horizonDays: 7, drivers: { requests: pointsOf(requests) } });
  const peak = forecast.steps.reduce((a, b) => (b.mean > a.mean ? b : a));
  return { forecast, decision, cost: costForecast, peak, history: { timestamps: requests.timestamps, values: requests.values } };
}

/** A marker of an anomaly alert on the chart: where it fired, what it saw. */
export interface AnomalyMarker {
  /** When the alert fired, epoch ms. */
  at: number;
  /** The alert and the observed value (`TrafficAnomaly 1.2k`). */
  label: string;
}

/** The forecast chart as SVG, the decision and its confidence marked at the peak, and any anomaly alert where it fired. */
export async function outlookChart({ forecast, decision, peak }: TrafficOutlook, anomalies: AnomalyMarker[] = []): Promise<string> {
  const { toSVG } = await import('@tiqology/elite/forecast');
  return toSVG(forecast, {
    title: 'Requests per hour: forecast 24 h ahead (NYC taxi demand, NAB)',
    markers: [
      { timestamp: peak.timestamp, kind: decision.decision, label: `${decision.decision} ${decision.confidence.toFixed(2)}` },
      ...anomalies.map((a) => ({ timestamp: a.at, kind: 'ANOMALY', label: a.label })),
    ],
  });
}
