/**
 * The words of the results: the per-variant comparison sentence behind `summary`, and the
 * number formats shared by the summary and the warnings.
 */
import type { VariantResult } from './types.js';

/**
 * One variant against control as a sentence: the uplift (or both rates), then the `level`
 * confidence interval, p-value and probability to beat control that are known.
 */
export function describe(r: VariantResult, control: VariantResult, level: string): string {
  const details: string[] = [];
  let head: string;
  if (r.uplift === undefined) {
    head = `${r.variant} converts at ${formatPercent(r.conversionRate)} against ${formatPercent(control.conversionRate)} for ${control.variant}`;
  } else {
    head =
      r.uplift === 0
        ? `${r.variant} converts at the same rate as ${control.variant}`
        : `${r.variant} converts ${formatPercent(Math.abs(r.uplift))} ${r.uplift > 0 ? 'better' : 'worse'} than ${control.variant}`;
    if (r.upliftInterval !== undefined) {
      details.push(`${level} CI ${formatPercent(r.upliftInterval[0])} to ${formatPercent(r.upliftInterval[1])}`);
    }
  }
  if (r.pValue !== undefined) details.push(formatP(r.pValue));
  if (r.probabilityToBeatControl !== undefined) {
    details.push(`probability to beat ${control.variant} ${formatProbability(r.probabilityToBeatControl)}`);
  }
  return details.length > 0 ? `${head} (${details.join(', ')})` : `${head} (no data to compare)`;
}

/** A share as a percentage with one decimal (`0.123` → `12.3%`); never `-0.0%`. */
export function formatPercent(value: number): string {
  const text = (value * 100).toFixed(1);
  return `${text === '-0.0' ? '0.0' : text}%`;
}

/** A confidence level as a percentage without trailing zeros (`0.95` → `95%`). */
export function formatLevel(value: number): string {
  return `${Number((value * 100).toFixed(2))}%`;
}

function formatProbability(value: number): string {
  if (value > 0.999) return '> 99.9%';
  if (value < 0.001) return '< 0.1%';
  return formatPercent(value);
}

/** A p-value as `p = 0.012`, `p = 3.2e-5` below 0.001, or `p < 1e-300` for 0. */
export function formatP(p: number): string {
  if (p >= 0.001) return `p = ${p.toFixed(3)}`;
  if (p > 0) return `p = ${p.toExponential(1)}`;
  return 'p < 1e-300';
}

/** `count` and the noun, with an `s` unless the count is 1 (`2 rows`, `1 row`). */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** An input value as a warning quotes it: strings quoted and cut at 20 characters, objects by their type. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 20 ? `${value.slice(0, 20)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null) return String(value);
  return typeof value;
}
