/**
 * Multi-seasonal decomposition with exponential smoothing: the daily and weekly seasonal shapes are
 * estimated in turn (each from the series minus the other, detrended by a centred moving average of
 * its own length, averaged per phase with recent cycles weighted more), twice over; the seasonally
 * adjusted series is forecast by damped-trend exponential smoothing with parameters picked by
 * one-step-ahead squared error on a small grid; the forecast adds the seasonal shapes back.
 *
 * Like R's `stlf`/MSTL + ETS in structure; the moving-average decomposition replaces STL's loess
 * passes, which costs O(n) per pass and keeps the model within a millisecond at 8 weeks hourly.
 * @packageDocumentation
 */

import type { Forecaster, ModelContext, ModelOutput } from '../types.js';

/** Options of {@link createMstlEts}. */
export interface MstlEtsOptions {
  /** Weight of each older cycle relative to the next newer one in the seasonal averages. Default 0.85. */
  seasonalDecay?: number;
  /** Most cycles averaged per period; older history is not used. Default 4. */
  cycles?: number;
}

/** Centred moving average of length `p` (2×p when p is even), NaN where it is not defined. */
function centredMean(x: Float64Array, p: number): Float64Array {
  const n = x.length;
  const out = new Float64Array(n).fill(Number.NaN);
  const half = Math.floor(p / 2);
  const even = p % 2 === 0;
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i]! + x[i]!;
  for (let i = half; i < n - half; i++) {
    if (even) {
      // 2×p: the mean of two p-windows, ends weighted by 1/2.
      const inner = prefix[i + half]! - prefix[i - half + 1]!;
      out[i] = (inner + 0.5 * (x[i - half]! + x[i + half]!)) / p;
    } else out[i] = (prefix[i + half + 1]! - prefix[i - half]!) / p;
  }
  return out;
}

/** Per-phase weighted mean of the detrended series, centred to sum to zero over the period. */
function seasonalShape(x: Float64Array, trend: Float64Array, p: number, decay: number, cycles: number): Float64Array {
  const n = x.length;
  const sum = new Float64Array(p);
  const wsum = new Float64Array(p);
  // Walk back from the last point with a defined trend: cycle k (0 = newest) has weight decay^k.
  let last = n - 1;
  while (last >= 0 && Number.isNaN(trend[last]!)) last--;
  let w = 1;
  for (let i = last; i >= 0 && last - i < cycles * p; i--) {
    const t = trend[i]!;
    if (Number.isNaN(t)) break;
    if (i !== last && (last - i) % p === 0) w *= decay;
    const phase = i % p;
    sum[phase] = sum[phase]! + w * (x[i]! - t);
    wsum[phase] = wsum[phase]! + w;
  }
  const shape = new Float64Array(p);
  let mean = 0;
  for (let k = 0; k < p; k++) {
    shape[k] = wsum[k]! > 0 ? sum[k]! / wsum[k]! : 0;
    mean += shape[k]!;
  }
  mean /= p;
  for (let k = 0; k < p; k++) shape[k] = shape[k]! - mean;
  return shape;
}

interface Smoothing {
  level: number;
  trend: number;
  phi: number;
}

const ALPHAS = [0.05, 0.15, 0.3, 0.5, 0.8];
const BETAS = [0, 0.05];
const PHI = 0.9;

/** Damped-trend exponential smoothing (additive errors), parameters by one-step SSE on a grid. */
function smooth(a: Float64Array): Smoothing {
  const n = a.length;
  let best: Smoothing = { level: a[n - 1]!, trend: 0, phi: PHI };
  let bestSse = Number.POSITIVE_INFINITY;
  for (const alpha of ALPHAS) {
    for (const beta of BETAS) {
      let level = a[0]!;
      let trend = 0;
      let sse = 0;
      for (let i = 1; i < n; i++) {
        const f = level + PHI * trend;
        const e = a[i]! - f;
        sse += e * e;
        const newLevel = f + alpha * e;
        trend = PHI * trend + alpha * beta * e;
        level = newLevel;
      }
      if (sse < bestSse) {
        bestSse = sse;
        best = { level, trend, phi: PHI };
      }
    }
  }
  return best;
}

/** An MSTL + ETS forecaster. */
export function createMstlEts(options: MstlEtsOptions = {}, name = 'mstl-ets'): Forecaster {
  const decay = options.seasonalDecay ?? 0.85;
  const cycles = options.cycles ?? 4;
  return {
    name,
    minLength: (context: ModelContext) => 2 * (context.periods[0] ?? 4),
    forecast(all: Float64Array, horizon: number, context: ModelContext): ModelOutput {
      const periods = context.periods.filter((p) => all.length >= 2 * p);
      const longest = periods[periods.length - 1] ?? 1;
      // Only the last cycles (plus one for the moving average's edges) carry weight: cut the rest.
      const start = Math.max(0, all.length - (cycles + 1) * longest);
      const values = all.subarray(start);
      const n = values.length;
      // Phases come from the absolute grid index so they line up with the calendar.
      const offset = Math.round(context.startMs / context.stepMs) + start;
      const phases = periods.map((p) => {
        const ph = new Int32Array(n + horizon);
        for (let i = 0; i < ph.length; i++) ph[i] = (i + offset) % p;
        return ph;
      });
      const shapes = periods.map((p) => new Float64Array(p));
      const x = new Float64Array(n);
      for (let pass = 0; pass < 2; pass++) {
        for (let j = 0; j < periods.length; j++) {
          const p = periods[j]!;
          x.set(values);
          for (let q = 0; q < periods.length; q++) {
            if (q === j) continue;
            const shape = shapes[q]!;
            const ph = phases[q]!;
            for (let i = 0; i < n; i++) x[i] = x[i]! - shape[ph[i]!]!;
          }
          const trend = centredMean(x, p);
          // seasonalShape indexes phases by i % p: rotate to calendar phases.
          const raw = seasonalShape(x, trend, p, decay, cycles);
          const shape = shapes[j]!;
          for (let k = 0; k < p; k++) shape[phases[j]![k]!] = raw[k]!;
        }
      }
      const adjusted = Float64Array.from(values);
      for (let q = 0; q < periods.length; q++) {
        const shape = shapes[q]!;
        const ph = phases[q]!;
        for (let i = 0; i < n; i++) adjusted[i] = adjusted[i]! - shape[ph[i]!]!;
      }
      const s = smooth(adjusted);
      const mean = new Float64Array(horizon);
      const trend: number[] = [];
      const daily: number[] = [];
      const weekly: number[] = [];
      let damp = 0;
      let phiPow = 1;
      for (let h = 0; h < horizon; h++) {
        phiPow *= s.phi;
        damp += phiPow;
        const tr = s.level + damp * s.trend;
        const d = periods.length > 0 ? shapes[0]![phases[0]![n + h]!]! : 0;
        const w = periods.length > 1 ? shapes[1]![phases[1]![n + h]!]! : 0;
        mean[h] = tr + d + w;
        trend.push(tr);
        daily.push(d);
        weekly.push(w);
      }
      return { mean, components: { trend, daily, weekly } };
    },
  };
}

/** Daily and weekly shapes over up to 4 cycles each, recent ones weighted more. */
export const mstlEts: Forecaster = createMstlEts();
