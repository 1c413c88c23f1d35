/**
 * Cost by attribution with bounded label sets: per `feature` and per variant of the flags the app
 * lists (capped families, as every other label), and per user only for the top spenders of each
 * window (a Space-Saving sketch; everyone else is summed as `_other`).
 */
import { EliteError } from '../internal/errors.js';
import type { Attribution } from './attribution.js';
import { type CounterSeries, Family, type SeriesPolicy } from './capped-family.js';
import type { MetricSample, PromMetricLike } from './prom-metric.js';
import { setBounded } from './recorder-context.js';
import { SpaceSaving } from './space-saving.js';
import type { AttributionOptions, CompletionRecord } from './types.js';

/** Label value of `llm_user_cost_usd_total` for the users outside a window's top spenders (and the sketch's uncertainty). */
export const OTHER_USERS_LABEL = '_other';

/** Default of `AttributionOptions.topUsers`. */
export const DEFAULT_TOP_USERS = 20;

/** Default of `AttributionOptions.topUsersWindowMs`: one minute. */
export const DEFAULT_TOP_USERS_WINDOW_MS = 60_000;

/** `attribution` options checked, with their defaults. */
export interface ResolvedAttributionOptions {
  /** Flag keys whose variants are labels. */
  flags: readonly string[];
  /** Counters of the top-spenders sketch; 0: no per-user metric. */
  topUsers: number;
  /** Length of a top-spenders window, ms. */
  windowMs: number;
}

const invalid = (field: string, message: string) =>
  new EliteError('INVALID_OPTIONS', `elite/telemetry: attribution.${field} ${message}`, { field: `attribution.${field}` });

/** Checks `TelemetryOptions.attribution`; throws `EliteError('INVALID_OPTIONS')` naming the bad field. */
export function resolveAttributionOptions(options: AttributionOptions | undefined): ResolvedAttributionOptions {
  if (options !== undefined && (options === null || typeof options !== 'object'))
    throw new EliteError('INVALID_OPTIONS', 'elite/telemetry: attribution must be an object { flags?, topUsers?, topUsersWindowMs? }', {
      field: 'attribution',
    });
  const flags = options?.flags ?? [];
  if (!Array.isArray(flags) || !flags.every((flag) => typeof flag === 'string' && flag !== ''))
    throw invalid('flags', 'must be an array of flag keys (non-empty strings), e.g. ["new-prompt"]');
  const topUsers = options?.topUsers ?? DEFAULT_TOP_USERS;
  if (!Number.isInteger(topUsers) || topUsers < 0 || topUsers > 1000)
    throw invalid('topUsers', `must be a whole number from 0 (off) to 1000, got ${String(topUsers)}`);
  const windowMs = options?.topUsersWindowMs ?? DEFAULT_TOP_USERS_WINDOW_MS;
  if (!Number.isInteger(windowMs) || windowMs < 1)
    throw invalid('topUsersWindowMs', `must be a whole number of ms ≥ 1, got ${String(windowMs)}`);
  return { flags: [...new Set(flags)], topUsers, windowMs };
}

/**
 * `llm_user_cost_usd_total{user}`: each window's cost of its top spenders, added when the window
 * closes (at the first record or scrape after its end). A user's amount is the sketch's lower
 * bound (`count − error`): never above what they spent, at most window cost / `topUsers` below
 * it; `_other` gets the rest, so the series sum to the cost of every completion with a user.
 */
export class TopSpenders implements PromMetricLike {
  /** Summed across cluster workers. */
  readonly aggregator = 'sum' as const;
  /** Counter: only grows at window ends. */
  readonly type = 'counter' as const;
  private readonly sketch: SpaceSaving;
  private windowEnd = Number.NEGATIVE_INFINITY;

  constructor(
    /** The capped family the window totals are added to. */
    readonly family: Family<'counter'>,
    capacity: number,
    private readonly windowMs: number,
    private readonly now: () => number,
  ) {
    this.sketch = new SpaceSaving(capacity);
  }

  /** The Prometheus metric name. */
  get name(): string {
    return this.family.name;
  }

  /** The `# HELP` text. */
  get help(): string {
    return this.family.help;
  }

  /** Adds `costUsd` to `user` in the window of `at`. */
  add(user: string, costUsd: number, at: number): void {
    if (at >= this.windowEnd) this.roll(at);
    this.sketch.add(user, costUsd);
  }

  /** The current window's heavy hitters, largest first, with the sketch's total (for tests and summaries). */
  current(): { totalUsd: number; users: { user: string; costUsd: number; errorUsd: number }[] } {
    return {
      totalUsd: this.sketch.total,
      users: this.sketch.top().map((hit) => ({ user: hit.key, costUsd: hit.count, errorUsd: hit.error })),
    };
  }

  /** Closes the window if `at` is past its end: its top spenders into the family, the rest into `_other`. */
  roll(at: number): void {
    if (at < this.windowEnd) return;
    const { sketch } = this;
    if (sketch.total > 0) {
      let attributed = 0;
      for (const hit of sketch.top()) {
        const guaranteed = hit.count - hit.error;
        if (!(guaranteed > 0)) continue;
        const series = this.family.at([hit.key]);
        series.value += guaranteed;
        series.lastUsedMs = at;
        attributed += guaranteed;
      }
      const other = this.family.at([OTHER_USERS_LABEL]);
      other.value += Math.max(0, sketch.total - attributed);
      other.lastUsedMs = at;
      sketch.reset();
    }
    this.windowEnd = (Math.floor(at / this.windowMs) + 1) * this.windowMs;
  }

  /** Closes a finished window, then the family's samples. */
  async get(): Promise<{ name: string; help: string; type: string; aggregator: 'sum'; values: MetricSample[] }> {
    this.roll(this.now());
    return this.family.get();
  }

  /** Forgets the window and every series. */
  reset(): void {
    this.sketch.reset();
    this.family.reset();
  }
}

/** The cost and completion series of one feature or variant, with the eviction count they were looked up at. */
interface Pair {
  cost: CounterSeries;
  completions: CounterSeries;
  epoch: number;
}

/** What the attribution recorder needs from its instance. */
export interface AttributionContext {
  /** Series per family before new label sets fold into `_overflow`. */
  maxSeries: number;
  /** The instance's idle time, clock and eviction count (no pinned series). */
  policy: SeriesPolicy;
  /** Warns once per key. */
  warnOnce: (key: string, message: string) => void;
}

/** The attribution metrics of an instance and the function `recordCompletion` feeds them with. */
export function createAttributionMetrics(options: ResolvedAttributionOptions, { maxSeries, policy, warnOnce }: AttributionContext) {
  const family = (name: string, help: string, labels: string[]) => new Family(name, help, 'counter', labels, maxSeries, [], policy);
  const featureCost = family('llm_feature_cost_usd_total', 'Estimated LLM cost in USD by product feature (attribution.feature).', [
    'feature',
  ]);
  const featureCompletions = family('llm_feature_completions_total', 'LLM calls by product feature (attribution.feature).', ['feature']);
  const variantCost = family(
    'llm_variant_cost_usd_total',
    'Estimated LLM cost in USD by variant of the flags listed in attribution.flags.',
    ['flag', 'variant'],
  );
  const variantCompletions = family('llm_variant_completions_total', 'LLM calls by variant of the flags listed in attribution.flags.', [
    'flag',
    'variant',
  ]);
  const userFamily = family(
    'llm_user_cost_usd_total',
    'Estimated LLM cost in USD of each window’s top spenders (Space-Saving sketch; lower bounds); everyone else as user="_other".',
    ['user'],
  );
  const topSpenders = options.topUsers > 0 ? new TopSpenders(userFamily, options.topUsers, options.windowMs, policy.now) : undefined;
  const tracked = options.flags;
  // A feature's (or a tracked flag's variant's) two series, looked up once and again only after an
  // eviction: features by name, variants by flag then variant (no key string joined per record).
  const featurePairs = new Map<string, Pair>();
  const variantPairs = tracked.map(() => new Map<string, Pair>());
  const count = (
    pairs: Map<string, Pair>,
    first: string,
    second: string | undefined,
    cost: Family<'counter'>,
    completions: Family<'counter'>,
    costUsd: number,
    at: number,
  ) => {
    const key = second ?? first;
    let pair = pairs.get(key);
    if (pair === undefined || pair.epoch !== policy.epoch.value) {
      const labels = second === undefined ? [first] : [first, second];
      pair = { cost: cost.at(labels), completions: completions.at(labels), epoch: policy.epoch.value };
      setBounded(pairs, key, pair);
    }
    pair.cost.value += costUsd;
    pair.cost.lastUsedMs = at;
    pair.completions.value++;
    pair.completions.lastUsedMs = at;
  };
  const badField = () =>
    warnOnce(
      'invalid-attribution',
      'elite/telemetry: an attribution field is not a string (userId, sessionId, feature) or flags is not an object of strings; the field is ignored',
    );

  /** Adds one completion's cost to its feature, tracked variants and user. Never throws. */
  const record = (completion: CompletionRecord, scoped: Attribution | undefined, costUsd: number, at: number): void => {
    const feature = completion.feature ?? scoped?.feature;
    if (typeof feature === 'string') {
      if (feature !== '') count(featurePairs, feature, undefined, featureCost, featureCompletions, costUsd, at);
    } else if (feature !== undefined) badField();
    const flags = completion.flags ?? scoped?.flags;
    if (flags !== undefined && tracked.length > 0) {
      if (flags === null || typeof flags !== 'object') badField();
      else
        for (let i = 0; i < tracked.length; i++) {
          const flag = tracked[i] as string;
          const variant = flags[flag];
          if (typeof variant === 'string')
            count(variantPairs[i] as Map<string, Pair>, flag, variant, variantCost, variantCompletions, costUsd, at);
        }
    }
    const user = completion.userId ?? scoped?.userId;
    if (typeof user === 'string') {
      if (user !== '' && topSpenders !== undefined) topSpenders.add(user, costUsd, at);
    } else if (user !== undefined) badField();
  };
  return {
    record,
    topSpenders,
    /** Every family, for the overflow and eviction counts. */
    families: [featureCost, featureCompletions, variantCost, variantCompletions, userFamily] as Family<'counter' | 'histogram'>[],
    /** What the registry exposes (the user family through its window). */
    metrics: [featureCost, featureCompletions, variantCost, variantCompletions, topSpenders ?? userFamily] as PromMetricLike[],
  };
}

/** The attribution metrics of an instance. */
export type AttributionMetrics = ReturnType<typeof createAttributionMetrics>;
