import { isOperatorObject, isVersion, typeName } from './operators.js';
import { MAX_UNBOUNDED, type RegexRisk, regexRisk } from './regex-safety.js';

// Write-time checks of targeting conditions: which operators exist and what operand each takes.
// Evaluation lives in flags/conditions.ts and keys its operator tables by the operator names defined
// here (FieldOperator, LogicalOperator), so the two cannot drift apart: an operator added here and
// not evaluated there (or the reverse) fails the type check.

/** What the messages of {@link regexProblem} say of each risk. */
const RISKS: Record<RegexRisk, string> = {
  nested: 'repeats a group that repeats or has alternatives, e.g. (a+)+ or (a|ab)*, which can backtrack exponentially',
  repetitions: `has more than ${MAX_UNBOUNDED} variable repetitions (*, +, {n,m}), which can backtrack polynomially`,
};

/**
 * Why a `$regex`/`$regexi` pattern cannot be used, or undefined: `is not a valid regular expression: …`,
 * or `is refused: it …` when {@link regexRisk} finds it may backtrack super-linearly. The same patterns
 * as evaluation's `safeRegex` refuses; the messages live here, with validation, so that the flags entry
 * carries none. Never throws.
 */
function regexProblem(pattern: string, flags: string): string | undefined {
  try {
    new RegExp(pattern, flags);
  } catch (error) {
    return `is not a valid regular expression: ${(error as Error).message}`;
  }
  const risk = regexRisk(pattern);
  return risk && `is refused: it ${RISKS[risk]}; rewrite it without nested or ambiguous repetition`;
}

type Dict = Record<string, unknown>;
/** How `validateCondition` checks an operand at `path`: the problem, if any. */
type Check = (operand: unknown, path: string) => string | undefined;

/** What `$type` can ask for, as {@link typeName} spells it. */
const TYPES = ['string', 'number', 'boolean', 'object', 'array', 'null', 'undefined'];

const hasOwn = Object.hasOwn;
const isArray = Array.isArray;
const keys = Object.keys;

const isString = (x: unknown): x is string => typeof x === 'string';
const isObject = (x: unknown): x is Dict => typeof x === 'object' && x !== null && !isArray(x);

/** The first truthy `test(item, index)` over `list`, visiting holes as `undefined`. */
function first<T, R>(list: readonly T[], test: (item: T, index: number) => R): R | undefined {
  for (let i = 0; i < list.length; i++) {
    const result = test(list[i] as T, i);
    if (result) return result;
  }
}

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
/** Any operand will do: relational operators compare whatever they are given, as JavaScript does. */
const anything: Check = () => undefined;
const anArray = need(isArray, 'an array');
const aVersion = need(isVersion, 'a version string like "1.2.3"');
const aGroupId = need(isString, 'a saved group id (string)');
const aRegex: Check = (operand, path) => {
  if (!isString(operand)) return mustBe(path, 'a string', operand);
  const problem = regexProblem(operand, '');
  return problem && `${path} ${problem}`;
};
/** `$all` entries are values or operator objects. */
const allEntries = listOf(checkValue, 'an array');

/** Field operators, in the order `validateCondition` suggests them, and how each checks its operand. */
const FIELD_CHECKS = {
  $eq: anything,
  $ne: anything,
  $lt: anything,
  $lte: anything,
  $gt: anything,
  $gte: anything,
  $in: anArray,
  $nin: anArray,
  $ini: anArray,
  $nini: anArray,
  $all: allEntries,
  $alli: allEntries,
  $elemMatch: (operand, path) =>
    isOperatorObject(operand)
      ? checkValue(operand, path)
      : isObject(operand)
        ? check(operand, path)
        : mustBe(path, 'an object (a condition or operators)', operand),
  $size: checkValue,
  // `$exists: "false"` is truthy and would mean "exists": validation insists on a real boolean.
  $exists: need((x) => typeof x === 'boolean', 'true or false'),
  $type: (operand, path) =>
    TYPES.includes(operand as string) ? undefined : `${path} must be one of ${TYPES.join(', ')}, got ${JSON.stringify(operand)}`,
  $regex: aRegex,
  $regexi: aRegex,
  $not: checkValue,
  $veq: aVersion,
  $vne: aVersion,
  $vgt: aVersion,
  $vgte: aVersion,
  $vlt: aVersion,
  $vlte: aVersion,
  $inGroup: aGroupId,
  $notInGroup: aGroupId,
} satisfies Record<string, Check>;

/** An operator on one field (`{ age: { $gte: 18 } }`): every name a condition may use below an attribute. */
export type FieldOperator = keyof typeof FIELD_CHECKS;

/** An operand of `$and`/`$or`/`$nor`: an array of conditions. */
const conditionList = listOf(check, 'an array of conditions');

/**
 * Top-level operators combining conditions, and how each checks its operand. Other top-level `$` keys
 * are attribute names, as in GrowthBook.
 */
const LOGICAL_CHECKS = {
  $and: conditionList,
  $or: conditionList,
  $nor: conditionList,
  $not: check,
} satisfies Record<string, Check>;

/** An operator combining whole conditions at the top level of a condition: `$and`, `$or`, `$nor`, `$not`. */
export type LogicalOperator = keyof typeof LOGICAL_CHECKS;

/** First problem in a field condition (a literal or an operator object) at `path`. */
function checkValue(value: unknown, path: string): string | undefined {
  if (!isObject(value)) return;
  const operators = isOperatorObject(value);
  return first(keys(value), (key) =>
    !operators
      ? key[0] === '$'
        ? `${path} mixes operator ${key} with plain keys; use one or the other`
        : undefined
      : hasOwn(FIELD_CHECKS, key)
        ? (FIELD_CHECKS as Record<string, Check>)[key]!(value[key], `${path}.${key}`)
        : `${path}: unknown operator ${key}; use one of ${keys(FIELD_CHECKS).join(', ')}`,
  );
}

/** First problem in a condition object at `path`. */
function check(condition: unknown, path: string): string | undefined {
  if (!isObject(condition)) return mustBe(path, 'an object', condition);
  return first(keys(condition), (key) =>
    (hasOwn(LOGICAL_CHECKS, key) ? (LOGICAL_CHECKS as Record<string, Check>)[key]! : checkValue)(condition[key], `${path}.${key}`),
  );
}

/**
 * Checks a targeting condition before it is used, so mistakes surface when flags load rather than as
 * silently unmatched rules: unknown operators, operands of the wrong type (`$in` needs an array),
 * invalid or refused regular expressions, `$exists` that is not a boolean, and the like.
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
