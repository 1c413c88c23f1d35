// The documented labelling rule and features rebuild the reference data set exactly.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decide, SCALING_FEATURES, scalingFeatures, trainScalingPolicy } from '../../src/forecast/scaling/index.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures');
const taxi = readFileSync(join(fixtures, 'nab', 'nyc_taxi.csv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => {
    const [ts, value] = line.split(',');
    return { timestamp: `${ts!.replace(' ', 'T')}Z`, value: Number(value) };
  });
const reference = readFileSync(join(fixtures, 'ml', 'scaling_decisions.csv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => line.split(','));

describe('scalingFeatures on NAB nyc_taxi', () => {
  it('reproduces every row of scaling_decisions.csv: features and labels', () => {
    const table = scalingFeatures(taxi, { featureSet: 'reference' });
    expect(table.featureNames).toEqual([...SCALING_FEATURES]);
    expect(table.x).toHaveLength(reference.length);
    // Collect mismatches rather than asserting 90 000 times (slow); the first few are shown on failure.
    const mismatches: string[] = [];
    for (let i = 0; i < reference.length; i++) {
      const row = reference[i]!;
      if (new Date(table.timestamps[i]!).toISOString().slice(0, 19) !== row[0]!.replace(' ', 'T')) mismatches.push(`${i}: timestamp`);
      for (let f = 0; f < 8; f++)
        if (Math.abs(table.x[i]![f]! - Number(row[f + 1])) > 1e-3) mismatches.push(`${i}: ${SCALING_FEATURES[f]}`);
      if (table.y[i] !== row[9]) mismatches.push(`${i}: label ${table.y[i]} vs ${row[9]}`);
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
  });

  it('trains a policy on the first 70% that decides on the rest like the reference labels', () => {
    const train = taxi.slice(0, Math.round(taxi.length * 0.7));
    const policy = trainScalingPolicy(train, { featureSet: 'reference', forest: { nEstimators: 30, seed: 3 } });
    expect(policy.holdout.accuracy).toBeGreaterThan(0.8);
    expect(policy.stepMs).toBe(1_800_000);
    const importance = Object.values(policy.featureImportance);
    expect(importance.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    // Decide at 40 points of the unseen tail, from history alone.
    let hits = 0;
    const table = scalingFeatures(taxi, { featureSet: 'reference' });
    const rows = 40;
    for (let k = 0; k < rows; k++) {
      const end = taxi.length - 5 - k * 37;
      const result = decide({ history: taxi.slice(end - 400, end) }, policy);
      const label = table.y[table.timestamps.indexOf(Date.parse(taxi[end - 1]!.timestamp))];
      if (result.decision === label) hits++;
      expect(result.confidence).toBe(Math.max(...Object.values(result.probabilities)));
    }
    expect(hits / rows).toBeGreaterThan(0.7);
  });
});
