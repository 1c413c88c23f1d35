import { type FieldOperator, isOperatorObject, isVersion, type LogicalOperator, safeRegex, typeName } from '../definitions/index.js';
import type { Condition } from './types.js';

/**
 * Saved groups referenced by `$inGroup` / `$notInGroup`: group id → the attribute values it contains.
 * An id that is missing (or not an array) is an empty group.
 */
export type SavedGroups = Record<string, readonly unknown[]>;

type Groups = SavedGroups | undefined;
type Dict = Record<string, unknown>;
type List = readonly unknown[];
/** How an operator evaluates: whether `actual` satisfies it with operand `expected`. */
type Test = (actual: unknown, expected: unknown, groups: Groups) => boolean;

// Semantics follow GrowthBook's `evalCondition` (its cross-SDK cases.json passes in full), including its
// coercions: a missing attribute reads as `null`, `{ n: 5 }` matches `'5'`, `$gt` compares like JS `>`.
// Departures, all on inputs GrowthBook leaves to chance: attribute lookups use own properties only (so
// `constructor`, `__proto__` and friends never reach Object.prototype); literal objects are compared
// key-order-insensitively without JSON.stringify; a condition that is not an object, and a non-array
// `$or`/`$and`/`$nor`/`$all`, never match; nothing is logged (validateCondition, in definitions/,
// reports mistakes up front).

const hasOwn = Object.hasOwn;
const isArray = Array.isArray;
const keys = Object.keys;

const isString = (x: unknown): x is string => typeof x === 'string';
/** An object or an array. */
const isRecord = (x: unknown): x is Dict => typeof x === 'object' && x !== null;
const isObject = (x: unknown): x is Dict => isRecord(x) && !isArray(x);

/** `Array#some`, visiting holes as `undefined` (as a `for…of` loop does). */
function any(list: List, test: (item: unknown) => boolean): boolean {
  for (let i = 0; i < list.length; i++) if (test(list[i])) return true;
  return false;
}

// Compiled regexes and normalised version strings, keyed by kind and source text. Bounded so that
// high-cardinality inputs (user agents, app versions) cannot grow memory; clearing when full is O(1)
// amortised and simpler than LRU for a cache whose misses cost microseconds.
const cache = new Map<string, unknown>();

function cached<V>(key: string, compute: () => V): V {
  let value = cache.get(key) as V | undefined;
  if (value === undefined) {
    if (cache.size >= 256) cache.clear();
    value = compute();
    cache.set(key, value);
  }
  return value;
}

/**
 * The compiled pattern, or undefined when it is not a string, not a valid regular expression, or
 * refused as risky. Invalid patterns are cached too: a bad rule costs one failed compile, not one per use.
 */
function regex(pattern: unknown, flags: string): RegExp | undefined {
  if (!isString(pattern)) return undefined;
  // The risk check runs here too, not only when a flag is written (safeRegex does both): a
  // definition that skipped validation (a bootstrap built by hand, a row edited in the database)
  // never runs a risky pattern.
  return cached(`${flags}/${pattern}`, () => safeRegex(pattern, flags)) ?? undefined;
}

/**
 * Longest text a `$regex`/`$regexi` test sees, in UTF-16 code units; a longer attribute does not
 * match. With the patterns `regexRisk` accepts, this bounds the polynomial backtracking that is
 * left (e.g. `.*.*=` is quadratic): see docs/flags.md#regex-targeting for the measured worst case.
 */
export const MAX_REGEX_INPUT_CHARS = 256;

/**
 * A string whose plain ordering is version ordering: drop a leading `v` and any `+build`, split on `.`
 * and `-`, left-pad numeric parts to 5 characters, and append `~` to a bare `x.y.z` so that a release
 * sorts after its pre-releases (`~` is above every ASCII letter and digit; the `-` joiner sorts above
 * the padding space so `1.0.0--` > `1.0.0-9999`). Non-strings other than numbers read as `0`.
 */
function version(input: unknown): string {
  const text = (isVersion(input) && String(input)) || '0';
  return cached(`v${text}`, () => {
    const parts = text.replace(/^v|\+.*$/g, '').split(/[-.]/);
    if (parts.length === 3) parts.push('~');
    return parts.map((part) => (/^\d+$/.test(part) ? part.padStart(5, ' ') : part)).join('-');
  });
}

/** Own-key deep equality for JSON-like values. */
function equal(a: unknown, b: unknown): boolean {
  return (
    a === b ||
    (isRecord(a) &&
      isRecord(b) &&
      isArray(a) === isArray(b) &&
      keys(b).every((key) => hasOwn(a, key) && equal(a[key], b[key])) &&
      keys(b).length === keys(a).length)
  );
}

/** Own-property walk of a dotted path; anything missing on the way reads as null, as in GrowthBook. */
function lookup(from: unknown, path: string): unknown {
  // A path without dots (the common case) is not split: splitting costs more than the rest of the walk.
  return (path.includes('.') ? path.split('.') : [path]).reduce(
    (value, key) => (isRecord(value) && hasOwn(value, key) ? value[key] : null),
    from,
  );
}

const fold = (x: unknown, folded: boolean): unknown => (folded && isString(x) ? x.toLowerCase() : x);

/** Whether `list` is an array holding `actual` (or, for an array, any element of it), case-insensitively if `folded`. */
function isIn(actual: unknown, list: unknown, folded = false): boolean {
  const has = (value: unknown) =>
    isArray(list) && (folded ? any(list, (item) => fold(item, true) === fold(value, true)) : list.includes(value));
  return isArray(actual) ? any(actual, has) : has(actual);
}

/** `$all`/`$alli`: every entry of `wanted` (a value or operator object) matches some element of `actual`. */
const all =
  (folded: boolean): Test =>
  (actual, wanted, groups) =>
    isArray(wanted) &&
    isArray(actual) &&
    !any(wanted, (want) => !any(actual, (have) => matchValue(fold(want, folded), fold(have, folded), groups)));

/** The members of a saved group; an id that is missing (or not an array) is an empty group. */
const savedGroup = (groups: Groups, id: unknown) => groups && isString(id) && hasOwn(groups, id) && groups[id];

const matchesRegex =
  (flags: string): Test =>
  (actual, pattern) => {
    const re = regex(pattern, flags);
    if (re === undefined) return false;
    const text = String(actual);
    return text.length <= MAX_REGEX_INPUT_CHARS && re.test(text);
  };

/** Field operators (the names `validateCondition` knows, in definitions/): how each evaluates. */
const OPERATORS: Record<FieldOperator, Test> = {
  // Relational operators keep JavaScript's comparison on purpose ('8' > 5, 'b' > 'a', null >= 0), which
  // is what GrowthBook's cases encode; the casts only quiet the type checker.
  $eq: (actual, expected) => actual === expected,
  $ne: (actual, expected) => actual !== expected,
  $lt: (actual, expected) => (actual as number) < (expected as number),
  $lte: (actual, expected) => (actual as number) <= (expected as number),
  $gt: (actual, expected) => (actual as number) > (expected as number),
  $gte: (actual, expected) => (actual as number) >= (expected as number),
  $in: (actual, list) => isIn(actual, list),
  $nin: (actual, list) => isArray(list) && !isIn(actual, list),
  $ini: (actual, list) => isIn(actual, list, true),
  $nini: (actual, list) => isArray(list) && !isIn(actual, list, true),
  $all: all(false),
  $alli: all(true),
  $elemMatch: (actual, expected, groups) => {
    const operators = isOperatorObject(expected);
    // Null and undefined elements never match, as in GrowthBook (which skips them).
    return (
      isArray(actual) &&
      any(actual, (item) => item != null && (operators ? matchValue(expected, item, groups) : matches(item, expected, groups)))
    );
  },
  $size: (actual, expected, groups) => isArray(actual) && matchValue(expected, actual.length, groups),
  $exists: (actual, expected) => (actual != null) === !!expected,
  $type: (actual, expected) => typeName(actual) === expected,
  $regex: matchesRegex(''),
  $regexi: matchesRegex('i'),
  $not: (actual, expected, groups) => !matchValue(expected, actual, groups),
  $veq: (actual, expected) => version(actual) === version(expected),
  $vne: (actual, expected) => version(actual) !== version(expected),
  $vgt: (actual, expected) => version(actual) > version(expected),
  $vgte: (actual, expected) => version(actual) >= version(expected),
  $vlt: (actual, expected) => version(actual) < version(expected),
  $vlte: (actual, expected) => version(actual) <= version(expected),
  $inGroup: (actual, id, groups) => isIn(actual, savedGroup(groups, id)),
  $notInGroup: (actual, id, groups) => !isIn(actual, savedGroup(groups, id)),
};

/** Whether `actual` satisfies a field condition: a scalar (coerced as GrowthBook does), a literal or operators. */
function matchValue(expected: unknown, actual: unknown, groups: Groups): boolean {
  // Other literals (null included) compare structurally. An unknown operator is false; operator keys
  // start with `$`, which no Object.prototype property does, so the lookup needs no own-property check.
  return isString(expected)
    ? String(actual) === expected
    : typeof expected === 'number'
      ? Number(actual) === expected
      : typeof expected === 'boolean'
        ? actual != null && !!actual === expected
        : isOperatorObject(expected)
          ? keys(expected).every((op) => (OPERATORS as Partial<Record<string, Test>>)[op]?.(actual, expected[op], groups))
          : equal(actual, expected);
}

/**
 * Top-level operators combining conditions (the names `validateCondition` knows): how each evaluates
 * against the attributes. Other top-level `$` keys are attribute names, as in GrowthBook.
 */
const LOGICAL: Record<LogicalOperator, (attributes: unknown, operand: unknown, groups: Groups) => boolean> = {
  $and: (attributes, list, groups) => isArray(list) && !any(list, (sub) => !matches(attributes, sub, groups)),
  // `$or: []` matches, as in GrowthBook; `$nor: []` does not.
  $or: (attributes, list, groups) => isArray(list) && (!list.length || any(list, (sub) => matches(attributes, sub, groups))),
  $nor: (attributes, list, groups) => isArray(list) && list.length > 0 && !any(list, (sub) => matches(attributes, sub, groups)),
  $not: (attributes, sub, groups) => !matches(attributes, sub, groups),
};

function matches(attributes: unknown, condition: unknown, groups: Groups): boolean {
  return (
    isObject(condition) &&
    keys(condition).every((key) =>
      hasOwn(LOGICAL, key)
        ? LOGICAL[key as LogicalOperator](attributes, condition[key], groups)
        : matchValue(condition[key], lookup(attributes, key), groups),
    )
  );
}

/**
 * Whether `attributes` satisfy a MongoDB-style targeting `condition`, with GrowthBook's semantics.
 *
 * Field conditions: a literal (`{ plan: 'pro' }`, compared GrowthBook-style: `{ n: 5 }` matches `'5'`),
 * or operators `$eq $ne $lt $lte $gt $gte $in $nin $ini $nini $all $alli $elemMatch $size $exists $type
 * $regex $regexi $not`, version operators `$veq $vne $vgt $vgte $vlt $vlte`, and `$inGroup`/`$notInGroup`
 * against `savedGroups`. Top-level `$and`, `$or`, `$nor`, `$not` combine conditions. Keys are dotted
 * paths into `attributes` (`'user.plan'`), looked up through own properties only; a missing value reads
 * as `null`.
 *
 * Pure and safe on the hot path: never throws, whatever the input. An unknown operator, a malformed
 * operand or an invalid regular expression makes that operator false; validate conditions when loading
 * them with `validateCondition` (`@tiqology/elite/flags/validate`) to find such mistakes.
 *
 * @example
 * evalCondition({ country: 'FR', app: { version: '2.3.1' } },
 *   { country: { $in: ['FR', 'DE'] }, 'app.version': { $vgte: '2.1.0' } }); // true
 * @see https://docs.growthbook.io/lib/build-your-own#evalcondition
 */
export function evalCondition(attributes: Record<string, unknown>, condition: Condition, savedGroups?: SavedGroups): boolean {
  try {
    return matches(attributes, condition, savedGroups);
  } catch {
    // Only exotic input gets here (symbols, cyclic or hostile objects, nesting deep enough to overflow
    // the stack); such a condition does not match rather than break evaluation.
    return false;
  }
}
