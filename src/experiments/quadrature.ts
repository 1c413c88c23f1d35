/**
 * Gauss–Legendre quadrature: the n-point rule, composite panels over an interval, and the
 * clamped ratio every expectation in ./probability-to-beat.ts ends with.
 */

/** Gauss–Legendre points per panel. */
const GAUSS_POINTS = 20;

const gauss = gaussLegendre(GAUSS_POINTS);

/** Points (ascending) and weights of `panels` equal Gauss–Legendre panels over [lo, hi]. */
export function compositeRule(lo: number, hi: number, panels: number): { points: number[]; weights: number[] } {
  const points: number[] = [];
  const weights: number[] = [];
  const half = (hi - lo) / (2 * panels);
  for (let panel = 0; panel < panels; panel++) {
    const mid = lo + (2 * panel + 1) * half;
    // The rule's nodes run from +1 down to −1: walk them backwards to keep the points ascending.
    for (let i = GAUSS_POINTS - 1; i >= 0; i--) {
      points.push(mid + half * gauss.nodes[i]!);
      weights.push(half * gauss.weights[i]!);
    }
  }
  return { points, weights };
}

/** `part / whole` as a probability: clamped to [0, 1], ½ if the whole vanished (unreachable for a, b ≥ 1). */
export function ratio(part: number, whole: number): number {
  if (!(whole > 0)) return 0.5;
  return Math.min(1, Math.max(0, part / whole));
}

/** Nodes and weights of the n-point Gauss–Legendre rule on [−1, 1], by Newton's method on Pₙ. */
function gaussLegendre(n: number): { nodes: number[]; weights: number[] } {
  const nodes: number[] = [];
  const weights: number[] = [];
  for (let i = 1; i <= n; i++) {
    let x = Math.cos((Math.PI * (i - 0.25)) / (n + 0.5));
    let derivative = 1;
    for (let iteration = 0; iteration < 100; iteration++) {
      // Pₙ(x) by the three-term recurrence, then Pₙ'(x) = n(x·Pₙ − Pₙ₋₁)/(x² − 1).
      let previous = 1;
      let current = x;
      for (let k = 2; k <= n; k++) {
        const next = ((2 * k - 1) * x * current - (k - 1) * previous) / k;
        previous = current;
        current = next;
      }
      derivative = (n * (x * current - previous)) / (x * x - 1);
      const step = current / derivative;
      x -= step;
      if (Math.abs(step) < 1e-15) break;
    }
    nodes.push(x);
    weights.push(2 / ((1 - x * x) * derivative * derivative));
  }
  return { nodes, weights };
}
