/**
 * Parity with GrowthBook's stats engine (gbstats): every dataset of test/fixtures/gbstats/ was
 * run through gbstats' own test classes by scripts/gbstats-fixtures.py; analyzeExperiment must
 * give the same figures on the same sufficient statistics, field by field, to 1e-6 (absolute, or
 * relative for figures above 1 such as users).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type AnalyzeExperimentOptions,
  analyzeExperiment,
  type EffectResult,
  type VariantMetricStats,
} from '../../src/experiments/index.js';

type Num = number | string | null;
interface ExpectedEffect {
  error: string | null;
  estimate: Num;
  standardError: Num;
  interval: [Num, Num];
  pValue?: Num;
  pValueError?: string | null;
  chanceToWin?: Num;
  risk?: [Num, Num];
  adjustedPValue?: number;
  adjustedInterval?: [Num, Num];
  varianceReduction?: Num;
}
interface ExpectedComparison {
  relative: ExpectedEffect;
  absolute: ExpectedEffect;
  power?: { currentPower: Num; additionalUsers: Num; scalingFactor: Num; status: string };
}
interface Case {
  options: {
    engine: 'frequentist' | 'bayesian';
    sequential: boolean;
    tuning: number;
    alpha: number;
    cuped: boolean;
    correction: 'none' | 'holm-bonferroni' | 'benjamini-hochberg';
    prior: { mean: number; stddev: number; proper: boolean };
    mde: number | null;
  };
  metrics: { key: string; kind: 'binomial' | 'mean' | 'ratio'; role: string; direction: 'increase' | 'decrease' }[];
  variants: VariantMetricStats[];
  weights: number[];
  srmPValue: number;
  expected: Record<string, Record<string, ExpectedComparison>>;
}

const fixture = JSON.parse(readFileSync(new URL('../fixtures/gbstats/parity.json', import.meta.url), 'utf8')) as { cases: Case[] };
const num = (x: Num): number =>
  x === 'Infinity' ? Number.POSITIVE_INFINITY : x === '-Infinity' ? Number.NEGATIVE_INFINITY : (x as number);

let compared = 0;
function close(actual: number | undefined, expected: Num, where: string): void {
  const e = num(expected);
  if (actual === undefined) throw new Error(`${where}: missing, gbstats has ${e}`);
  compared++;
  if (!Number.isFinite(e)) {
    expect(actual, where).toBe(e);
    return;
  }
  const gap = Math.abs(actual - e);
  if (!(gap <= 1e-6 * Math.max(1, Math.abs(e)))) throw new Error(`${where}: ${actual} vs gbstats ${e} (gap ${gap})`);
}

function checkEffect(actual: EffectResult | undefined, expected: ExpectedEffect, where: string): void {
  if (expected.error !== null) {
    expect(actual, `${where} (gbstats: ${expected.error})`).toBeUndefined();
    return;
  }
  close(actual?.estimate, expected.estimate, `${where}.estimate`);
  close(actual?.standardError, expected.standardError, `${where}.standardError`);
  close(actual?.interval[0], expected.interval[0], `${where}.interval[0]`);
  close(actual?.interval[1], expected.interval[1], `${where}.interval[1]`);
  if (expected.chanceToWin !== undefined) {
    close(actual?.chanceToWin, expected.chanceToWin, `${where}.chanceToWin`);
    close(actual?.risk?.control, (expected.risk as [Num, Num])[0], `${where}.risk.control`);
    close(actual?.risk?.variant, (expected.risk as [Num, Num])[1], `${where}.risk.variant`);
  } else if (expected.pValueError) {
    expect(actual?.pValue, where).toBeUndefined();
  } else {
    close(actual?.pValue, expected.pValue as Num, `${where}.pValue`);
  }
  if (expected.adjustedPValue !== undefined) {
    close(actual?.adjustedPValue, expected.adjustedPValue, `${where}.adjustedPValue`);
    const interval = expected.adjustedInterval as [Num, Num];
    close(actual?.adjustedInterval?.[0], interval[0], `${where}.adjustedInterval[0]`);
    close(actual?.adjustedInterval?.[1], interval[1], `${where}.adjustedInterval[1]`);
  } else {
    expect(actual?.adjustedPValue, where).toBeUndefined();
  }
}

function optionsOf(c: Case): AnalyzeExperimentOptions {
  const o = c.options;
  return {
    metrics: c.metrics.map((m) => ({ key: m.key, kind: m.kind, source: { event: m.key }, direction: m.direction, cuped: o.cuped })),
    goal: (c.metrics[0] as Case['metrics'][0]).key,
    secondary: c.metrics.filter((m) => m.role === 'secondary').map((m) => m.key),
    guardrails: c.metrics.filter((m) => m.role === 'guardrail').map((m) => m.key),
    engine: o.engine,
    sequential: o.sequential ? { tuning: o.tuning } : false,
    alpha: o.alpha,
    correction: o.correction,
    prior: o.prior,
    ...(o.mde === null ? {} : { minimumDetectableEffect: o.mde }),
    weights: Object.fromEntries(c.variants.map((v, i) => [v.variant, c.weights[i] as number])),
  };
}

describe('analyzeExperiment equals gbstats', () => {
  it(`on ${fixture.cases.length} datasets, every field to 1e-6`, () => {
    const seen = { cuped: 0, sequential: 0, bayesian: 0, guardrail: 0, corrected: 0, power: 0, errors: 0, ratio: 0 };
    fixture.cases.forEach((c, ci) => {
      const analysis = analyzeExperiment(c.variants, optionsOf(c));
      close(analysis.srm.pValue, c.srmPValue, `case ${ci} srm`);
      for (const metric of analysis.metrics) {
        for (const row of metric.variants.slice(1)) {
          const where = `case ${ci} ${metric.key} ${row.variant}`;
          const expected = c.expected[metric.key]?.[row.variant] as ExpectedComparison;
          const comparison = row.comparison;
          if (expected.relative.error !== null) {
            seen.errors++;
            expect(comparison?.outcome, where).toBe('NOT_ENOUGH_DATA');
            continue;
          }
          checkEffect(comparison?.relative, expected.relative, `${where} relative`);
          checkEffect(comparison?.absolute, expected.absolute, `${where} absolute`);
          if (expected.relative.varianceReduction !== undefined && comparison?.cuped !== undefined) {
            seen.cuped++;
            close(comparison.cuped.varianceReduction, expected.relative.varianceReduction, `${where} varianceReduction`);
          }
          if (expected.power !== undefined) {
            seen.power++;
            const p = comparison?.power;
            close(p?.power, expected.power.currentPower, `${where} power`);
            if (expected.power.status === 'successful') {
              close(p?.scalingFactor, expected.power.scalingFactor, `${where} scalingFactor`);
              close(p?.additionalUsers, expected.power.additionalUsers ?? 0, `${where} additionalUsers`);
            } else {
              expect(p?.status, where).toBe('OUT_OF_REACH');
            }
          }
          if (c.options.sequential) seen.sequential++;
          if (c.options.engine === 'bayesian') seen.bayesian++;
          if (metric.role === 'guardrail') seen.guardrail++;
          if (expected.relative.adjustedPValue !== undefined) seen.corrected++;
          if (metric.kind === 'ratio') seen.ratio++;
        }
      }
    });
    // Every method is exercised, not just present in the generator.
    for (const [what, count] of Object.entries(seen)) expect(count, what).toBeGreaterThan(10);
    expect(compared).toBeGreaterThan(5000);
  });
});
