/**
 * The shipped learned scaling policy: it follows the forecast's direction (the demo's Sunday 23:00,
 * where load falls into Monday night), and on held-out weeks of the benchmark panel it agrees with
 * the forecast policy's decisions at least as often as scikit-learn's random-forest reference
 * (test/fixtures/ml/README.md) matches its own labels.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { forecastDecision, heldOutWeeks, scalingSeries, weekOf } from '../../bench/forecast-accuracy/scaling-policy.mjs';
import { loadPanel } from '../../bench/forecast-accuracy/score.mjs';
import * as lib from '../../src/forecast/index.js';
import { pretrainedScalingPolicy } from '../../src/forecast/scaling/pretrained-policy.js';
import { runCli } from '../cli/in-process.js';

const root = join(import.meta.dirname, '..', '..');
const DEMO_CSV = join(root, 'data', 'demo', 'traffic.csv');
const HOUR = 3_600_000;

describe('tiqology decide --policy learned on the demo', () => {
  it('does not scale up at Sunday 23:00 while the forecast falls; it follows the forecast policy', async () => {
    const demo = lib.parseCsvSeries(readFileSync(DEMO_CSV, 'utf8'), { timestampColumn: 'ts', valueColumn: 'requests' });
    const lastMs = demo.startMs + (demo.values.length - 1) * demo.stepMs;
    expect(new Date(lastMs).toISOString()).toBe('2014-10-26T23:00:00.000Z'); // a Sunday
    const last = demo.values[demo.values.length - 1]!;
    const next = lib.traffic(demo, { horizon: 2 }).steps.map((s) => s.mean);
    expect(Math.max(...next)).toBeLessThan(last * 0.85);

    const run = await runCli(['decide', DEMO_CSV, '--policy', 'learned', '--json'], { cwd: root });
    expect(run.stderr).toBe('');
    const json = JSON.parse(run.stdout);
    expect(json.decision).not.toBe('SCALE_UP');
    expect(json.decision).toBe('SCALE_DOWN');
    expect(json.reasons[0]).toMatch(/random forest, 20 trees/);
    expect(Object.keys(json.featureImportance)).toContain('forecast_next_2h');
    // Relative features read as percentages: the forecast's fall over the next 2 h.
    expect(json.reasons.join('\n')).toMatch(/forecast_next_2h: -\d+% \(importance \d+%\)/);
  });
});

describe('directional features', () => {
  // Nine days of hourly load with a daily cycle and a trend.
  const start = Date.UTC(2026, 0, 5);
  const values = Array.from({ length: 24 * 9 }, (_, h) => 1000 + 500 * Math.sin((2 * Math.PI * h) / 24) + 2 * h + 30 * Math.cos(h * 1.3));
  const points = (scale: number, vs = values) => vs.map((v, h) => ({ timestamp: start + h * HOUR, value: v * scale }));

  it('are scale-free, past-only, with the forecast direction and the calendar', () => {
    const table = lib.scalingFeatures(points(1), { labels: false });
    expect(table.featureNames).toEqual([...lib.DIRECTIONAL_SCALING_FEATURES]);
    expect(table.featureNames).toEqual(expect.arrayContaining(['forecast_next_1h', 'forecast_next_2h', 'hour', 'dow', 'hour_of_week']));
    expect(table.x).toHaveLength(24 * 9 - 169);
    const scaled = lib.scalingFeatures(points(1000), { labels: false });
    for (let r = 0; r < table.x.length; r += 7) {
      for (let f = 0; f < table.featureNames.length; f++) expect(scaled.x[r]![f]).toBeCloseTo(table.x[r]![f]!, 6);
    }
    // Changing the last day leaves every earlier row as it was.
    const changed = values.map((v, h) => (h >= 24 * 8 ? v * 3 : v));
    const other = lib.scalingFeatures(points(1, changed), { labels: false });
    const firstChanged = 24 * 8 - 169;
    expect(other.x.slice(0, firstChanged)).toEqual(table.x.slice(0, firstChanged));
    expect(other.x[firstChanged]).not.toEqual(table.x[firstChanged]);
    // The first row is one week and one hour in: Monday 2026-01-12 01:00 UTC.
    const col = (name: string) => table.featureNames.indexOf(name);
    expect(new Date(table.timestamps[0]!).toISOString()).toBe('2026-01-12T01:00:00.000Z');
    expect([table.x[0]![col('hour')], table.x[0]![col('dow')], table.x[0]![col('hour_of_week')]]).toEqual([1, 0, 1]);
  });
});

describe('the shipped forest on held-out weeks of the benchmark panel', () => {
  it('agrees with the forecast policy at least as often as the random-forest reference with its labels', () => {
    const readme = readFileSync(join(root, 'test', 'fixtures', 'ml', 'README.md'), 'utf8');
    const reference = Number(/RandomForestClassifier\([^)]*\)`? test accuracy ([\d.]+)/.exec(readme)![1]);
    expect(reference).toBe(0.874);
    const panel = loadPanel(lib);
    const policy = pretrainedScalingPolicy();
    let agree = 0;
    let total = 0;
    // Every 13th hour of the held-out weeks (13 is prime to 24 and 168: every hour of the day and week).
    for (const name of scalingSeries(panel)) {
      const s = panel.loadSeries(name);
      const held = heldOutWeeks(name, s.ts.slice(169));
      for (let i = 169; i < s.ts.length; i += 13) {
        if (!held.has(weekOf(s.ts[i]!))) continue;
        const from = Math.max(0, i - 1343);
        const history = lib.fromColumns(s.ts.slice(from, i + 1), s.y.slice(from, i + 1));
        if (lib.decide({ history }, policy).decision === forecastDecision(lib, s, i)) agree++;
        total++;
      }
    }
    expect(total).toBeGreaterThan(250);
    expect(agree / total).toBeGreaterThanOrEqual(reference);
  }, 120_000);
});
