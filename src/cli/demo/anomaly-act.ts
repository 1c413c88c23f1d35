/**
 * The demo's anomaly act: the telemetry's anomaly watch (`telemetry.watchAnomalies`) learns the
 * four weeks of bundled traffic, then watches the next 24 hours as they would arrive live (the
 * forecast's mean with a little seeded noise) with an outage injected: four hours at 30 % of the
 * traffic. The alert it fires, and when it resolves, are what the demo prints and marks on the
 * forecast chart.
 * @packageDocumentation
 */
import type { AlertEvent, Telemetry } from '@tiqology/elite/telemetry';
import type { TrafficOutlook } from './traffic-outlook.js';

/** Hours after the history where the injected outage starts, and how long it lasts. */
export const OUTAGE_START_H = 14;
const OUTAGE_HOURS = 4;
const WEEK_MS = 7 * 86_400_000;
/** Share of the traffic left during the outage. */
const OUTAGE_SHARE = 0.3;

/** What the act found. */
export interface AnomalyAct {
  /** Points replayed from the history before the live hours. */
  learned: number;
  /** Epoch ms of the first outage hour. */
  outageAt: number;
  /** The alert transitions, in order (a firing, then its resolution when traffic came back). */
  transitions: AlertEvent[];
}

/**
 * Runs the act on the demo's telemetry instance and outlook; `random` makes the live hours' noise
 * (seeded, so every run prints the same). The watch is stopped at the end.
 */
export function runAnomalyAct(telemetry: Telemetry, outlook: TrafficOutlook, random: () => number): AnomalyAct {
  const transitions: AlertEvent[] = [];
  const remove = telemetry.addNotifier({ notify: (event) => void transitions.push(event) });
  // Hourly traffic with a weekly shape: a weekly season of hourly slots, quick to learn, a week of
  // warm-up, and an alert at a one-in-a-million tail (the defaults are for minute-level series).
  // Chosen on this series, so that its four weeks raise no alert: a demo setting, not a benchmark.
  const watch = telemetry.watchAnomalies({
    series: 'requests',
    stepMs: 60_000,
    detector: { seasonMs: WEEK_MS, seasonSlots: 168, seasonAlpha: 0.5, tailQuantile: 0.95, warmupPoints: 168, alertProbability: 1 - 1e-6 },
  });
  try {
    const { timestamps, values } = outlook.history;
    for (let i = 0; i < values.length; i++) watch.observe(timestamps[i] as number, values[i] as number);
    const steps = outlook.forecast.steps;
    const outageAt = (steps[OUTAGE_START_H] as { timestamp: Date }).timestamp.getTime();
    steps.forEach((step, h) => {
      const noise = 1 + 0.04 * (random() * 2 - 1);
      const share = h >= OUTAGE_START_H && h < OUTAGE_START_H + OUTAGE_HOURS ? OUTAGE_SHARE : 1;
      watch.observe(step.timestamp, Math.round(step.mean * noise * share));
    });
    return { learned: values.length, outageAt, transitions };
  } finally {
    watch.stop();
    remove();
  }
}
