import { EliteError } from '../internal/errors.js';
import { validateCondition } from './conditions.js';
import { type Dict, isDict, isJson } from './json.js';
import {
  describe,
  hundredths,
  isMetadataValue,
  KEY_PATTERN,
  MAX_ITEMS,
  MAX_METADATA_CHARS,
  MAX_SALT_CHARS,
  MAX_USER_IDS,
  MAX_VALUE_CHARS,
  MAX_VARIANTS,
  member,
  SAVED_GROUP_OPERATORS,
  TOGGLE_VARIANTS,
} from './limits.js';
import type { FlagDefinition } from './types.js';
import { planChecks } from './validate-plan.js';

export { KEY_PATTERN, MAX_VARIANTS, TOGGLE_VARIANTS, validateCondition };

/** The fields of a definition and of a rule. */
const FLAG_FIELDS =
  'key environment enabled description variants rollout defaultVariant rules segments prerequisites layer schedule salt metadata version updatedAt'.split(
    ' ',
  );
const RULE_FIELDS = 'id description condition segment userIds variant rollout weights prerequisites'.split(' ');

// The detailed validation of a flag definition, field by field with a message per mistake: every store
// runs it before writing, and the flags client runs it on what it reads from a store (loaded on the
// first read), so a malformed definition fails once, loudly, with the field named. Bootstrap definitions
// get the compact check of check-flag.ts, which accepts and refuses the same definitions.

/**
 * The path of the first `$inGroup`/`$notInGroup` in a condition, or undefined. `evalCondition`
 * takes saved groups as an argument, but a stored flag has nowhere to define them, so the
 * operator would never match (`$notInGroup`: always): refused at write instead.
 */
function savedGroupPath(value: unknown, path: string): string | undefined {
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = savedGroupPath(item, `${path}[${i}]`);
      if (found !== undefined) return found;
    }
  } else if (isDict(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (SAVED_GROUP_OPERATORS.includes(key)) return `${path}.${key}`;
      const found = savedGroupPath(item, `${path}.${key}`);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/**
 * Validates a flag definition and returns it. Throws `EliteError` `INVALID_FLAG` naming the
 * field and the fix, e.g.
 * `elite/flags: flag "pricing": variants[1].weight must be 0–100 with at most two decimals, got 120`.
 */
export function validateFlag(input: unknown): FlagDefinition {
  try {
    return check(input);
  } catch (error) {
    if (error instanceof EliteError) throw error;
    // Input that cannot be read (a throwing getter, a revoked proxy): still a typed error.
    const message = error instanceof Error ? error.message : typeof error;
    throw new EliteError('INVALID_FLAG', `elite/flags: the flag could not be read: ${message}`, { field: 'flag', cause: error });
  }
}

function check(input: unknown): FlagDefinition {
  const flag = (isDict(input) ? input : {}) as Dict;
  const name = typeof flag.key === 'string' ? `flag "${flag.key}": ` : '';
  const fail = (field: string, message: string): never => {
    throw new EliteError('INVALID_FLAG', `elite/flags: ${name}${field} ${message}`, { field });
  };
  const object = (field: string, value: unknown, what: string): Dict =>
    isDict(value) ? value : fail(field, `must be ${what}, got ${describe(value)}`);
  const known = (field: string, value: Dict, fields: readonly string[]) => {
    for (const k of Object.keys(value)) {
      if (!fields.includes(k)) fail(member(field, k), `is not a known field; use one of ${fields.join(', ')}`);
    }
  };
  const key = (field: string, value: unknown): string =>
    typeof value === 'string' && KEY_PATTERN.test(value)
      ? value
      : fail(field, `must match ${KEY_PATTERN.source} (lowercase letters, digits, ".", "_", "-"), got ${describe(value)}`);
  const percent = (field: string, value: unknown): number => {
    const h = hundredths(value);
    return Number.isNaN(h) ? fail(field, `must be 0–100 with at most two decimals, got ${describe(value)}`) : h;
  };
  const text = (field: string, value: unknown) => {
    if (value !== undefined && typeof value !== 'string') fail(field, `must be a string, got ${describe(value)}`);
  };
  const oneOf = (field: string, value: unknown, keys: ReadonlySet<string>) => {
    if (!keys.has(value as string)) fail(field, `must name a variant (${[...keys].slice(0, 20).join(', ')}), got ${describe(value)}`);
  };
  const condition = (field: string, value: unknown) => {
    object(field, value, 'an object');
    const problem = validateCondition(value, field);
    if (problem !== undefined) throw new EliteError('INVALID_FLAG', `elite/flags: ${name}${problem}`, { field });
    const group = savedGroupPath(value, field);
    if (group !== undefined) {
      fail(group, "refers to a saved group, which a stored flag cannot define; list the users in a rule's userIds or a segment");
    }
  };
  // Variants (which define the keys) and a rule's weights (which name them) share one shape.
  const split = (field: string, value: unknown, keys?: ReadonlySet<string>): Set<string> => {
    if (!Array.isArray(value) || value.length === 0) fail(field, `must be a non-empty array of { key, weight }, got ${describe(value)}`);
    if ((value as unknown[]).length > MAX_VARIANTS) fail(field, `holds ${(value as unknown[]).length} entries, at most ${MAX_VARIANTS}`);
    // A set: checking repeats stays linear in the number of variants.
    const seen = new Set<string>();
    let total = 0;
    for (const [i, item] of (value as unknown[]).entries()) {
      const at = `${field}[${i}]`;
      const arm = object(at, item, 'an object { key, weight }');
      known(at, arm, keys ? ['key', 'weight'] : ['key', 'weight', 'value']);
      const k = key(`${at}.key`, arm.key);
      if (keys) oneOf(`${at}.key`, k, keys);
      if (seen.has(k)) fail(`${at}.key`, `repeats "${k}"; each variant appears once`);
      seen.add(k);
      total += percent(`${at}.weight`, arm.weight);
      if ('value' in arm && !(isJson(arm.value) && JSON.stringify(arm.value).length <= MAX_VALUE_CHARS)) {
        fail(
          `${at}.value`,
          `must be plain JSON (no undefined, functions, NaN or class instances) of at most ${MAX_VALUE_CHARS} characters`,
        );
      }
    }
    if (total !== 10_000) fail(field, `weights must sum to 100, got ${total / 100}`);
    return seen;
  };

  object('flag', input, 'an object');
  const plan = planChecks(flag.key, { fail, object, known, key, percent, describe });
  known('flag', flag, FLAG_FIELDS);
  key('key', flag.key);
  key('environment', flag.environment);
  if (typeof flag.enabled !== 'boolean') fail('enabled', `must be true or false, got ${describe(flag.enabled)}`);
  text('description', flag.description);
  const toggle = flag.variants === undefined;
  const variantKeys = toggle ? new Set(TOGGLE_VARIANTS) : split('variants', flag.variants);
  if (flag.rollout !== undefined) percent('rollout', flag.rollout);
  if (flag.defaultVariant !== undefined) oneOf('defaultVariant', flag.defaultVariant, variantKeys);
  const segments = flag.segments === undefined ? {} : object('segments', flag.segments, 'an object of name → condition');
  for (const [segment, value] of Object.entries(segments)) {
    key(member('segments', segment), segment);
    condition(member('segments', segment), value);
  }
  if (flag.rules !== undefined && !Array.isArray(flag.rules)) fail('rules', `must be an array, got ${describe(flag.rules)}`);
  for (const [i, item] of ((flag.rules ?? []) as unknown[]).entries()) {
    const at = `rules[${i}]`;
    const rule = object(at, item, 'an object');
    known(at, rule, RULE_FIELDS);
    text(`${at}.id`, rule.id);
    text(`${at}.description`, rule.description);
    if (rule.condition !== undefined) condition(`${at}.condition`, rule.condition);
    if (rule.segment !== undefined) {
      const many = Array.isArray(rule.segment);
      for (const [j, s] of (many ? (rule.segment as unknown[]) : [rule.segment]).entries()) {
        if (typeof s !== 'string' || !Object.hasOwn(segments, s)) {
          fail(`${at}.segment${many ? `[${j}]` : ''}`, `must name a segment defined in "segments", got ${describe(s)}`);
        }
      }
    }
    const ids = rule.userIds;
    if (ids !== undefined) {
      if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string' || id === '')) {
        fail(`${at}.userIds`, 'must be an array of non-empty strings');
      }
      if ((ids as unknown[]).length > MAX_USER_IDS) {
        fail(`${at}.userIds`, `holds ${(ids as unknown[]).length} ids, at most ${MAX_USER_IDS}; use a segment condition for larger groups`);
      }
    }
    if (rule.variant !== undefined) {
      if (rule.rollout !== undefined || rule.weights !== undefined) {
        fail(`${at}.variant`, 'cannot be combined with rollout or weights; a rule serves a fixed variant or its own split');
      }
      oneOf(`${at}.variant`, rule.variant, variantKeys);
    }
    if (rule.rollout !== undefined) percent(`${at}.rollout`, rule.rollout);
    if (rule.prerequisites !== undefined) plan.prerequisites(`${at}.prerequisites`, rule.prerequisites);
    if (rule.weights !== undefined) {
      if (toggle) fail(`${at}.weights`, 'is for flags with variants; a toggle rule uses rollout or variant "on"/"off"');
      split(`${at}.weights`, rule.weights, variantKeys);
    }
  }
  if (flag.prerequisites !== undefined) plan.prerequisites('prerequisites', flag.prerequisites);
  if (flag.layer !== undefined) plan.layer(flag.layer);
  if (flag.schedule !== undefined) plan.schedule(flag.schedule);
  const metadata = Object.entries(flag.metadata === undefined ? {} : object('metadata', flag.metadata, 'an object of name → value'));
  if (metadata.length > MAX_ITEMS) fail('metadata', `holds ${metadata.length} entries, at most ${MAX_ITEMS}`);
  for (const [name, value] of metadata) {
    key(member('metadata', name), name);
    if (!isMetadataValue(value)) {
      fail(
        member('metadata', name),
        `must be a boolean, a finite number or a string of at most ${MAX_METADATA_CHARS} characters, got ${describe(value)}`,
      );
    }
  }
  if (flag.salt !== undefined && !(typeof flag.salt === 'string' && flag.salt.length > 0 && flag.salt.length <= MAX_SALT_CHARS)) {
    fail('salt', `must be a non-empty string of at most ${MAX_SALT_CHARS} characters, got ${describe(flag.salt)}`);
  }
  if (flag.version !== undefined && !(Number.isSafeInteger(flag.version) && (flag.version as number) >= 0)) {
    fail('version', `must be a whole number ≥ 0, got ${describe(flag.version)}`);
  }
  if (flag.updatedAt !== undefined && Number.isNaN(Date.parse(flag.updatedAt as string))) {
    fail('updatedAt', `must be an ISO 8601 date string, got ${describe(flag.updatedAt)}`);
  }
  return input as FlagDefinition;
}
