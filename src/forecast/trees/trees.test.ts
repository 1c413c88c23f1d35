import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EliteError } from '../../internal/errors.js';
import { binMatrix } from './binning.js';
import { accuracy, createRandom, fitGradientBoosting, fitRandomForest, logLoss, permutationImportance, quantile, rmse } from './index.js';

function uniformRows(n: number, features: number, seed: number): number[][] {
  const random = createRandom(seed);
  return Array.from({ length: n }, () => Array.from({ length: features }, () => random.next()));
}

const sum = (xs: ArrayLike<number>): number => Array.from(xs).reduce((a, b) => a + b, 0);
const top = (xs: ArrayLike<number>): number => Array.from(xs).indexOf(Math.max(...Array.from(xs)));

describe('createRandom', () => {
  it('repeats a sequence for a seed, differs across seeds and stays in [0, 1)', () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const c = createRandom(43);
    const xs = Array.from({ length: 1000 }, () => a.next());
    expect(Array.from({ length: 1000 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 1000 }, () => c.next())).not.toEqual(xs);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = sum(xs) / xs.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
    const ints = new Set(Array.from({ length: 200 }, () => a.int(5)));
    expect([...ints].sort()).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('binMatrix', () => {
  it('keeps every distinct value of a low-cardinality column and respects thresholds', () => {
    const rows = [[3], [1], [2], [1], [3]];
    const binned = binMatrix(rows);
    expect(Array.from(binned.edges[0]!)).toEqual([1.5, 2.5]);
    expect(Array.from(binned.bins[0]!)).toEqual([2, 0, 1, 0, 2]);
  });

  it('caps a continuous column at 256 bins of similar size', () => {
    const rows = uniformRows(5000, 1, 3);
    const binned = binMatrix(rows);
    expect(binned.edges[0]!.length).toBeLessThanOrEqual(255);
    expect(binned.edges[0]!.length).toBeGreaterThan(200);
    const counts = new Array(256).fill(0);
    for (const b of binned.bins[0]!) counts[b]++;
    expect(Math.max(...counts)).toBeLessThan(60);
    // Every row's bin agrees with the raw thresholds.
    binned.bins[0]!.forEach((b, i) => {
      const v = rows[i]![0]!;
      if (b > 0) expect(v).toBeGreaterThan(binned.edges[0]![b - 1]!);
      if (b < binned.edges[0]!.length) expect(v).toBeLessThanOrEqual(binned.edges[0]![b]!);
    });
  });
});

describe('fitGradientBoosting', () => {
  const x = uniformRows(600, 4, 1);
  const y = x.map((r) => 10 * Math.sin(3 * r[2]!) + r[0]! * 0.1);

  it('puts the feature a pure function depends on first, with importances summing to 1', () => {
    const model = fitGradientBoosting(x, y, { nEstimators: 50 });
    expect(top(model.featureImportance)).toBe(2);
    expect(model.featureImportance[2]).toBeGreaterThan(0.9);
    expect(sum(model.featureImportance)).toBeCloseTo(1, 12);
    expect(rmse(y, model.predict(x))).toBeLessThan(0.5);
  });

  it('predicts the mean of a constant target, with no importance', () => {
    const model = fitGradientBoosting(x, new Array(x.length).fill(7), { nEstimators: 5 });
    expect(Array.from(model.predict(x.slice(0, 3)))).toEqual([7, 7, 7]);
    expect(sum(model.featureImportance)).toBe(0);
    expect(model.init).toBe(7);
  });

  it('is deterministic for a seed with subsampling, and the seed matters', () => {
    const a = fitGradientBoosting(x, y, { nEstimators: 20, subsample: 0.5, seed: 9 });
    const b = fitGradientBoosting(x, y, { nEstimators: 20, subsample: 0.5, seed: 9 });
    const c = fitGradientBoosting(x, y, { nEstimators: 20, subsample: 0.5, seed: 10 });
    expect(Array.from(a.predict(x))).toEqual(Array.from(b.predict(x)));
    expect(Array.from(a.predict(x))).not.toEqual(Array.from(c.predict(x)));
  });

  it('honours maxDepth and minSamplesLeaf', () => {
    const model = fitGradientBoosting(x, y, { nEstimators: 3, maxDepth: 2, minSamplesLeaf: 100 });
    for (const tree of model.trees) {
      expect(tree.feature.length).toBeLessThanOrEqual(7);
    }
    const stump = fitGradientBoosting(x, y, { nEstimators: 1, maxDepth: 1, learningRate: 1 });
    expect(new Set(Array.from(stump.predict(x))).size).toBe(2);
  });

  it('quantile loss: a 0.1 and a 0.9 model bracket about 80% of unseen rows, wider where the noise is', () => {
    const random = createRandom(21);
    const gauss = () => Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
    const make = (n: number) => {
      const rows = uniformRows(n, 2, random.int(1e9));
      return { rows, target: rows.map((r) => 10 * r[0]! + gauss() * (0.5 + 3 * r[1]!)) };
    };
    const train = make(3000);
    const test = make(2000);
    const options = { nEstimators: 150, loss: 'quantile' as const, minSamplesLeaf: 20 };
    const low = fitGradientBoosting(train.rows, train.target, { ...options, alpha: 0.1 });
    const high = fitGradientBoosting(train.rows, train.target, { ...options, alpha: 0.9 });
    const lo = low.predict(test.rows);
    const hi = high.predict(test.rows);
    let inside = 0;
    test.target.forEach((v, i) => {
      if (v >= lo[i]! && v <= hi[i]!) inside++;
    });
    expect(inside / test.target.length).toBeGreaterThan(0.74);
    expect(inside / test.target.length).toBeLessThan(0.86);
    const width = (r: number[]) => high.predictOne(r) - low.predictOne(r);
    expect(width([0.5, 0.9])).toBeGreaterThan(2 * width([0.5, 0.1]));
    const median = fitGradientBoosting(train.rows, train.target, { nEstimators: 5, loss: 'quantile' });
    expect(median.init).toBeCloseTo(quantile(train.target, 0.5), 12);
  });

  it('rejects bad options and data with INVALID_OPTIONS', () => {
    const bad: Array<() => unknown> = [
      () => fitGradientBoosting(x, y, { nEstimators: 0 }),
      () => fitGradientBoosting(x, y, { loss: 'huber' as 'squared' }),
      () => fitGradientBoosting(x, y, { loss: 'quantile', alpha: 1 }),
      () => fitGradientBoosting(x, y, { learningRate: 0 }),
      () => fitGradientBoosting(x, y, { subsample: 1.5 }),
      () => fitGradientBoosting(x, y, { maxDepth: 2.5 }),
      () => fitGradientBoosting([], []),
      () => fitGradientBoosting([[1, 2], [1]], [1, 2]),
      () => fitGradientBoosting([[1], [Number.NaN]], [1, 2]),
      () => fitGradientBoosting([[1], [2]], [1]),
      () => fitGradientBoosting([[1], [2]], [1, Number.POSITIVE_INFINITY]),
      () => fitGradientBoosting(x, y, { nEstimators: 1 }).predict([[1, 2]]),
    ];
    for (const call of bad) {
      expect(call).toThrow(EliteError);
      try {
        call();
      } catch (error) {
        expect((error as EliteError).code).toBe('INVALID_OPTIONS');
        expect((error as EliteError).name).toBe('EliteError');
      }
    }
  });

  it('property: scaling the target by a power of two scales the predictions', () => {
    // Powers of two keep floating-point sums exact, so split choices cannot flip on near-ties.
    const base = fitGradientBoosting(x.slice(0, 120), y.slice(0, 120), { nEstimators: 10 });
    const p = base.predict(x.slice(200, 220));
    fc.assert(
      fc.property(fc.integer({ min: -8, max: 8 }), (k) => {
        const a = 2 ** k;
        const scaled = fitGradientBoosting(
          x.slice(0, 120),
          y.slice(0, 120).map((v) => a * v),
          { nEstimators: 10 },
        );
        const q = scaled.predict(x.slice(200, 220));
        for (let i = 0; i < p.length; i++) expect(q[i]).toBeCloseTo(a * p[i]!, 9);
      }),
      { numRuns: 10 },
    );
  });
});

describe('fitRandomForest', () => {
  const x = uniformRows(400, 5, 2);
  const y = x.map((r) => (r[3]! > 0.6 ? 'high' : r[3]! < 0.3 ? 'low' : 'mid'));

  it('learns a class that depends on one feature and ranks that feature first', () => {
    const forest = fitRandomForest(x, y, { nEstimators: 30, seed: 1 });
    expect(forest.classes).toEqual(['high', 'low', 'mid']);
    const test = uniformRows(200, 5, 77);
    const truth = test.map((r) => (r[3]! > 0.6 ? 'high' : r[3]! < 0.3 ? 'low' : 'mid'));
    expect(accuracy(truth, forest.predictProba(test), forest.classes)).toBeGreaterThan(0.9);
    expect(forest.predict(test).filter((c, i) => c === truth[i]).length).toBeGreaterThan(180);
    expect(top(forest.featureImportance)).toBe(3);
    expect(sum(forest.featureImportance)).toBeCloseTo(1, 12);
    const perm = permutationImportance(test, (rows) => accuracy(truth, forest.predictProba(rows), forest.classes), { seed: 3 });
    expect(top(perm.mean)).toBe(3);
    expect(perm.mean[3]).toBeGreaterThan(0.3);
    expect(sum(perm.normalized)).toBeCloseTo(1, 12);
    expect(perm.baseline).toBeGreaterThan(0.9);
    expect(perm.std).toHaveLength(5);
  });

  it('gives probabilities that sum to 1 per row, within [0, 1]', () => {
    const forest = fitRandomForest(x, y, { nEstimators: 10, minSamplesLeaf: 3, seed: 4 });
    for (const p of forest.predictProba(uniformRows(50, 5, 8))) {
      expect(sum(p)).toBeCloseTo(1, 12);
      for (const v of p) {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
      }
    }
  });

  it('is deterministic for a seed, and the seed matters', () => {
    const test = uniformRows(100, 5, 9);
    const a = fitRandomForest(x, y, { nEstimators: 10, seed: 5 }).predictProba(test);
    const b = fitRandomForest(x, y, { nEstimators: 10, seed: 5 }).predictProba(test);
    const c = fitRandomForest(x, y, { nEstimators: 10, seed: 6 }).predictProba(test);
    expect(a.map((p) => Array.from(p))).toEqual(b.map((p) => Array.from(p)));
    expect(a.map((p) => Array.from(p))).not.toEqual(c.map((p) => Array.from(p)));
  });

  it('supports numeric labels, maxDepth, log2/all/count features and no bootstrap', () => {
    const labels = y.map((c) => (c === 'high' ? 2 : c === 'low' ? 0 : 1));
    const stumps = fitRandomForest(x, labels, { nEstimators: 5, maxDepth: 1, maxFeatures: 'all', bootstrap: false });
    expect(stumps.classes).toEqual([0, 1, 2]);
    for (const tree of stumps.trees) expect(tree.feature.length).toBe(3);
    // Without bootstrap and with every feature, all trees are the same tree.
    expect(Array.from(stumps.trees[0]!.threshold)).toEqual(Array.from(stumps.trees[4]!.threshold));
    expect(fitRandomForest(x, labels, { nEstimators: 3, maxFeatures: 'log2' }).trees).toHaveLength(3);
    expect(fitRandomForest(x, labels, { nEstimators: 3, maxFeatures: 9 }).features).toBe(5);
  });

  it('rejects bad options and labels with INVALID_OPTIONS', () => {
    const bad: Array<() => unknown> = [
      () => fitRandomForest(x, y.slice(1)),
      () => fitRandomForest([[1]], ['a']),
      () => fitRandomForest(x, y, { maxFeatures: 0 }),
      () => fitRandomForest(x, y, { maxFeatures: 'half' as 'sqrt' }),
      () => fitRandomForest(x, y, { minSamplesLeaf: 0 }),
      () => fitRandomForest(x, y, { maxDepth: 0 }),
      () =>
        fitRandomForest(
          x,
          y.map(() => Number.NaN),
        ),
      () => fitRandomForest(x, y, { nEstimators: 1 }).predictProba([[1]]),
    ];
    for (const call of bad) expect(call).toThrow(expect.objectContaining({ code: 'INVALID_OPTIONS', name: 'EliteError' }));
  });
});

describe('metrics', () => {
  it('computes RMSE, accuracy, clipped log-loss and type-7 quantiles', () => {
    expect(rmse([1, 2, 3], [1, 2, 5])).toBeCloseTo(Math.sqrt(4 / 3), 12);
    const classes = ['a', 'b'];
    const proba = [
      [0.9, 0.1],
      [0.2, 0.8],
      [1, 0],
    ];
    expect(accuracy(['a', 'b', 'b'], proba, classes)).toBeCloseTo(2 / 3, 12);
    expect(logLoss(['a', 'b'], proba.slice(0, 2), classes)).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8)) / 2, 12);
    expect(logLoss(['b'], [[1, 0]], classes)).toBeCloseTo(-Math.log(1e-15), 6);
    expect(logLoss(['z'], [[1, 0]], classes)).toBeCloseTo(-Math.log(1e-15), 6);
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([4, 1, 3, 2], 0)).toBe(1);
    expect(quantile([4, 1, 3, 2], 1)).toBe(4);
    expect(quantile([], 0.5)).toBeNaN();
  });
});
