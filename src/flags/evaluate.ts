import { checkFlag, TOGGLE_VARIANTS } from '../definitions/index.js';
import { BUCKETS, bucketsOf, inclusionOf, percentToBuckets, pickVariant, type SaltState, saltState } from './bucketing.js';
import { evalCondition } from './conditions.js';
import type {
  Condition,
  EvaluationErrorCode,
  EvaluationReason,
  FlagDefinition,
  FlagUser,
  JsonValue,
  Prerequisite,
  VariantWeight,
} from './types.js';

/** A rule with its lookups prepared. */
interface CompiledRule {
  prerequisites: readonly CompiledPrerequisite[];
  condition: Condition | undefined;
  segments: Condition[];
  userIds: Set<string> | undefined;
  /** Index of a fixed variant, or of the one variant a full-rollout rule can serve; -1 for a split. */
  fixed: number;
  rolloutBuckets: number;
  cutPoints: number[];
}

/** What a schedule changes: the kill switch and the rollout, with what follows from the rollout. */
export interface Phase {
  readonly enabled: boolean;
  readonly rolloutBuckets: number;
  /** Index of the one variant every included user gets, or -1 when the flag splits. */
  readonly staticIndex: number;
}

/** Why a prerequisite could not be evaluated: an error code and a message. */
export type PrerequisiteFailure = readonly [errorCode: EvaluationErrorCode, errorMessage: string];

/**
 * A prerequisite as compiled: the flag it names, the variant it asks for, and a `slot` the client's
 * cache sets when it compiles the definition (where it keeps that flag), so evaluation finds the
 * flag without a lookup by key.
 */
export interface CompiledPrerequisite {
  readonly flag: string;
  readonly variant: string | undefined;
  slot: unknown;
}

/** What evaluation reads beyond the flag itself: the time, for schedules, and the flags prerequisites name. */
export interface Resolver {
  /** Now, in ms since the epoch. */
  now(): number;
  /** The flag a prerequisite names: compiled, undefined when it does not exist, or why it cannot be read. */
  flag(prerequisite: CompiledPrerequisite): CompiledFlag | undefined | PrerequisiteFailure;
}

/** The resolver of a flag evaluated alone: the system clock, no other flag. */
const ALONE: Resolver = { now: () => Date.now(), flag: () => undefined };

/** Deepest chain of prerequisites followed; deeper (or a cycle two concurrent writes made) is an error. */
const MAX_DEPTH = 32;

/**
 * A validated flag prepared for evaluation: cut-points in whole buckets, the salt's hash
 * state, rule lookups, scheduled phases. Built once per definition read from the store, reused
 * for every evaluation. Its own fields are the phase before any scheduled step.
 */
export interface CompiledFlag extends Phase {
  readonly definition: FlagDefinition;
  readonly key: string;
  readonly version: number | undefined;
  readonly toggle: boolean;
  readonly variantKeys: readonly string[];
  readonly values: readonly JsonValue[];
  readonly defaultIndex: number;
  /** What a disabled flag serves: `off` for a toggle (a kill switch), else the default variant. */
  readonly disabledIndex: number;
  readonly salt: SaltState;
  readonly cutPoints: readonly number[];
  readonly rules: readonly CompiledRule[];
  readonly prerequisites: readonly CompiledPrerequisite[];
  /** Every prerequisite of the flag and its rules, for the cache to link and load them. */
  readonly links: readonly CompiledPrerequisite[];
  /** The layer's hash state and this flag's range of it, in buckets. */
  readonly layer: { readonly salt: SaltState; readonly from: number; readonly to: number } | undefined;
  /** Scheduled phases in time order, each from `at` (ms since the epoch) on. */
  readonly phases: readonly (Phase & { readonly at: number })[] | undefined;
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
 * An evaluation packed in one number: `variantIndex * 8 + reason`, the reason an index (0–7) into
 * {@link OUTCOME_REASONS}. A number rather than an object keeps the hot path
 * (`getVariantSync`, `isEnabledSync`) free of allocations; read it with {@link variantIndexOf},
 * {@link reasonOf}, {@link isPlacement}, {@link isErrorOutcome} and {@link isIncluded}, or unpack it
 * with {@link describeOutcome}.
 */
export type PackedOutcome = number;

/**
 * Reasons in packed outcomes (see {@link evaluatePacked}), by index. Index 5 stands for a
 * missing targeting key (reason `ERROR`, `TARGETING_KEY_MISSING`), index 7 for a prerequisite that
 * could not be evaluated (reason `ERROR`, the code of {@link lastPrerequisiteFailure}).
 */
export const OUTCOME_REASONS = [
  'DISABLED',
  'TARGETING_MATCH',
  'SPLIT',
  'DEFAULT',
  'STATIC',
  'ERROR',
  'PREREQUISITE_FAILED',
  'ERROR',
] as const;

/**
 * The reasons of packed outcomes, as indexes into {@link OUTCOME_REASONS}. An enum rather than named
 * constants: esbuild writes its members into the build as literals, where a module variable would be
 * read on every call of the hot path (about 10 % of it).
 */
enum Outcome {
  DISABLED = 0,
  TARGETING_MATCH = 1,
  SPLIT = 2,
  DEFAULT = 3,
  STATIC = 4,
  MISSING_KEY = 5,
  UNMET = 6,
  UNRESOLVED = 7,
}

/** The packing of an outcome: `variantIndex * SLOTS + reason`, so `>> SHIFT` and `& REASON` unpack it. */
enum Packing {
  SLOTS = 8,
  SHIFT = 3,
  REASON = 7,
  /** The bits both error reasons have, and no other: MISSING_KEY 0b101 and UNRESOLVED 0b111. */
  ERROR_BITS = 0b101,
}

function cutPointsOf(variantKeys: readonly string[], weights: readonly VariantWeight[]): number[] {
  let total = 0;
  return variantKeys.map((key) => {
    const w = weights.find((x) => x.key === key);
    total += w ? percentToBuckets(w.weight) : 0;
    return total;
  });
}

/**
 * Checks a definition and prepares it for evaluation. Throws `INVALID_FLAG`. The check is the compact one
 * of the flags entry unless `check` is given (the client passes the detailed `validateFlag` for what it reads
 * from a store); both accept and refuse the same definitions.
 */
export function compileFlag(input: FlagDefinition, check: (input: unknown) => FlagDefinition = checkFlag): CompiledFlag {
  const definition = check(input);
  const toggle = definition.variants === undefined;
  const variants = definition.variants ?? [];
  const variantKeys = toggle ? TOGGLE_VARIANTS : variants.map((v) => v.key);
  const values: JsonValue[] = toggle ? [true, false] : variants.map((v) => (v.value === undefined ? v.key : v.value));
  // A toggle's included users get "on" (index 0): one cut-point covering every bucket.
  const cutPoints = toggle ? [BUCKETS, BUCKETS] : cutPointsOf(variantKeys, variants);
  const defaultIndex = definition.defaultVariant !== undefined ? variantKeys.indexOf(definition.defaultVariant) : toggle ? 1 : 0;
  // The one index a split can serve (full rollout, a single positive weight), or -1.
  const onlyIndex = (cuts: readonly number[], rollout: number): number => {
    const positive = cuts.filter((cut, i) => cut > (i === 0 ? 0 : (cuts[i - 1] as number)));
    return rollout === BUCKETS && positive.length === 1 ? cuts.findIndex((cut) => cut > 0) : -1;
  };
  const segments = definition.segments ?? {};
  const rules = definition.rules ?? [];
  const phase = (enabled: boolean, rollout: number | undefined): Phase => {
    const buckets = percentToBuckets(rollout ?? 100);
    return { enabled, rolloutBuckets: buckets, staticIndex: onlyIndex(cutPoints, buckets) };
  };
  let current = { enabled: definition.enabled, rollout: definition.rollout };
  const phases = definition.schedule?.map((step) => {
    current = { enabled: step.enabled ?? current.enabled, rollout: step.rollout ?? current.rollout };
    return { at: Date.parse(step.at), ...phase(current.enabled, current.rollout) };
  });
  const layer = definition.layer;
  const links: CompiledPrerequisite[] = [];
  const link = (list: readonly Prerequisite[] = []) =>
    list.map((p) => {
      const compiled = { flag: p.flag, variant: p.variant, slot: undefined };
      links.push(compiled);
      return compiled;
    });
  return {
    definition,
    key: definition.key,
    version: definition.version,
    toggle,
    variantKeys,
    values,
    defaultIndex,
    disabledIndex: toggle ? 1 : defaultIndex,
    salt: saltState(definition.salt ?? definition.key),
    ...phase(definition.enabled, definition.rollout),
    cutPoints,
    prerequisites: link(definition.prerequisites),
    links,
    // The layer hashes under a name no flag salt takes by default (keys have no ":"), so a user's
    // place in the layer is independent of their buckets in each experiment.
    layer: layer && { salt: saltState(`layer:${layer.key}`), from: percentToBuckets(layer.from), to: percentToBuckets(layer.to) },
    phases,
    rules: rules.map((rule): CompiledRule => {
      const names = rule.segment === undefined ? [] : Array.isArray(rule.segment) ? rule.segment : [rule.segment];
      const ruleCuts = rule.weights ? cutPointsOf(variantKeys, rule.weights) : cutPoints;
      const ruleRollout = percentToBuckets(rule.rollout ?? 100);
      return {
        prerequisites: link(rule.prerequisites),
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

// Why the last evaluation that answered "prerequisite unresolved" did so. Evaluation is synchronous
// and the answer is described right after it, so one slot suffices (and costs nothing when unused).
let failure: PrerequisiteFailure = ['GENERAL', ''];

/** Why the last outcome with a prerequisite that could not be evaluated (reason index 7) came about. */
export const lastPrerequisiteFailure = (): PrerequisiteFailure => failure;

/**
 * Whether a flag's (or a rule's) prerequisites hold for the user: 1 when they all do, 0 when one
 * does not, -1 when one cannot be evaluated (why: {@link lastPrerequisiteFailure}). Evaluating a
 * prerequisite records nothing: exposures are the caller's, for the flag it asked about.
 */
function prerequisitesHold(
  flag: CompiledFlag,
  list: readonly CompiledPrerequisite[],
  user: FlagUser,
  resolver: Resolver,
  depth: number,
): number {
  for (const p of list) {
    const got = resolver.flag(p);
    if (got === undefined || Array.isArray(got) || depth >= MAX_DEPTH) {
      const needed = `flag "${flag.key}" requires flag "${p.flag}"`;
      failure =
        got === undefined
          ? ['FLAG_NOT_FOUND', `${needed}, which does not exist`]
          : Array.isArray(got)
            ? [got[0], `${needed}: ${got[1]}`]
            : ['PARSE_ERROR', `${needed}: prerequisites nest over ${MAX_DEPTH} deep or form a cycle`];
      return -1;
    }
    const target = got as CompiledFlag;
    const outcome = evaluatePacked(target, user, resolver, depth + 1);
    const reason = outcome & Packing.REASON;
    if (reason === Outcome.MISSING_KEY)
      failure = ['TARGETING_KEY_MISSING', `flag "${flag.key}" requires flag "${p.flag}", which splits users by id; pass a targetingKey`];
    if ((reason & Packing.ERROR_BITS) === Packing.ERROR_BITS) return -1; // MISSING_KEY or UNRESOLVED
    const holds =
      p.variant === undefined
        ? isIncluded(target, outcome)
        : reason !== Outcome.DISABLED && reason !== Outcome.UNMET && target.variantKeys[outcome >> Packing.SHIFT] === p.variant;
    if (!holds) return 0;
  }
  return 1;
}

/**
 * Evaluates a compiled flag for a user and returns the outcome packed in one number
 * ({@link PackedOutcome}). Deterministic: the same flags, user and time give the same answer in
 * every process. `resolver` supplies the time (for scheduled steps) and the flags prerequisites
 * name. Never throws.
 *
 * Order: scheduled phase → kill switch → layer range → prerequisites → rules (first match wins;
 * a rule's rollout lets users outside it fall through) → the flag's rollout and weights → the
 * default variant.
 */
export function evaluatePacked(flag: CompiledFlag, user: FlagUser, resolver: Resolver = ALONE, depth = 0): PackedOutcome {
  let phase: Phase = flag;
  const phases = flag.phases;
  if (phases !== undefined) {
    const now = resolver.now();
    for (const next of phases) {
      if (next.at > now) break;
      phase = next;
    }
  }
  if (!phase.enabled) return flag.disabledIndex * Packing.SLOTS + Outcome.DISABLED;
  const key = targetingKeyOf(user);
  const layer = flag.layer;
  // The layer first: one hash, where a prerequisite costs an evaluation. A user outside the range
  // is not in the experiment, whatever its prerequisites say.
  if (layer !== undefined) {
    if (key === undefined) return flag.defaultIndex * Packing.SLOTS + Outcome.MISSING_KEY;
    const place = inclusionOf(layer.salt, key);
    if (place < layer.from || place >= layer.to) return flag.defaultIndex * Packing.SLOTS + Outcome.DEFAULT;
  }
  if (flag.prerequisites.length > 0) {
    const holds = prerequisitesHold(flag, flag.prerequisites, user, resolver, depth);
    if (holds <= 0)
      return holds < 0 ? flag.defaultIndex * Packing.SLOTS + Outcome.UNRESOLVED : flag.disabledIndex * Packing.SLOTS + Outcome.UNMET;
  }
  let buckets = -1;
  const rules = flag.rules;
  if (rules.length > 0) {
    const attributes: Record<string, unknown> = typeof user === 'object' && user !== null ? user : { targetingKey: user };
    for (const rule of rules) {
      if (rule.userIds !== undefined && (key === undefined || !rule.userIds.has(key))) continue;
      if (rule.condition !== undefined && !evalCondition(attributes, rule.condition)) continue;
      if (rule.segments.length > 0 && !rule.segments.every((s) => evalCondition(attributes, s))) continue;
      if (rule.prerequisites.length > 0) {
        const holds = prerequisitesHold(flag, rule.prerequisites, user, resolver, depth);
        if (holds < 0) return flag.defaultIndex * Packing.SLOTS + Outcome.UNRESOLVED;
        if (holds === 0) continue;
      }
      if (rule.fixed >= 0) return rule.fixed * Packing.SLOTS + Outcome.TARGETING_MATCH;
      if (key === undefined) return flag.defaultIndex * Packing.SLOTS + Outcome.MISSING_KEY;
      if (buckets < 0) buckets = flag.toggle ? inclusionOf(flag.salt, key) << 16 : bucketsOf(flag.salt, key);
      if (buckets >> 16 < rule.rolloutBuckets) {
        return pickVariant(rule.cutPoints, buckets & 0xffff) * Packing.SLOTS + Outcome.TARGETING_MATCH;
      }
    }
  }
  if (phase.staticIndex >= 0) return phase.staticIndex * Packing.SLOTS + Outcome.STATIC;
  if (phase.rolloutBuckets === 0) return flag.defaultIndex * Packing.SLOTS + Outcome.DEFAULT;
  if (key === undefined) return flag.defaultIndex * Packing.SLOTS + Outcome.MISSING_KEY;
  if (buckets < 0) buckets = flag.toggle ? inclusionOf(flag.salt, key) << 16 : bucketsOf(flag.salt, key);
  if (buckets >> 16 < phase.rolloutBuckets) return pickVariant(flag.cutPoints, buckets & 0xffff) * Packing.SLOTS + Outcome.SPLIT;
  return flag.defaultIndex * Packing.SLOTS + Outcome.DEFAULT;
}

// Packed outcomes are read with shifts and masks: `%` and `/` by the number of reasons would be divisions.

/** The index (into `variantKeys` and `values`) of the variant a packed outcome serves. */
export const variantIndexOf = (outcome: PackedOutcome): number => outcome >> Packing.SHIFT;
/** True when a packed outcome places the user in an arm by split or targeting (an exposure). */
export const isPlacement = (outcome: PackedOutcome): boolean =>
  (outcome & Packing.REASON) === Outcome.SPLIT || (outcome & Packing.REASON) === Outcome.TARGETING_MATCH;
/** True when a packed outcome is an error (reason `ERROR`: no id to split by, or a prerequisite that cannot be evaluated). */
export const isErrorOutcome = (outcome: PackedOutcome): boolean => (outcome & Packing.ERROR_BITS) === Packing.ERROR_BITS;
/** The reason of a packed outcome. */
export const reasonOf = (outcome: PackedOutcome): EvaluationReason => OUTCOME_REASONS[outcome & Packing.REASON] as EvaluationReason;

/** True when the user gets the flag: a toggle serving `on`, or an experiment the user is in. */
export function isIncluded(flag: CompiledFlag, outcome: PackedOutcome): boolean {
  // A toggle is on when it serves "on" (index 0), whatever the reason (a rollout-0 toggle may default
  // to on), unless it is disabled, unmet or an error: reasons 0, 5, 6 and 7.
  if (flag.toggle) return outcome > 0 && outcome < 5;
  // TARGETING_MATCH, SPLIT or STATIC: reasons 1, 2 and 4.
  return ((0b10110 >> (outcome & Packing.REASON)) & 1) === 1;
}

/** A packed outcome unpacked: value, variant, reason and, on error, its code and message. */
export function describeOutcome(flag: CompiledFlag, outcome: PackedOutcome): Evaluation {
  const index = variantIndexOf(outcome);
  const e: Evaluation = { value: flag.values[index] as JsonValue, variant: flag.variantKeys[index], reason: reasonOf(outcome) };
  if ((outcome & Packing.REASON) === Outcome.MISSING_KEY) {
    e.errorCode = 'TARGETING_KEY_MISSING';
    e.errorMessage = `flag "${flag.key}" splits users by id; pass a user id or a context with targetingKey`;
  } else if ((outcome & Packing.REASON) === Outcome.UNRESOLVED) {
    [e.errorCode, e.errorMessage] = failure;
  }
  return e;
}

/** Evaluates a compiled flag for a user; {@link evaluatePacked} unpacked into an object. Never throws. */
export function evaluateFlag(flag: CompiledFlag, user: FlagUser, resolver?: Resolver): Evaluation {
  return describeOutcome(flag, evaluatePacked(flag, user, resolver));
}
