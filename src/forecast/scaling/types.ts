/** The types of scaling decisions: the input, the two policies, the result. */
import type { RandomForestClassifier } from '../trees/index.js';
import type { RegularSeries, SeriesPoint, TrafficForecast, TrafficOptions } from '../types.js';

/** The feature sets of `scalingFeatures`: `'directional'` (the default) or `'reference'`. */
export type ScalingFeatureSet = 'directional' | 'reference';

/** What to do with capacity. */
export type ScalingDecision = 'SCALE_UP' | 'SCALE_DOWN' | 'MAINTAIN';

/** One future step of a load forecast: the mean and interval bounds per level (`lower[80]`, `upper[95]`). */
export interface LoadForecastStep {
  /** Epoch ms. */
  timestamp: number;
  /** The point forecast of the load. */
  mean: number;
  /** Lower interval bound per level in percent (`lower[80]`). */
  lower: Record<number, number>;
  /** Upper interval bound per level in percent (`upper[95]`). */
  upper: Record<number, number>;
}

/** The load forecast a threshold decision reads: the steps of the coming window. */
export interface LoadForecast {
  /** The window's steps, in time order; at least one. */
  steps: LoadForecastStep[];
}

/** Current readings shown in the reasons (`CPU: 72%`, `Memory: 68%`, `Latency: 520ms`). */
export interface CurrentMetrics {
  /** CPU use of the fleet, 0-100. */
  cpuPercent?: number;
  /** Memory use of the fleet, 0-100. */
  memoryPercent?: number;
  /** A recent request latency (such as the p95), ms. */
  latencyMs?: number;
}

/** What {@link decide} reads. Which fields are needed depends on the policy. */
export interface DecideInput {
  /** Threshold policy: the load forecast, or anything {@link toLoadForecast} accepts (a traffic forecast result). */
  forecast?: LoadForecast | unknown;
  /** Threshold policy: the load the current fleet handles at 100 %, in the forecast's unit. Overrides the policy's. */
  capacity?: number;
  /**
   * Recent load; its last point is "now". Learned policy: at the training step, at least one week
   * and one step long. Threshold policy without `forecast`: `decide` runs `traffic(history)` (with
   * the policy's `traffic` options) and reads that forecast; at least three days at sub-daily steps.
   */
  history?: readonly SeriesPoint[] | RegularSeries;
  /** Learned policy: the feature row itself, by name (instead of `history`). */
  features?: Record<string, number>;
  /** Shown in the reasons when given. */
  metrics?: CurrentMetrics;
}

/**
 * The default policy: scale up when load over the window may exceed `scaleUpAt` × capacity,
 * down when it stays below `scaleDownAt` × capacity.
 */
export interface ThresholdPolicy {
  /** Selects this policy. */
  kind: 'thresholds';
  /** Load the current fleet handles at 100 %, in the forecast's unit (requests per step…). */
  capacity?: number;
  /** Share of capacity above which to scale up. Default 0.8. */
  scaleUpAt?: number;
  /** Share of capacity below which to scale down. Default 0.3; must be below `scaleUpAt`. */
  scaleDownAt?: number;
  /** Forecast steps that make up the window. Default: all the steps given. */
  windowSteps?: number;
  /**
   * Options of the traffic forecast `decide` runs when the input has a `history` and no `forecast`.
   * Default `{}` (24 h ahead, levels 80 and 95, automatic model choice).
   */
  traffic?: TrafficOptions;
}

/** A random forest trained by {@link trainScalingPolicy}. */
export interface LearnedPolicy {
  /** Selects this policy. */
  kind: 'learned';
  /** The trained forest, refit on every row after the holdout was scored. */
  model: RandomForestClassifier<ScalingDecision>;
  /** The features the forest reads, in column order. */
  featureNames: readonly string[];
  /** Permutation importance on the held-out rows (share of the accuracy drop), largest first. */
  featureImportance: Record<string, number>;
  /** The history step the features were computed at (learned from history), if any. */
  stepMs: number | undefined;
  /**
   * The feature set `decide` computes from `input.history` (learned from history); undefined for a
   * table of your own (then pass `input.features`, or the policy reads the directional set).
   */
  featureSet?: ScalingFeatureSet | undefined;
  /** Accuracy and log-loss on the held-out (latest) rows. */
  holdout: {
    /** Rows held out. */
    rows: number;
    /** Share of held-out rows whose most likely class was right, 0-1. */
    accuracy: number;
    /** Mean negative log-likelihood of the held-out labels (lower is better). */
    logLoss: number;
  };
}

/** How {@link decide} decides: thresholds on a load forecast (the default) or a learned forest. */
export type ScalingPolicy = ThresholdPolicy | LearnedPolicy;

/** The result of {@link decide}. */
export interface DecisionResult {
  /** What to do: the most probable of the three. */
  decision: ScalingDecision;
  /** Probability of the decision: from the forecast's interval distribution, or the forest's class probability. */
  confidence: number;
  /** Human-readable reasons: the forecast against capacity or the model's view, then current metrics (`CPU: 72%`). */
  reasons: string[];
  /** Feature importance behind the decision (learned policy); empty for the threshold policy. */
  featureImportance: Record<string, number>;
  /** Probability of each decision. */
  probabilities: Record<ScalingDecision, number>;
  /** The forecast window the threshold policy read (undefined for the learned policy). */
  forecast: LoadForecast | undefined;
  /** The traffic forecast `decide` ran itself from `input.history` (threshold policy), for charts (`toSVG`). */
  traffic?: TrafficForecast;
  /** One line for people and CLIs: `Decision: SCALE_UP (confidence: 87%)`; print `reasons` under it. */
  summary: string;
}
