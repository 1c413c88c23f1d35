/**
 * Why sequential testing exists: A/A experiments (no true difference) read 30 times, once a day.
 * Stopping at the first read with p < 0.05 makes the fixed-horizon t-test's false-positive rate
 * far exceed 5 %; confidence sequences keep it at or below 5 %. Deterministic: a seeded generator.
 * The figures are quoted in docs/experiments.md.
 */

import { describe, expect, it } from 'vitest';
import { analyzeExperiment, type VariantMetricStats } from '../../src/experiments/index.js';
import { seededRandom } from '../../src/internal/seeded-random.js';

const EXPERIMENTS = 1000;
const READS = 30;
const USERS_PER_DAY = 100;
const RATE = 0.1;

function falsePositiveRate(sequential: boolean): number {
  const next = seededRandom(20261204);
  let falsePositives = 0;
  for (let e = 0; e < EXPERIMENTS; e++) {
    const arms = [
      { units: 0, sum: 0 },
      { units: 0, sum: 0 },
    ];
    for (let day = 0; day < READS; day++) {
      for (const arm of arms) {
        for (let u = 0; u < USERS_PER_DAY; u++) if (next() < RATE) arm.sum++;
        arm.units += USERS_PER_DAY;
      }
      const stats: VariantMetricStats[] = arms.map((arm, i) => ({
        variant: i === 0 ? 'control' : 'b',
        units: arm.units,
        metrics: { signup: { kind: 'binomial', units: arm.units, sum: arm.sum, sumSquares: arm.sum } },
      }));
      const analysis = analyzeExperiment(stats, {
        metrics: [{ key: 'signup', kind: 'binomial', source: { event: 'signup' } }],
        goal: 'signup',
        sequential,
      });
      const outcome = analysis.metrics[0]?.variants[1]?.comparison?.outcome;
      if (outcome === 'BETTER' || outcome === 'WORSE') {
        falsePositives++;
        break;
      }
    }
  }
  return falsePositives / EXPERIMENTS;
}

describe('peeking at A/A tests 30 times', () => {
  it('inflates the fixed-horizon false-positive rate far above 5 %, and sequential testing keeps it at or below 5 %', () => {
    const fixed = falsePositiveRate(false);
    const sequential = falsePositiveRate(true);
    console.log(
      `A/A, ${READS} reads, ${EXPERIMENTS} experiments: fixed-horizon ${(fixed * 100).toFixed(1)} %, sequential ${(sequential * 100).toFixed(1)} %`,
    );
    expect(fixed).toBeGreaterThan(0.15);
    expect(sequential).toBeLessThanOrEqual(0.05);
  });
});
