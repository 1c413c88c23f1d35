import { BUCKETS, bucketsOf, percentToBuckets, pickVariant, saltPrefix } from './bucketing.js';
import { evalCondition } from './conditions.js';
import { TOGGLE_VARIANTS, validateFlag } from './model.js';
import type { Condition, EvaluationErrorCode, EvaluationReason, FlagDefinition, FlagUser, JsonValue, VariantWeight } from './types.js';

/** A rule with its lookups prepared. */
interface CompiledRule {
  condition: Condition | undefined;
  segments: Condition[];
  userIds: Set<string> | undefined;
  /** Index of a fixed variant, or -1 for a split. */
  fixed: number;
  rolloutBuckets: number;
  cutPoints: number[];
}

/**
 * A validated flag prepared for evaluation: cut-points in whole buckets, the salt's bytes,
 * rule lookups. Built once per definition read from the store, reused for every evaluation.
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
  readonly prefix: Uint8Array;
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
  const variantKeys = toggle ? TOGGLE_VARIANTS : (definition.variants ?? []).map((v) => v.key);
  const values: JsonValue[] = toggle ? [true, false] : (definition.variants ?? []).map((v) => v.value ?? v.key);
  // A toggle's included users get "on" (index 0): one cut-point covering every bucket.
  const cutPoints = toggle ? [BUCKETS, BUCKETS] : cutPointsOf(variantKeys, definition.variants ?? []);
  const defaultIndex = definition.defaultVariant !== undefined ? variantKeys.indexOf(definition.defaultVariant) : toggle ? 1 : 0;
  const rolloutBuckets = percentToBuckets(definition.rollout ?? 100);
  const positive = cutPoints.filter((cut, i) => cut > (i === 0 ? 0 : (cutPoints[i - 1] as number)));
  const staticIndex = rolloutBuckets === BUCKETS && positive.length === 1 ? cutPoints.findIndex((cut) => cut > 0) : -1;
  const segments = definition.segments ?? {};
  const rules = (definition.rules ?? []).map((rule): CompiledRule => {
    const names = rule.segment === undefined ? [] : Array.isArray(rule.segment) ? rule.segment : [rule.segment];
    return {
      condition: rule.condition,
      segments: names.map((name) => segments[name] as Condition),
      userIds: rule.userIds ? new Set(rule.userIds) : undefined,
      fixed: rule.variant !== undefined ? variantKeys.indexOf(rule.variant) : -1,
      rolloutBuckets: percentToBuckets(rule.rollout ?? 100),
      cutPoints: rule.weights ? cutPointsOf(variantKeys, rule.weights) : cutPoints,
    };
  });
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
    prefix: saltPrefix(definition.salt ?? definition.key),
    rolloutBuckets,
    cutPoints,
    staticIndex,
    rules,
  };
}

function served(flag: CompiledFlag, index: number, reason: EvaluationReason): Evaluation {
  return { value: flag.values[index] as JsonValue, variant: flag.variantKeys[index], reason };
}

/** The targeting key of a user: the string itself, or the context's `targetingKey`. */
export function targetingKeyOf(user: FlagUser): string | undefined {
  if (typeof user === 'string') return user === '' ? undefined : user;
  if (typeof user !== 'object' || user === null) return undefined;
  const key = user.targetingKey;
  return typeof key === 'string' && key !== '' ? key : undefined;
}

/**
 * Evaluates a compiled flag for a user. Pure: no clock, storage or network; the same
 * inputs give the same answer in every process. Never throws.
 *
 * Order: kill switch → rules (first match wins; a rule's rollout lets unmatched users
 * fall through) → the flag's rollout and weights → the default variant.
 */
export function evaluateFlag(flag: CompiledFlag, user: FlagUser): Evaluation {
  if (!flag.enabled) return served(flag, flag.disabledIndex, 'DISABLED');
  const key = targetingKeyOf(user);
  let buckets: [number, number] | undefined;
  const rules = flag.rules;
  if (rules.length > 0) {
    const attributes: Record<string, unknown> =
      typeof user === 'string' ? { targetingKey: user } : typeof user === 'object' && user !== null ? user : {};
    for (const rule of rules) {
      if (rule.userIds !== undefined && (key === undefined || !rule.userIds.has(key))) continue;
      if (rule.condition !== undefined && !evalCondition(attributes, rule.condition)) continue;
      if (rule.segments.length > 0 && !rule.segments.every((s) => evalCondition(attributes, s))) continue;
      if (rule.fixed >= 0) return served(flag, rule.fixed, 'TARGETING_MATCH');
      if (key === undefined) return missingKey(flag);
      buckets ??= bucketsOf(flag.prefix, key);
      if (buckets[0] < rule.rolloutBuckets) return served(flag, pickVariant(rule.cutPoints, buckets[1]), 'TARGETING_MATCH');
    }
  }
  if (flag.staticIndex >= 0) return served(flag, flag.staticIndex, 'STATIC');
  if (flag.rolloutBuckets === 0) return served(flag, flag.defaultIndex, 'DEFAULT');
  if (key === undefined) return missingKey(flag);
  buckets ??= bucketsOf(flag.prefix, key);
  if (buckets[0] < flag.rolloutBuckets) return served(flag, pickVariant(flag.cutPoints, buckets[1]), 'SPLIT');
  return served(flag, flag.defaultIndex, 'DEFAULT');
}

function missingKey(flag: CompiledFlag): Evaluation {
  return {
    value: flag.values[flag.defaultIndex] as JsonValue,
    variant: flag.variantKeys[flag.defaultIndex],
    reason: 'ERROR',
    errorCode: 'TARGETING_KEY_MISSING',
    errorMessage: `flag "${flag.key}" splits users by id; pass a user id or a context with targetingKey`,
  };
}
