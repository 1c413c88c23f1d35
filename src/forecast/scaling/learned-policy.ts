/**
 * The learned scaling policy: a random forest trained on labelled load history (or a table of
 * your own), and the decision it gives for the latest features.
 */
import { EliteError } from '../../internal/errors.js';
import { checkOptionsObject } from '../options.js';
import { isRegularSeries } from '../series.js';
import { accuracy, fitRandomForest, logLoss, permutationImportance, type RandomForestOptions } from '../trees/index.js';
import type { RegularSeries, SeriesPoint } from '../types.js';
import { latestScalingRow, SCALING_FEATURES, type ScalingLabelOptions, type ScalingTable, scalingFeatures } from './features.js';
import { formatFeature, pct } from './format.js';
import type { DecideInput, DecisionResult, LearnedPolicy, ScalingDecision, ScalingFeatureSet } from './types.js';

const DECISIONS: readonly ScalingDecision[] = ['SCALE_DOWN', 'MAINTAIN', 'SCALE_UP'];

/** The decision of a learned policy (see `decide`), its reasons without the current metrics, and an empty summary. */
export function decideLearned(input: DecideInput, policy: LearnedPolicy): DecisionResult {
  let row: number[];
  if (input.features !== undefined) {
    row = policy.featureNames.map((name) => {
      const v = input.features![name];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new EliteError('INVALID_OPTIONS', `elite/forecast: input.features.${name} must be a finite number`, {
          field: `features.${name}`,
        });
      }
      return v;
    });
  } else if (input.history !== undefined) {
    const latest = latestScalingRow(input.history, policy.featureSet ?? featureSetOf(policy.featureNames));
    if (policy.stepMs !== undefined && latest.stepMs !== policy.stepMs) {
      throw new EliteError(
        'SERIES_IRREGULAR_STEP',
        `elite/forecast: history's step is ${latest.stepMs} ms, the policy was trained at ${policy.stepMs} ms; resample it`,
        {
          field: 'history',
        },
      );
    }
    row = latest.row;
  } else {
    throw new EliteError('INVALID_OPTIONS', 'elite/forecast: the learned policy needs input.history or input.features', { field: 'input' });
  }
  const proba = policy.model.predictProbaOne(row);
  const probabilities = { SCALE_UP: 0, SCALE_DOWN: 0, MAINTAIN: 0 };
  policy.model.classes.forEach((c, k) => {
    probabilities[c] = proba[k]!;
  });
  let decision: ScalingDecision = 'MAINTAIN';
  for (const d of DECISIONS) if (probabilities[d] > probabilities[decision]) decision = d;
  const top = Object.entries(policy.featureImportance).slice(0, 3);
  const reasons = [
    `P(${decision}): ${probabilities[decision].toFixed(2)} (random forest, ${policy.model.trees.length} trees)`,
    ...top.map(([name, share]) => `${name}: ${formatFeature(name, row[policy.featureNames.indexOf(name)]!)} (importance ${pct(share)})`),
  ];
  return {
    decision,
    confidence: probabilities[decision],
    reasons,
    featureImportance: policy.featureImportance,
    probabilities,
    forecast: undefined,
    summary: '',
  };
}

/** The feature set whose names a table-trained policy's columns are (reference or directional). */
function featureSetOf(names: readonly string[]): ScalingFeatureSet {
  return names.length === SCALING_FEATURES.length && names.every((n, i) => n === SCALING_FEATURES[i]) ? 'reference' : 'directional';
}

/** Options of {@link trainScalingPolicy}. */
export interface TrainScalingPolicyOptions extends ScalingLabelOptions {
  /** Forest settings. Default 100 trees, 5 rows per leaf, √features per split, seed 0. */
  forest?: RandomForestOptions;
  /** Latest share of rows held out to measure accuracy and permutation importance, in [0.05, 0.5]. Default 0.3. */
  holdoutFraction?: number;
  /** Shuffles per feature for the permutation importance. Default 5. */
  nRepeats?: number;
}

/**
 * Trains the learned scaling policy: a random forest on labelled history. Pass a load history
 * (points or a `RegularSeries`; features and labels from {@link scalingFeatures}) or a table of
 * your own `{ featureNames, x, y }`.
 * The latest `holdoutFraction` of rows (time order kept) measures accuracy, log-loss and the
 * permutation importance; the returned model is then refit on all rows.
 */
export function trainScalingPolicy(
  data: readonly SeriesPoint[] | RegularSeries | { featureNames: readonly string[]; x: number[][]; y: ScalingDecision[] },
  options: TrainScalingPolicyOptions = {},
): LearnedPolicy {
  checkOptionsObject(options);
  const fromHistory = Array.isArray(data) || isRegularSeries(data);
  const table = fromHistory ? scalingFeatures(data as readonly SeriesPoint[] | RegularSeries, options) : (data as ScalingTable);
  const stepMs = fromHistory ? table.stepMs : undefined;
  const featureSet = fromHistory ? (options.featureSet ?? 'directional') : undefined;
  const { featureNames, x, y } = table;
  if (!Array.isArray(featureNames) || !Array.isArray(x) || x.length === 0 || x[0]!.length !== featureNames.length) {
    throw new EliteError('INVALID_OPTIONS', 'elite/forecast: training data needs featureNames and rows x of that width', { field: 'x' });
  }
  for (const label of y) {
    if (!DECISIONS.includes(label)) {
      throw new EliteError('INVALID_OPTIONS', `elite/forecast: labels must be SCALE_UP, SCALE_DOWN or MAINTAIN, got ${String(label)}`, {
        field: 'y',
      });
    }
  }
  const holdoutFraction = options.holdoutFraction ?? 0.3;
  if (!(holdoutFraction >= 0.05 && holdoutFraction <= 0.5)) {
    throw new EliteError('INVALID_OPTIONS', `elite/forecast: holdoutFraction must be in [0.05, 0.5], got ${String(holdoutFraction)}`, {
      field: 'holdoutFraction',
    });
  }
  const forestOptions: RandomForestOptions = { nEstimators: 100, minSamplesLeaf: 5, maxFeatures: 'sqrt', seed: 0, ...options.forest };
  const cut = Math.round(x.length * (1 - holdoutFraction));
  if (cut < 2 || x.length - cut < 1) {
    throw new EliteError('INVALID_OPTIONS', `elite/forecast: need more labelled rows to train and hold out, got ${x.length}`, {
      field: 'x',
    });
  }
  const trial = fitRandomForest(x.slice(0, cut), y.slice(0, cut), forestOptions);
  const testX = x.slice(cut);
  const testY = y.slice(cut);
  const proba = trial.predictProba(testX);
  const perm = permutationImportance(testX, (rows) => accuracy(testY, trial.predictProba(rows), trial.classes), {
    nRepeats: options.nRepeats ?? 5,
    seed: forestOptions.seed ?? 0,
  });
  const featureImportance = featureNames
    .map((name, i) => [name, perm.normalized[i]!] as const)
    .sort((a, b) => b[1] - a[1])
    .reduce<Record<string, number>>((acc, [name, share]) => {
      acc[name] = share;
      return acc;
    }, {});
  return {
    kind: 'learned',
    model: fitRandomForest(x, y, forestOptions),
    featureNames,
    featureImportance,
    stepMs,
    featureSet,
    holdout: { rows: testY.length, accuracy: accuracy(testY, proba, trial.classes), logLoss: logLoss(testY, proba, trial.classes) },
  };
}
