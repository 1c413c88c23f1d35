/**
 * The shipped learned scaling policy: a small random forest trained on the benchmark panel's
 * hourly series to reproduce the forecast policy's decisions from the directional features.
 */
import type { RandomForestClassifier } from '../trees/index.js';
import { leafOf, type Tree } from '../trees/tree.js';
import { PRETRAINED_FOREST_JSON } from './pretrained-forest.js';
import type { LearnedPolicy, ScalingDecision } from './types.js';

interface ForestData {
  featureNames: string[];
  classes: ScalingDecision[];
  featureImportance: Record<string, number>;
  holdout: { rows: number; agreement: number; trainRows: number };
  trees: Array<[number[], number[], number[], number[], number[]]>;
}

let cached: LearnedPolicy | undefined;

/**
 * The learned policy `tiqology decide --policy learned` uses: a random forest (20 trees, depth 6)
 * trained on the 8 main-tier series of the forecast benchmark panel (nyc_taxi, six Twitter volumes,
 * a CPU series; held-out weeks, including the demo's, kept out of training) to reproduce the forecast
 * policy's decisions: SCALE_UP when the traffic forecast passes the last hour's load by 15 % within
 * 2 h, SCALE_DOWN when it stays 15 % below it, else MAINTAIN. It reads the
 * `DIRECTIONAL_SCALING_FEATURES`, so it needs no capacity, only a history of one week and one hour
 * or more whose step divides an hour. `holdout.accuracy` is its agreement with the forecast policy
 * on the held-out weeks; `holdout.logLoss` is NaN (not measured). Regenerate the forest with
 * `npm run bench:scaling-policy -- --write`.
 *
 * @example
 * const d = decide({ history: lastFiveWeeks }, pretrainedScalingPolicy());
 */
export function pretrainedScalingPolicy(): LearnedPolicy {
  if (cached !== undefined) return cached;
  const data = JSON.parse(PRETRAINED_FOREST_JSON) as ForestData;
  const K = data.classes.length;
  const trees: Tree[] = data.trees.map(([feature, threshold, left, right, value]) => ({
    feature: Int32Array.from(feature),
    threshold: Float64Array.from(threshold),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    value: Float64Array.from(value),
    outputs: K,
  }));
  const predictProbaOne = (row: ArrayLike<number>): Float64Array => {
    const p = new Float64Array(K);
    for (const tree of trees) {
      const at = leafOf(tree, row) * K;
      for (let k = 0; k < K; k++) p[k]! += tree.value[at + k]!;
    }
    for (let k = 0; k < K; k++) p[k]! /= trees.length;
    return p;
  };
  const predictProba = (rows: ReadonlyArray<ArrayLike<number>>): Float64Array[] => rows.map(predictProbaOne);
  const model: RandomForestClassifier<ScalingDecision> = {
    classes: data.classes,
    predictProba,
    predictProbaOne,
    predict: (rows) =>
      predictProba(rows).map((p) => {
        let best = 0;
        for (let k = 1; k < K; k++) if (p[k]! > p[best]!) best = k;
        return data.classes[best]!;
      }),
    featureImportance: Float64Array.from(data.featureNames, (name) => data.featureImportance[name] ?? 0),
    features: data.featureNames.length,
    trees,
  };
  cached = {
    kind: 'learned',
    model,
    featureNames: data.featureNames,
    featureImportance: data.featureImportance,
    stepMs: undefined,
    featureSet: 'directional',
    holdout: { rows: data.holdout.rows, accuracy: data.holdout.agreement, logLoss: Number.NaN },
  };
  return cached;
}
