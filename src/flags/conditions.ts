import { regexRisk } from './regex-safety.js';
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
/** How `validateCondition` checks an operand at `path`: the problem, if any. */
type Check = (operand: unknown, path: string) => string | undefined;

// Semantics follow GrowthBook's `evalCondition` (its cross-SDK cases.json passes in full), including its
// coercions: a missing attribute reads as `null`, `{ n: 5 }` matches `'5'`, `$gt` compares like JS `>`.
// Departures, all on inputs GrowthBook leaves to chance: attribute lookups use own properties only (so
// `constructor`, `__proto__` and friends never reach Object.prototype); literal objects are compared
// key-order-insensitively without JSON.stringify; a condition that is not an object, and a non-array
// `$or`/`$and`/`$nor`/`$all`, never match; nothing is logged (validateCondition reports mistakes up front).

const TYPES = ['string', 'number', 'boolean', 'object', 'array', 'null', 'undefined'];

const hasOwn = Object.hasOwn;
const isArray = Array.isArray;
const keys = Object.keys;

const isString = (x: unknown): x is string => typeof x === 'string';
/** An object or an array. */
const isRecord = (x: unknown): x is Dict => typeof x === 'object' && x !== null;
const isObject = (x: unknown): x is Dict => isRecord(x) && !isArray(x);
/** What version operators accept; anything else reads as version `0`. */
const isVersion = (x: unknown) => isString(x) || typeof x === 'number';
const typeName = (x: unknown): string => (x === null ? 'null' : isArray(x) ? 'array' : typeof x);

/** The first truthy `test(item, index)` over `list`, visiting holes as `undefined`. */
function first<T, R>(list: readonly T[], test: (item: T, index: number) => R): R | undefined {
  for (let i = 0; i < list.length; i++) {
    const result = test(list[i] as T, i);
    if (result) return result;
  }
}

/** `Array#some`, visiting holes as `undefined` (as a `for…of` loop does). */
const any = (list: List, test: (item: unknown) => boolean): boolean => !!first(list, test);

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
 * The compiled pattern, or what is wrong with it (`must be a string…`, `is not a valid regular
 * expression…`). Invalid patterns are cached too: a bad rule costs one failed compile, not one per use.
 */
function regex(pattern: unknown, flags: string): RegExp | string {
  if (!isString(pattern)) return `must be a string, got ${typeName(pattern)}`;
  return cached(`${flags}/${pattern}`, () => {
    let compiled: RegExp;
    try {
      compiled = new RegExp(pattern, flags);
    } catch (error) {
      return `is not a valid regular expression: ${(error as Error).message}`;
    }
    // Checked here too, not only when a flag is written: a definition that skipped validation
    // (a bootstrap built by hand, a row edited in the database) never runs a risky pattern.
    const risk = regexRisk(pattern);
    return risk === undefined ? compiled : `is refused: it ${risk}; rewrite it without nested or ambiguous repetition`;
  });
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

/** An object whose own keys all start with `$`, e.g. `{ $gt: 1, $lt: 5 }`; `{}` is a literal. */
function isOperatorObject(x: unknown): x is Dict {
  const own = isObject(x) ? keys(x) : [];
  return own.length > 0 && own.every((key) => key[0] === '$');
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
    if (isString(re)) return false;
    const text = String(actual);
    return text.length <= MAX_REGEX_INPUT_CHARS && re.test(text);
  };

const mustBe = (path: string, what: string, value: unknown) => `${path} must be ${what}, got ${typeName(value)}`;

/** A check that the operand passes `test`, else says it must be `what`. */
const need =
  (test: (operand: unknown) => boolean, what: string): Check =>
  (operand, path) =>
    test(operand) ? undefined : mustBe(path, what, operand);

/** A check that the operand is an array (else it must be `what`) whose elements all pass `check`. */
const listOf =
  (check: Check, what: string): Check =>
  (operand, path) =>
    isArray(operand) ? first(operand, (item, i) => check(item, `${path}[${i}]`)) : mustBe(path, what, operand);
const anArray = need(isArray, 'an array');
const aVersion = need(isVersion, 'a version string like "1.2.3"');
const aGroupId = need(isString, 'a saved group id (string)');
const aRegex: Check = (operand, path) => {
  const re = regex(operand, '');
  return isString(re) ? `${path} ${re}` : undefined;
};
/** `$all` entries are values or operator objects. */
const allEntries = listOf(checkValue, 'an array');

/**
 * Field operators, in the order `validateCondition` suggests them (every key starts with `$`): how each
 * evaluates, and how `validateCondition` checks its operand where that can be wrong.
 */
const OPERATORS: Record<string, [Test, Check?]> = {
  // Relational operators keep JavaScript's comparison on purpose ('8' > 5, 'b' > 'a', null >= 0), which
  // is what GrowthBook's cases encode; the casts only quiet the type checker.
  $eq: [(actual, expected) => actual === expected],
  $ne: [(actual, expected) => actual !== expected],
  $lt: [(actual, expected) => (actual as number) < (expected as number)],
  $lte: [(actual, expected) => (actual as number) <= (expected as number)],
  $gt: [(actual, expected) => (actual as number) > (expected as number)],
  $gte: [(actual, expected) => (actual as number) >= (expected as number)],
  $in: [(actual, list) => isIn(actual, list), anArray],
  $nin: [(actual, list) => isArray(list) && !isIn(actual, list), anArray],
  $ini: [(actual, list) => isIn(actual, list, true), anArray],
  $nini: [(actual, list) => isArray(list) && !isIn(actual, list, true), anArray],
  $all: [all(false), allEntries],
  $alli: [all(true), allEntries],
  $elemMatch: [
    (actual, expected, groups) => {
      const operators = isOperatorObject(expected);
      // Null and undefined elements never match, as in GrowthBook (which skips them).
      return (
        isArray(actual) &&
        any(actual, (item) => item != null && (operators ? matchValue(expected, item, groups) : matches(item, expected, groups)))
      );
    },
    (operand, path) =>
      isOperatorObject(operand)
        ? checkValue(operand, path)
        : isObject(operand)
          ? check(operand, path)
          : mustBe(path, 'an object (a condition or operators)', operand),
  ],
  $size: [(actual, expected, groups) => isArray(actual) && matchValue(expected, actual.length, groups), checkValue],
  // `$exists: "false"` is truthy and would mean "exists": validation insists on a real boolean.
  $exists: [(actual, expected) => (actual != null) === !!expected, need((x) => typeof x === 'boolean', 'true or false')],
  $type: [
    (actual, expected) => typeName(actual) === expected,
    (operand, path) =>
      TYPES.includes(operand as string) ? undefined : `${path} must be one of ${TYPES.join(', ')}, got ${JSON.stringify(operand)}`,
  ],
  $regex: [matchesRegex(''), aRegex],
  $regexi: [matchesRegex('i'), aRegex],
  $not: [(actual, expected, groups) => !matchValue(expected, actual, groups), checkValue],
  $veq: [(actual, expected) => version(actual) === version(expected), aVersion],
  $vne: [(actual, expected) => version(actual) !== version(expected), aVersion],
  $vgt: [(actual, expected) => version(actual) > version(expected), aVersion],
  $vgte: [(actual, expected) => version(actual) >= version(expected), aVersion],
  $vlt: [(actual, expected) => version(actual) < version(expected), aVersion],
  $vlte: [(actual, expected) => version(actual) <= version(expected), aVersion],
  $inGroup: [(actual, id, groups) => isIn(actual, savedGroup(groups, id)), aGroupId],
  $notInGroup: [(actual, id, groups) => !isIn(actual, savedGroup(groups, id)), aGroupId],
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
          ? keys(expected).every((op) => OPERATORS[op]?.[0](actual, expected[op], groups))
          : equal(actual, expected);
}

/** An operand of `$and`/`$or`/`$nor`: an array of conditions. */
const conditionList = listOf(check, 'an array of conditions');

/**
 * Top-level operators combining conditions: how each evaluates against the attributes, and how
 * `validateCondition` checks its operand. Other top-level `$` keys are attribute names, as in GrowthBook.
 */
const LOGICAL: Record<string, [(attributes: unknown, operand: unknown, groups: Groups) => boolean, Check]> = {
  $and: [(attributes, list, groups) => isArray(list) && !any(list, (sub) => !matches(attributes, sub, groups)), conditionList],
  // `$or: []` matches, as in GrowthBook; `$nor: []` does not.
  $or: [
    (attributes, list, groups) => isArray(list) && (!list.length || any(list, (sub) => matches(attributes, sub, groups))),
    conditionList,
  ],
  $nor: [
    (attributes, list, groups) => isArray(list) && list.length > 0 && !any(list, (sub) => matches(attributes, sub, groups)),
    conditionList,
  ],
  $not: [(attributes, sub, groups) => !matches(attributes, sub, groups), check],
};

function matches(attributes: unknown, condition: unknown, groups: Groups): boolean {
  return (
    isObject(condition) &&
    keys(condition).every((key) =>
      hasOwn(LOGICAL, key)
        ? LOGICAL[key]![0](attributes, condition[key], groups)
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
 * them with {@link validateCondition} to find such mistakes.
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

/** First problem in a field condition (a literal or an operator object) at `path`. */
function checkValue(value: unknown, path: string): string | undefined {
  if (!isObject(value)) return;
  const operators = isOperatorObject(value);
  return first(keys(value), (key) =>
    !operators
      ? key[0] === '$'
        ? `${path} mixes operator ${key} with plain keys; use one or the other`
        : undefined
      : hasOwn(OPERATORS, key)
        ? OPERATORS[key]![1]?.(value[key], `${path}.${key}`)
        : `${path}: unknown operator ${key}; use one of ${keys(OPERATORS).join(', ')}`,
  );
}

/** First problem in a condition object at `path`. */
function check(condition: unknown, path: string): string | undefined {
  if (!isObject(condition)) return mustBe(path, 'an object', condition);
  return first(keys(condition), (key) => (hasOwn(LOGICAL, key) ? LOGICAL[key]![1] : checkValue)(condition[key], `${path}.${key}`));
}

/**
 * Checks a targeting condition before it is used, so mistakes surface when flags load rather than as
 * silently unmatched rules: unknown operators, operands of the wrong type (`$in` needs an array),
 * invalid regular expressions, `$exists` that is not a boolean, and the like.
 *
 * Returns `undefined` when the condition is valid, else one message that starts with `path` (the
 * prefix, e.g. `rules[0].condition`) and says how to fix it, e.g.
 * `rules[0].condition.country.$in must be an array, got string`. Never throws.
 */
export function validateCondition(condition: unknown, path: string): string | undefined {
  try {
    return check(condition, path);
  } catch (error) {
    // Cycles, hostile getters or extreme nesting: still an answer, never an exception.
    return `${path} could not be checked (${error instanceof Error ? error.message : typeName(error)}); use plain JSON`;
  }
}
