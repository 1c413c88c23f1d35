/**
 * Rules, segments and conditions as sentences for people: `country is one of "DE", "FR"` for
 * `{ country: { $in: ["DE", "FR"] } }`. What the page shows; the JSON stays the thing edited.
 * @packageDocumentation
 */
import type { FlagDefinition, FlagRule } from '@tiqology/elite';

const OPERATORS: Record<string, string> = {
  $eq: 'is',
  $ne: 'is not',
  $gt: '>',
  $gte: '≥',
  $lt: '<',
  $lte: '≤',
  $in: 'is one of',
  $nin: 'is none of',
  $exists: 'exists:',
  $regex: 'matches',
  $all: 'contains all of',
  $size: 'has size',
  $elemMatch: 'has an element where',
  $type: 'is of type',
  $veq: 'is version',
  $vne: 'is not version',
  $vgt: 'is a version >',
  $vgte: 'is a version ≥',
  $vlt: 'is a version <',
  $vlte: 'is a version ≤',
  $inGroup: 'is in group',
  $notInGroup: 'is not in group',
};

const value = (v: unknown): string =>
  Array.isArray(v)
    ? v.map(value).join(', ')
    : typeof v === 'object' && v !== null
      ? conditionText(v as Record<string, unknown>)
      : JSON.stringify(v);

/** One condition as text; `$and`/`$or`/`$nor`/`$not` read as words. */
export function conditionText(condition: Record<string, unknown>): string {
  const parts = Object.entries(condition).map(([field, operand]) => {
    if (field === '$and' || field === '$or' || field === '$nor') {
      const joiner = field === '$and' ? ' and ' : ' or ';
      const inner = (Array.isArray(operand) ? operand : []).map((c) => `(${conditionText(c as Record<string, unknown>)})`).join(joiner);
      return field === '$nor' ? `not (${inner})` : inner;
    }
    if (field === '$not') return `not (${conditionText(operand as Record<string, unknown>)})`;
    const isOps =
      typeof operand === 'object' && operand !== null && !Array.isArray(operand) && Object.keys(operand).every((k) => k.startsWith('$'));
    if (!isOps) return `${field} is ${value(operand)}`;
    return Object.entries(operand as Record<string, unknown>)
      .map(([op, arg]) => (op === '$not' ? `${field} not (${value(arg)})` : `${field} ${OPERATORS[op] ?? op} ${value(arg)}`))
      .join(' and ');
  });
  return parts.length === 0 ? 'everyone' : parts.join(' and ');
}

/** One rule as a sentence: who it matches, then what they get. */
export function ruleText(rule: FlagRule): string {
  const who: string[] = [];
  if (rule.userIds !== undefined) who.push(`user id is one of ${rule.userIds.map((u) => JSON.stringify(u)).join(', ')}`);
  if (rule.segment !== undefined) {
    const segments = Array.isArray(rule.segment) ? rule.segment : [rule.segment];
    who.push(`in segment ${segments.map((s) => JSON.stringify(s)).join(' or ')}`);
  }
  if (rule.condition !== undefined) who.push(conditionText(rule.condition));
  if (rule.prerequisites !== undefined) {
    who.push(rule.prerequisites.map((p) => `flag ${p.flag}${p.variant === undefined ? ' is on' : ` serves ${p.variant}`}`).join(' and '));
  }
  const what: string[] = [];
  if (rule.variant !== undefined) what.push(`serve ${rule.variant}`);
  if (rule.weights !== undefined) what.push(`split ${rule.weights.map((w) => `${w.key} ${w.weight}%`).join(', ')}`);
  if (rule.rollout !== undefined) what.push(`to ${rule.rollout}% of them`);
  const sentence = `If ${who.length === 0 ? 'anyone' : who.join(' and ')}: ${what.length === 0 ? 'serve the flag' : what.join(' ')}`;
  return rule.description === undefined ? sentence : `${sentence} (${rule.description})`;
}

/** Each segment as `name: condition`. */
export const segmentLines = (flag: FlagDefinition): string[] =>
  Object.entries(flag.segments ?? {}).map(([name, condition]) => `${name}: ${conditionText(condition)}`);
