import { EliteError, messageOf } from '../internal/errors.js';
import { type Dict, isDict, isJson } from './json.js';
import {
  describe,
  hundredths,
  isMetadataValue,
  KEY_PATTERN,
  MAX_ITEMS,
  MAX_SALT_CHARS,
  MAX_USER_IDS,
  MAX_VALUE_CHARS,
  MAX_VARIANTS,
  member,
  TOGGLE_VARIANTS,
  ZONED,
} from './limits.js';
import type { FlagDefinition } from './types.js';

// The compact check of a flag definition: what the flags client runs, synchronously, on bootstrap
// definitions, so that `createFlags({ bootstrap })` still throws INVALID_FLAG at once. Table-driven: each
// object's fields are listed with a kind (below), which gives the known fields, the type and range checks
// and the message (`<field> must be <what>, got <value>`); the checks between fields are written out.
// It refuses every definition validate.ts refuses, except for mistakes inside a targeting condition
// (a condition need only be an object here): the detailed validator, with its message per mistake, stays
// out of the flags entry and loads with the first store read (check-flag.test.ts holds the two together).

/** Each kind: its test and what the message says a value must be. */
const KINDS: Record<string, [test: (value: unknown) => boolean, what: string]> = {
  k: [(v) => typeof v === 'string' && KEY_PATTERN.test(v), `a key matching ${KEY_PATTERN.source}`],
  b: [(v) => typeof v === 'boolean', 'true or false'],
  s: [(v) => typeof v === 'string', 'a string'],
  p: [(v) => !Number.isNaN(hundredths(v)), '0–100 with at most two decimals'],
  o: [isDict, 'an object'],
  l: [Array.isArray, 'an array'],
  j: [isJson, 'plain JSON'],
  u: [(v) => Array.isArray(v) && !v.some((id) => typeof id !== 'string' || id === ''), 'an array of non-empty strings'],
  t: [(v) => typeof v === 'string' && v !== '', 'a non-empty string'],
  n: [(v) => Number.isSafeInteger(v) && (v as number) >= 0, 'a whole number ≥ 0'],
  d: [(v) => !Number.isNaN(Date.parse(v as string)), 'an ISO 8601 date string'],
  z: [(v) => typeof v === 'string' && ZONED.test(v), 'an ISO 8601 date-time with a time zone (2026-03-01T09:00:00Z)'],
  m: [isMetadataValue, 'a boolean, a finite number or a string of at most 256 characters'],
  // Checked by the code below (names of variants and segments).
  x: [() => true, ''],
};

// `field:kind`; `?` marks a field that may be undefined, `*` one that may be absent (a variant's value).
const FLAG =
  'key:k environment:k enabled:b description:s? variants:l? rollout:p? defaultVariant:x rules:l? segments:o? prerequisites:l? layer:o? schedule:l? salt:t? metadata:o? version:n? updatedAt:d?';
const RULE = 'id:s? description:s? condition:o? segment:x userIds:u? variant:x rollout:p? weights:l? prerequisites:l?';

/**
 * Checks a flag definition and returns it, or throws `EliteError` `INVALID_FLAG` naming the field, e.g.
 * `elite/flags: flag "pricing": variants[1].weight must be 0–100 with at most two decimals, got 120`.
 */
export function checkFlag(input: unknown): FlagDefinition {
  try {
    return check(input);
  } catch (error) {
    if (error instanceof EliteError) throw error;
    throw new EliteError('INVALID_FLAG', `elite/flags: the flag could not be read: ${messageOf(error)}`, { field: 'flag', cause: error });
  }
}

function check(input: unknown): FlagDefinition {
  const self = isDict(input) ? input.key : undefined;
  const fail = (field: string, message: string): never => {
    throw new EliteError('INVALID_FLAG', `elite/flags: ${typeof self === 'string' ? `flag "${self}": ` : ''}${field} ${message}`, {
      field,
    });
  };
  const must = (ok: unknown, field: string, what: string, value: unknown): void => {
    if (!ok) fail(field, `must be ${what}, got ${describe(value)}`);
  };
  const is = (kind: string, field: string, value: unknown) => {
    const [test, what] = KINDS[kind] as [(value: unknown) => boolean, string];
    must(test(value), field, what, value);
  };
  // An object with the fields of `spec`, each of its kind.
  const fields = (path: string, value: unknown, spec: string): Dict => {
    must(isDict(value), path, 'an object', value);
    const kinds = Object.fromEntries(spec.split(' ').map((field) => field.split(':'))) as Record<string, string>;
    const object = value as Dict;
    for (const k of Object.keys(object)) {
      if (!Object.hasOwn(kinds, k)) fail(member(path, k), `is not a known field; use one of ${Object.keys(kinds).join(', ')}`);
    }
    for (const [k, kind] of Object.entries(kinds)) {
      const v = object[k];
      if (kind[1] === '?' ? v === undefined : kind[1] === '*' && !(k in object)) continue;
      is(kind[0] as string, member(path, k), v);
    }
    return object;
  };
  const variantOf = (field: string, value: unknown, keys: ReadonlySet<string>) =>
    must(keys.has(value as string), field, `a variant (${[...keys].slice(0, 20).join(', ')})`, value);
  // Variants (which define the keys) and a rule's weights (which name them) share one shape.
  const split = (field: string, value: unknown, keys?: ReadonlySet<string>): Set<string> => {
    const items = value as unknown[];
    if (items.length === 0) fail(field, 'must not be empty');
    const seen = new Set<string>();
    let total = 0;
    for (let i = 0; i < items.length; i++) {
      const at = `${field}[${i}]`;
      const arm = fields(at, items[i], keys ? 'key:k weight:p' : 'key:k weight:p value:j*');
      const k = arm.key as string;
      if (keys) variantOf(`${at}.key`, k, keys);
      if (seen.has(k)) fail(`${at}.key`, `repeats "${k}"; each variant appears once`);
      seen.add(k);
      total += hundredths(arm.weight);
    }
    if (total !== 10_000) fail(field, `weights must sum to 100, got ${total / 100}`);
    return seen;
  };
  const prerequisites = (field: string, value: unknown) => {
    const items = value as unknown[];
    for (let i = 0; i < items.length; i++) fields(`${field}[${i}]`, items[i], 'flag:k variant:k?');
  };

  const flag = fields('flag', input, FLAG);
  const toggle = flag.variants === undefined;
  const variantKeys = toggle ? new Set(TOGGLE_VARIANTS) : split('variants', flag.variants);
  if (flag.defaultVariant !== undefined) variantOf('defaultVariant', flag.defaultVariant, variantKeys);
  const segments = (flag.segments ?? {}) as Dict;
  for (const [segment, condition] of Object.entries(segments)) {
    is('k', member('segments', segment), segment);
    must(isDict(condition), member('segments', segment), 'a condition object', condition);
  }
  const rules = (flag.rules ?? []) as unknown[];
  for (let i = 0; i < rules.length; i++) {
    const at = `rules[${i}]`;
    const rule = fields(at, rules[i], RULE);
    if (rule.segment !== undefined) {
      const many = Array.isArray(rule.segment);
      const names = many ? (rule.segment as unknown[]) : [rule.segment];
      for (let j = 0; j < names.length; j++) {
        const s = names[j];
        must(
          typeof s === 'string' && Object.hasOwn(segments, s),
          `${at}.segment${many ? `[${j}]` : ''}`,
          'a segment defined in "segments"',
          s,
        );
      }
    }
    if (rule.variant !== undefined) variantOf(`${at}.variant`, rule.variant, variantKeys);
    if (rule.prerequisites !== undefined) prerequisites(`${at}.prerequisites`, rule.prerequisites);
    if (rule.weights !== undefined) split(`${at}.weights`, rule.weights, variantKeys);
  }
  if (flag.prerequisites !== undefined) prerequisites('prerequisites', flag.prerequisites);
  if (flag.layer !== undefined) {
    const layer = fields('layer', flag.layer, 'key:k from:p to:p');
    if (hundredths(layer.from) >= hundredths(layer.to)) fail('layer', 'is an empty range; from must be below to');
  }
  if (flag.schedule !== undefined) {
    let previous = Number.NEGATIVE_INFINITY;
    const steps = flag.schedule as unknown[];
    for (let i = 0; i < steps.length; i++) {
      const time = Date.parse(fields(`schedule[${i}]`, steps[i], 'at:z enabled:b? rollout:p?').at as string);
      if (time <= previous) fail(`schedule[${i}].at`, 'must be later than the step before it');
      previous = time;
    }
  }
  for (const [name, value] of Object.entries((flag.metadata ?? {}) as Dict)) {
    is('k', member('metadata', name), name);
    is('m', member('metadata', name), value);
  }
  return input as FlagDefinition;
}
