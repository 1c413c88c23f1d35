import { EliteError, messageOf } from '../internal/errors.js';
import { type Dict, isDict } from './json.js';
import { describe, hundredths, KEY_PATTERN, TOGGLE_VARIANTS, ZONED } from './limits.js';
import type { FlagDefinition } from './types.js';

// The compact check of a flag definition: what the flags client runs, synchronously, on bootstrap
// definitions, so that `createFlags({ bootstrap })` throws INVALID_FLAG at once for a definition it
// cannot evaluate. It checks what evaluation relies on: the type and range of every field evaluation
// reads, and the names one field gives another (variants, segments), with one message template
// (`<field> must be <what>, got <value>`). What only the detailed validator (validate.ts) refuses, such
// as an unknown field, a limit or an operator inside a condition, the client reports through `onError`
// and the log once that validator has loaded (flags/client/cache-reads.ts): it stays out of the flags
// entry, whose budget is for evaluation.

const isArray = Array.isArray;

/**
 * Checks what evaluation relies on in a flag definition and returns it, or throws `EliteError`
 * `INVALID_FLAG` naming the field, e.g.
 * `elite/flags: flag "pricing": variants[1].weight must be 0–100 with at most two decimals, got 120`.
 */
export function checkFlag(input: unknown): FlagDefinition {
  try {
    check(input as Dict);
  } catch (error) {
    if (error instanceof EliteError) throw error;
    throw new EliteError('INVALID_FLAG', `elite/flags: the flag could not be read: ${messageOf(error)}`, { field: 'flag', cause: error });
  }
  return input as FlagDefinition;
}

function check(flag: Dict): void {
  const self = isDict(flag) ? flag.key : undefined;
  const must = (ok: unknown, field: string, what: string, value: unknown): void => {
    if (!ok) {
      const name = typeof self === 'string' ? `flag "${self}": ` : '';
      throw new EliteError('INVALID_FLAG', `elite/flags: ${name}${field} must be ${what}, got ${describe(value)}`, { field });
    }
  };
  const object = (value: unknown, field: string): Dict => {
    must(isDict(value), field, 'an object', value);
    return value as Dict;
  };
  /** Calls `visit` on each item of an optional array (holes included); `required`: a non-empty one. */
  const each = (value: unknown, field: string, visit: (item: unknown, at: string) => void, required?: boolean) => {
    must(
      isArray(value) ? value.length > 0 || !required : value === undefined && !required,
      field,
      required ? 'a non-empty array' : 'an array',
      value,
    );
    const list = (value ?? []) as unknown[];
    for (let i = 0; i < list.length; i++) visit(list[i], `${field}[${i}]`);
  };
  const key = (value: unknown, field: string) =>
    must(typeof value === 'string' && KEY_PATTERN.test(value), field, 'a key (a-z, 0-9, ".", "_", "-")', value);
  const percent = (value: unknown, field: string, required?: boolean) =>
    must(value === undefined ? !required : !Number.isNaN(hundredths(value)), field, '0–100 with at most two decimals', value);
  const oneOf = (value: unknown, names: readonly string[], field: string) =>
    must(value === undefined || names.includes(value as string), field, `one of ${names.slice(0, 20).join(', ')}`, value);
  // Variants (which define the keys) and a rule's weights (which name them) share one shape.
  const split = (value: unknown, field: string, names?: readonly string[]): string[] => {
    const keys: string[] = [];
    let total = 0;
    each(
      value,
      field,
      (item, at) => {
        const arm = object(item, at);
        key(arm.key, `${at}.key`);
        if (names) oneOf(arm.key, names, `${at}.key`);
        percent(arm.weight, `${at}.weight`, true);
        keys.push(arm.key as string);
        total += hundredths(arm.weight);
      },
      true,
    );
    must(total === 10_000, `${field}[*].weight`, 'a split that sums to 100', total / 100);
    return keys;
  };
  const prerequisites = (value: unknown, field: string) =>
    each(value, field, (item, at) => {
      const p = object(item, at);
      key(p.flag, `${at}.flag`);
      if (p.variant !== undefined) key(p.variant, `${at}.variant`);
    });

  object(flag, 'flag');
  key(flag.key, 'key');
  key(flag.environment, 'environment');
  must(typeof flag.enabled === 'boolean', 'enabled', 'true or false', flag.enabled);
  const variants = flag.variants === undefined ? TOGGLE_VARIANTS : split(flag.variants, 'variants');
  percent(flag.rollout, 'rollout');
  oneOf(flag.defaultVariant, variants, 'defaultVariant');
  const segments = object(flag.segments ?? {}, 'segments');
  for (const name of Object.keys(segments)) object(segments[name], `segments.${name}`);
  each(flag.rules, 'rules', (item, at) => {
    const rule = object(item, at);
    if (rule.condition !== undefined) object(rule.condition, `${at}.condition`);
    for (const name of isArray(rule.segment) ? rule.segment : rule.segment === undefined ? [] : [rule.segment]) {
      must(Object.hasOwn(segments, name), `${at}.segment`, 'a name defined in "segments"', name);
    }
    each(rule.userIds, `${at}.userIds`, (id, field) => must(typeof id === 'string', field, 'a string', id));
    oneOf(rule.variant, variants, `${at}.variant`);
    percent(rule.rollout, `${at}.rollout`);
    if (rule.weights !== undefined) split(rule.weights, `${at}.weights`, variants);
    prerequisites(rule.prerequisites, `${at}.prerequisites`);
  });
  prerequisites(flag.prerequisites, 'prerequisites');
  if (flag.layer !== undefined) {
    const layer = object(flag.layer, 'layer');
    key(layer.key, 'layer.key');
    must(hundredths(layer.from) < hundredths(layer.to), 'layer', 'a range from 0–100 to a higher 0–100', layer.from);
  }
  let previous = Number.NEGATIVE_INFINITY;
  each(flag.schedule, 'schedule', (item, at) => {
    const step = object(item, at);
    const time = typeof step.at === 'string' && ZONED.test(step.at) ? Date.parse(step.at) : Number.NaN;
    must(time > previous, `${at}.at`, 'an ISO 8601 date-time with a time zone, after the step before', step.at);
    previous = time;
    must(step.enabled === undefined || typeof step.enabled === 'boolean', `${at}.enabled`, 'true or false', step.enabled);
    percent(step.rollout, `${at}.rollout`);
  });
  must(flag.salt === undefined || typeof flag.salt === 'string', 'salt', 'a string', flag.salt);
  object(flag.metadata ?? {}, 'metadata');
}
