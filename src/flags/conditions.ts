import type { Condition } from './types.js';

/**
 * Saved groups referenced by `$inGroup` / `$notInGroup`: group id → the attribute values it contains.
 * An id that is missing (or not an array) is an empty group.
 */
export type SavedGroups = Record<string, readonly unknown[]>;

type Groups = SavedGroups | undefined;
type Dict = Record<string, unknown>;

// Semantics follow GrowthBook's `evalCondition` (its cross-SDK cases.json passes in full), including its
// coercions: a missing attribute reads as `null`, `{ n: 5 }` matches `'5'`, `$gt` compares like JS `>`.
// Departures, all on inputs GrowthBook leaves to chance: attribute lookups use own properties only (so
// `constructor`, `__proto__` and friends never reach Object.prototype); literal objects are compared
// key-order-insensitively without JSON.stringify; a condition that is not an object, and a non-array
// `$or`/`$and`/`$nor`/`$all`, never match; nothing is logged (validateCondition reports mistakes up front).

/** Field operators, in the order `validateCondition` suggests them. */
const OPERATORS = [
  '$eq',
  '$ne',
  '$lt',
  '$lte',
  '$gt',
  '$gte',
  '$in',
  '$nin',
  '$ini',
  '$nini',
  '$all',
  '$alli',
  '$elemMatch',
  '$size',
  '$exists',
  '$type',
  '$regex',
  '$regexi',
  '$not',
  '$veq',
  '$vne',
  '$vgt',
  '$vgte',
  '$vlt',
  '$vlte',
  '$inGroup',
  '$notInGroup',
];
const TYPES = ['string', 'number', 'boolean', 'object', 'array', 'null', 'undefined'];
const NO_VALUES: readonly unknown[] = [];

const hasOwn = Object.hasOwn;
const isArray = Array.isArray;

const isObject = (x: unknown): x is Dict => typeof x === 'object' && x !== null && !isArray(x);

const typeName = (x: unknown): string => (x === null ? 'null' : isArray(x) ? 'array' : typeof x);

// Compiled regexes and normalised version strings, keyed by their source text. Bounded so that
// high-cardinality inputs (user agents, app versions) cannot grow memory; clearing when full is O(1)
// amortised and simpler than LRU for a cache whose misses cost microseconds.
const CACHE_LIMIT = 256;
const regexes = new Map<string, RegExp | null>();
const foldedRegexes = new Map<string, RegExp | null>();
const versions = new Map<string, string>();

function remember<V>(cache: Map<string, V>, key: string, value: V): V {
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, value);
  return value;
}

/** The compiled pattern, or null when it is not a string or not a valid regular expression. */
function regex(pattern: unknown, fold: boolean): RegExp | null {
  if (typeof pattern !== 'string') return null;
  const cache = fold ? foldedRegexes : regexes;
  let re = cache.get(pattern);
  if (re === undefined) {
    try {
      re = new RegExp(pattern, fold ? 'i' : '');
    } catch {
      // Remember invalid patterns too, so a bad rule costs one failed compile, not one per evaluation.
      re = null;
    }
    remember(cache, pattern, re);
  }
  return re;
}

/**
 * A string whose plain ordering is version ordering: drop a leading `v` and any `+build`, split on `.`
 * and `-`, left-pad numeric parts to 5 characters, and append `~` to a bare `x.y.z` so that a release
 * sorts after its pre-releases (`~` is above every ASCII letter and digit; the `-` joiner sorts above
 * the padding space so `1.0.0--` > `1.0.0-9999`). Non-strings other than numbers read as `0`.
 */
function version(input: unknown): string {
  const text = typeof input === 'number' ? `${input}` : typeof input === 'string' && input ? input : '0';
  const known = versions.get(text);
  if (known !== undefined) return known;
  const parts = text.replace(/^v|\+.*$/g, '').split(/[-.]/);
  if (parts.length === 3) parts.push('~');
  return remember(versions, text, parts.map((part) => (/^\d+$/.test(part) ? part.padStart(5, ' ') : part)).join('-'));
}

/** An object whose own keys all start with `$`, e.g. `{ $gt: 1, $lt: 5 }`; `{}` is a literal. */
function isOperatorObject(x: unknown): x is Dict {
  if (!isObject(x)) return false;
  let count = 0;
  for (const key in x) {
    if (!hasOwn(x, key)) continue;
    if (key[0] !== '$') return false;
    count++;
  }
  return count > 0;
}

/** Own-key deep equality for JSON-like values, without allocating. */
function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || !a || !b || isArray(a) !== isArray(b)) return false;
  let count = 0;
  for (const key in b) {
    if (!hasOwn(b, key)) continue;
    if (!hasOwn(a, key) || !equal((a as Dict)[key], (b as Dict)[key])) return false;
    count++;
  }
  for (const key in a) if (hasOwn(a, key)) count--;
  return count === 0;
}

/** Own-property walk of a dotted path; anything missing on the way reads as null, as in GrowthBook. */
function lookup(from: unknown, path: string): unknown {
  let value = from;
  let start = 0;
  for (;;) {
    const end = path.indexOf('.', start);
    // A path without dots (the common case) is used as is: no substring allocated.
    const key = end < 0 ? (start ? path.slice(start) : path) : path.slice(start, end);
    if (typeof value !== 'object' || value === null || !hasOwn(value, key)) return null;
    value = (value as Dict)[key];
    if (end < 0) return value;
    start = end + 1;
  }
}

function fold(x: unknown): unknown {
  return typeof x === 'string' ? x.toLowerCase() : x;
}

function contains(list: readonly unknown[], value: unknown, folded: boolean): boolean {
  if (!folded) return list.includes(value);
  const wanted = fold(value);
  for (const item of list) if (fold(item) === wanted) return true;
  return false;
}

/** Whether `actual` (or, for an array, any element of it) is in `list`. */
function isIn(actual: unknown, list: readonly unknown[], folded: boolean): boolean {
  if (!isArray(actual)) return contains(list, actual, folded);
  for (const item of actual) if (contains(list, item, folded)) return true;
  return false;
}

/** Every entry of `wanted` (a value or operator object) matches some element of `actual`. */
function all(wanted: readonly unknown[], actual: readonly unknown[], folded: boolean, groups: Groups): boolean {
  next: for (const want of wanted) {
    for (const have of actual) {
      if (folded ? matchValue(fold(want), fold(have), groups) : matchValue(want, have, groups)) continue next;
    }
    return false;
  }
  return true;
}

function group(groups: Groups, id: unknown): readonly unknown[] {
  const members = groups && typeof id === 'string' && hasOwn(groups, id) ? groups[id] : undefined;
  return isArray(members) ? members : NO_VALUES;
}

function matchOperator(op: string, actual: unknown, expected: unknown, groups: Groups): boolean {
  switch (op) {
    case '$eq':
      return actual === expected;
    case '$ne':
      return actual !== expected;
    // Relational operators keep JavaScript's comparison on purpose ('8' > 5, 'b' > 'a', null >= 0),
    // which is what GrowthBook's cases encode; the casts only quiet the type checker.
    case '$lt':
      return (actual as number) < (expected as number);
    case '$lte':
      return (actual as number) <= (expected as number);
    case '$gt':
      return (actual as number) > (expected as number);
    case '$gte':
      return (actual as number) >= (expected as number);
    case '$veq':
      return version(actual) === version(expected);
    case '$vne':
      return version(actual) !== version(expected);
    case '$vgt':
      return version(actual) > version(expected);
    case '$vgte':
      return version(actual) >= version(expected);
    case '$vlt':
      return version(actual) < version(expected);
    case '$vlte':
      return version(actual) <= version(expected);
    case '$in':
    case '$ini':
      return isArray(expected) && isIn(actual, expected, op === '$ini');
    case '$nin':
    case '$nini':
      return isArray(expected) && !isIn(actual, expected, op === '$nini');
    case '$inGroup':
      return isIn(actual, group(groups, expected), false);
    case '$notInGroup':
      return !isIn(actual, group(groups, expected), false);
    case '$all':
    case '$alli':
      return isArray(expected) && isArray(actual) && all(expected, actual, op === '$alli', groups);
    case '$elemMatch': {
      if (!isArray(actual)) return false;
      const operators = isOperatorObject(expected);
      for (const item of actual) {
        // Null and undefined elements never match, as in GrowthBook (which skips them).
        if (item != null && (operators ? matchValue(expected, item, groups) : matches(item, expected, groups))) return true;
      }
      return false;
    }
    case '$size':
      return isArray(actual) && matchValue(expected, actual.length, groups);
    case '$exists':
      return expected ? actual != null : actual == null;
    case '$type':
      return typeName(actual) === expected;
    case '$regex':
    case '$regexi': {
      const re = regex(expected, op === '$regexi');
      return re?.test(String(actual)) === true;
    }
    case '$not':
      return !matchValue(expected, actual, groups);
    default:
      return false;
  }
}

function matchValue(expected: unknown, actual: unknown, groups: Groups): boolean {
  switch (typeof expected) {
    case 'string':
      return String(actual) === expected;
    case 'number':
      return Number(actual) === expected;
    case 'boolean':
      return actual != null && !!actual === expected;
  }
  if (expected === null) return actual === null;
  if (!isOperatorObject(expected)) return equal(actual, expected);
  for (const op in expected) {
    if (hasOwn(expected, op) && !matchOperator(op, actual, expected[op], groups)) return false;
  }
  return true;
}

/** Whether any of `conditions` matches; an empty list counts as a match, as in GrowthBook. */
function some(attributes: unknown, conditions: readonly unknown[], groups: Groups): boolean {
  for (const condition of conditions) if (matches(attributes, condition, groups)) return true;
  return conditions.length === 0;
}

function matches(attributes: unknown, condition: unknown, groups: Groups): boolean {
  if (!isObject(condition)) return false;
  for (const key in condition) {
    if (!hasOwn(condition, key)) continue;
    const value = condition[key];
    if (key === '$and') {
      if (!isArray(value)) return false;
      for (const sub of value) if (!matches(attributes, sub, groups)) return false;
    } else if (key === '$or' || key === '$nor') {
      if (!isArray(value) || some(attributes, value, groups) === (key === '$nor')) return false;
    } else if (key === '$not') {
      if (matches(attributes, value, groups)) return false;
    } else if (!matchValue(value, lookup(attributes, key), groups)) {
      return false;
    }
  }
  return true;
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
  if (!isOperatorObject(value)) {
    if (isObject(value)) {
      for (const key in value) {
        if (hasOwn(value, key) && key[0] === '$') {
          return `${path} mixes operator ${key} with plain keys; put operators in an object of their own, or compare a literal without $ keys`;
        }
      }
    }
    return undefined;
  }
  for (const op in value) {
    if (!hasOwn(value, op)) continue;
    const operand = value[op];
    const at = `${path}.${op}`;
    const got = `, got ${typeName(operand)}`;
    let problem: string | undefined;
    switch (op) {
      case '$in':
      case '$nin':
      case '$ini':
      case '$nini':
        if (!isArray(operand)) problem = `${at} must be an array${got}`;
        break;
      case '$all':
      case '$alli':
        if (!isArray(operand)) problem = `${at} must be an array${got}`;
        else for (let i = 0; i < operand.length && !problem; i++) problem = checkValue(operand[i], `${at}[${i}]`);
        break;
      case '$regex':
      case '$regexi':
        if (typeof operand !== 'string') problem = `${at} must be a string${got}`;
        else {
          try {
            new RegExp(operand, 'i');
          } catch (error) {
            problem = `${at} is not a valid regular expression: ${(error as Error).message}`;
          }
        }
        break;
      case '$veq':
      case '$vne':
      case '$vgt':
      case '$vgte':
      case '$vlt':
      case '$vlte':
        if (typeof operand !== 'string' && typeof operand !== 'number') problem = `${at} must be a version string like "1.2.3"${got}`;
        break;
      case '$inGroup':
      case '$notInGroup':
        if (typeof operand !== 'string') problem = `${at} must be a saved group id (string)${got}`;
        break;
      case '$exists':
        // `$exists: "false"` is truthy and would mean "exists": insist on a real boolean.
        if (typeof operand !== 'boolean') problem = `${at} must be true or false${got}`;
        break;
      case '$type':
        if (!TYPES.includes(operand as string)) problem = `${at} must be one of ${TYPES.join(', ')}, got ${JSON.stringify(operand)}`;
        break;
      case '$elemMatch':
        problem = isOperatorObject(operand)
          ? checkValue(operand, at)
          : isObject(operand)
            ? check(operand, at)
            : `${at} must be an object (a condition or operators)${got}`;
        break;
      case '$size':
      case '$not':
        problem = checkValue(operand, at);
        break;
      default:
        if (!OPERATORS.includes(op)) problem = `${path}: unknown operator ${op}; use one of ${OPERATORS.join(', ')}`;
    }
    if (problem) return problem;
  }
  return undefined;
}

/** First problem in a condition object at `path`. */
function check(condition: unknown, path: string): string | undefined {
  if (!isObject(condition)) return `${path} must be an object, got ${typeName(condition)}`;
  for (const key in condition) {
    if (!hasOwn(condition, key)) continue;
    const value = condition[key];
    const at = `${path}.${key}`;
    let problem: string | undefined;
    if (key === '$or' || key === '$and' || key === '$nor') {
      if (!isArray(value)) problem = `${at} must be an array of conditions, got ${typeName(value)}`;
      else for (let i = 0; i < value.length && !problem; i++) problem = check(value[i], `${at}[${i}]`);
    } else {
      // Other top-level `$` keys are attribute names, as in GrowthBook (e.g. `$groups`).
      problem = key === '$not' ? check(value, at) : checkValue(value, at);
    }
    if (problem) return problem;
  }
  return undefined;
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
