import { TOGGLE_VARIANTS, validateFlag } from '../definitions/index.js';
import { BUCKETS, bucketsOf, percentToBuckets, pickVariant, type SaltState, saltState } from './bucketing.js';
import { evalCondition } from './conditions.js';
import type { Condition, EvaluationErrorCode, EvaluationReason, FlagDefinition, FlagUser, JsonValue, VariantWeight } from './types.js';

/** A rule with its lookups prepared. */
interface CompiledRule {
  condition: Condition | undefined;
  segments: Condition[];
  userIds: Set<string> | undefined;
  /** Index of a fixed variant, or of the one variant a full-rollout rule can serve; -1 for a split. */
  fixed: number;
  rolloutBuckets: number;
  cutPoints: number[];
}

/**
 * A validated flag prepared for evaluation: cut-points in whole buckets, the salt's hash
 * state, rule lookups. Built once per definition read from the store, reused for every
 * evaluation.
 */
export interface CompiledFlag {
  readonly definition: FlagDefinition;
  readonly key: string;
  readonly version: number | undefined;
  readonly toggle: boolean;
  readonly enabled: boolean;
  readonly variantKeys: readonly string[];
  readonly values: readonly JsonValue[];
  readonly defaultIndex: number;
  /** What a disabled flag serves: `off` for a toggle (a kill switch), else the default variant. */
  readonly disabledIndex: number;
  readonly salt: SaltState;
  readonly rolloutBuckets: number;
  readonly cutPoints: readonly number[];
  /** Index of the one variant every included user gets, or -1 when the flag splits. */
  readonly staticIndex: number;
  readonly rules: readonly CompiledRule[];
}

/** The outcome of evaluating one flag for one user. */
export interface Evaluation {
  value: JsonValue;
  variant: string | undefined;
  reason: EvaluationReason;
  errorCode?: EvaluationErrorCode;
  errorMessage?: string;
}

/**
 * An evaluation packed in one number: `variantIndex * 6 + reason`, the reason an index into
 * {@link OUTCOME_REASONS}. A number rather than an object keeps the hot path
 * (`getVariantSync`, `isEnabledSync`) free of allocations; read it with {@link variantIndexOf},
 * {@link reasonOf}, {@link isPlacement}, {@link isErrorOutcome} and {@link isIncluded}, or unpack it
 * with {@link describeOutcome}.
 */
export type PackedOutcome = number;

/**
 * Reasons in packed outcomes (see {@link evaluatePacked}), by index. The last one stands for a
 * missing targeting key: reason `ERROR` with `TARGETING_KEY_MISSING`.
 */
export const OUTCOME_REASONS = ['DISABLED', 'TARGETING_MATCH', 'SPLIT', 'DEFAULT', 'STATIC', 'ERROR'] as const;
const [DISABLED, TARGETING_MATCH, SPLIT, DEFAULT, STATIC, MISSING_KEY] = [0, 1, 2, 3, 4, 5];
const REASONS = OUTCOME_REASONS.length;

function cutPointsOf(variantKeys: readonly string[], weights: readonly VariantWeight[]): number[] {
  let total = 0;
  return variantKeys.map((key) => {
    const w = weights.find((x) => x.key === key);
    total += w ? percentToBuckets(w.weight) : 0;
    return total;
  });
}

/** Validates a definition and prepares it for evaluation. Throws `INVALID_FLAG`. */
export function compileFlag(input: FlagDefinition): CompiledFlag {
  const definition = validateFlag(input);
  const toggle = definition.variants === undefined;
  const variants = definition.variants ?? [];
  const variantKeys = toggle ? TOGGLE_VARIANTS : variants.map((v) => v.key);
  const values: JsonValue[] = toggle ? [true, false] : variants.map((v) => (v.value === undefined ? v.key : v.value));
  // A toggle's included users get "on" (index 0): one cut-point covering every bucket.
  const cutPoints = toggle ? [BUCKETS, BUCKETS] : cutPointsOf(variantKeys, variants);
  const defaultIndex = definition.defaultVariant !== undefined ? variantKeys.indexOf(definition.defaultVariant) : toggle ? 1 : 0;
  const rolloutBuckets = percentToBuckets(definition.rollout ?? 100);
  // The one index a split can serve (full rollout, a single positive weight), or -1.
  const onlyIndex = (cuts: readonly number[], rollout: number): number => {
    const positive = cuts.filter((cut, i) => cut > (i === 0 ? 0 : (cuts[i - 1] as number)));
    return rollout === BUCKETS && positive.length === 1 ? cuts.findIndex((cut) => cut > 0) : -1;
  };
  const segments = definition.segments ?? {};
  return {
    definition,
    key: definition.key,
    version: definition.version,
    toggle,
    enabled: definition.enabled,
    variantKeys,
    values,
    defaultIndex,
    disabledIndex: toggle ? 1 : defaultIndex,
    salt: saltState(definition.salt ?? definition.key),
    rolloutBuckets,
    cutPoints,
    staticIndex: onlyIndex(cutPoints, rolloutBuckets),
    rules: (definition.rules ?? []).map((rule): CompiledRule => {
      const names = rule.segment === undefined ? [] : Array.isArray(rule.segment) ? rule.segment : [rule.segment];
      const ruleCuts = rule.weights ? cutPointsOf(variantKeys, rule.weights) : cutPoints;
      const ruleRollout = percentToBuckets(rule.rollout ?? 100);
      return {
        condition: rule.condition,
        segments: names.map((name) => segments[name] as Condition),
        userIds: rule.userIds ? new Set(rule.userIds) : undefined,
        // A rule that can serve only one variant needs no hash (and no user id).
        fixed: rule.variant !== undefined ? variantKeys.indexOf(rule.variant) : onlyIndex(ruleCuts, ruleRollout),
        rolloutBuckets: ruleRollout,
        cutPoints: ruleCuts,
      };
    }),
  };
}

/** The targeting key of a user: the string itself, or the context's `targetingKey`. */
export function targetingKeyOf(user: FlagUser): string | undefined {
  const key = typeof user === 'string' ? user : typeof user === 'object' && user !== null ? user.targetingKey : undefined;
  return typeof key === 'string' && key !== '' ? key : undefined;
}

/**
 * Evaluates a compiled flag for a user and returns the outcome packed in one number
 * ({@link PackedOutcome}). Pure: no clock, storage or network; the same inputs give the same
 * answer in every process. Never throws.
 *
 * Order: kill switch → rules (first match wins; a rule's rollout lets users outside it fall
 * through) → the flag's rollout and weights → the default variant.
 */
export function evaluatePacked(flag: CompiledFlag, user: FlagUser): PackedOutcome {
  if (!flag.enabled) return flag.disabledIndex * REASONS + DISABLED;
  const key = targetingKeyOf(user);
  let buckets = -1;
  const rules = flag.rules;
  if (rules.length > 0) {
    const attributes: Record<string, unknown> = typeof user === 'object' && user !== null ? user : { targetingKey: user };
    for (const rule of rules) {
      if (rule.userIds !== undefined && (key === undefined || !rule.userIds.has(key))) continue;
      if (rule.condition !== undefined && !evalCondition(attributes, rule.condition)) continue;
      if (rule.segments.length > 0 && !rule.segments.every((s) => evalCondition(attributes, s))) continue;
      if (rule.fixed >= 0) return rule.fixed * REASONS + TARGETING_MATCH;
      if (key === undefined) return flag.defaultIndex * REASONS + MISSING_KEY;
      if (buckets < 0) buckets = bucketsOf(flag.salt, key);
      if (Math.floor(buckets / BUCKETS) < rule.rolloutBuckets) {
        return pickVariant(rule.cutPoints, buckets % BUCKETS) * REASONS + TARGETING_MATCH;
      }
    }
  }
  if (flag.staticIndex >= 0) return flag.staticIndex * REASONS + STATIC;
  if (flag.rolloutBuckets === 0) return flag.defaultIndex * REASONS + DEFAULT;
  if (key === undefined) return flag.defaultIndex * REASONS + MISSING_KEY;
  if (buckets < 0) buckets = bucketsOf(flag.salt, key);
  if (Math.floor(buckets / BUCKETS) < flag.rolloutBuckets) return pickVariant(flag.cutPoints, buckets % BUCKETS) * REASONS + SPLIT;
  return flag.defaultIndex * REASONS + DEFAULT;
}

/** The index (into `variantKeys` and `values`) of the variant a packed outcome serves. */
export const variantIndexOf = (outcome: PackedOutcome): number => Math.floor(outcome / REASONS);
/** True when a packed outcome places the user in an arm by split or targeting (an exposure). */
export const isPlacement = (outcome: PackedOutcome): boolean => outcome % REASONS === SPLIT || outcome % REASONS === TARGETING_MATCH;
/** True when a packed outcome is an error (reason `ERROR`: the flag splits by id and there is none). */
export const isErrorOutcome = (outcome: PackedOutcome): boolean => outcome % REASONS === MISSING_KEY;
/** The reason of a packed outcome. */
export const reasonOf = (outcome: PackedOutcome): EvaluationReason => OUTCOME_REASONS[outcome % REASONS] as EvaluationReason;

/** True when the user gets the flag: a toggle serving `on`, or an experiment the user is in. */
export function isIncluded(flag: CompiledFlag, outcome: PackedOutcome): boolean {
  const reason = outcome % REASONS;
  // A toggle is on when it serves "on", whatever the reason (a rollout-0 toggle may default to on).
  if (flag.toggle) return reason !== DISABLED && reason !== MISSING_KEY && variantIndexOf(outcome) === 0;
  return reason === TARGETING_MATCH || reason === SPLIT || reason === STATIC;
}

/** A packed outcome unpacked: value, variant, reason and, on error, its code and message. */
export function describeOutcome(flag: CompiledFlag, outcome: PackedOutcome): Evaluation {
  const index = variantIndexOf(outcome);
  const e: Evaluation = { value: flag.values[index] as JsonValue, variant: flag.variantKeys[index], reason: reasonOf(outcome) };
  if (outcome % REASONS === MISSING_KEY) {
    e.errorCode = 'TARGETING_KEY_MISSING';
    e.errorMessage = `flag "${flag.key}" splits users by id; pass a user id or a context with targetingKey`;
  }
  return e;
}

/** Evaluates a compiled flag for a user; {@link evaluatePacked} unpacked into an object. Never throws. */
export function evaluateFlag(flag: CompiledFlag, user: FlagUser): Evaluation {
  return describeOutcome(flag, evaluatePacked(flag, user));
}
