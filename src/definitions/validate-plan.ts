import type { Dict } from './json.js';
import { MAX_ITEMS, ZONED } from './limits.js';

// Write-time checks of what ties a flag to others or to time: prerequisites, a layer range and a
// schedule. validate.ts runs them with its own field helpers; what needs the other flags of the
// environment (cycles, overlapping ranges) is flag-set.ts.

/** The field helpers of validate.ts: each throws `INVALID_FLAG` naming the field. */
export interface FieldChecks {
  fail(field: string, message: string): never;
  object(field: string, value: unknown, what: string): Dict;
  known(field: string, value: Dict, fields: readonly string[]): void;
  key(field: string, value: unknown): string;
  /** Percent with at most two decimals, in hundredths. */
  percent(field: string, value: unknown): number;
  describe(value: unknown): string;
}

/** The checks of `prerequisites`, `layer` and `schedule` for the flag `self`. */
export function planChecks(self: unknown, c: FieldChecks) {
  const list = (field: string, value: unknown): unknown[] => {
    if (!Array.isArray(value) || value.length === 0) c.fail(field, `must be a non-empty array, got ${c.describe(value)}`);
    const items = value as unknown[];
    return items.length > MAX_ITEMS ? c.fail(field, `holds ${items.length} entries, at most ${MAX_ITEMS}`) : items;
  };
  return {
    prerequisites(field: string, value: unknown): void {
      for (const [i, item] of list(field, value).entries()) {
        const at = `${field}[${i}]`;
        const p = c.object(at, item, 'an object');
        c.known(at, p, ['flag', 'variant']);
        if (c.key(`${at}.flag`, p.flag) === self) {
          c.fail(`${at}.flag`, `forms a cycle ${self} → ${self}; remove it`);
        }
        if (p.variant !== undefined) c.key(`${at}.variant`, p.variant);
      }
    },
    layer(value: unknown): void {
      const layer = c.object('layer', value, 'an object');
      c.known('layer', layer, ['key', 'from', 'to']);
      c.key('layer.key', layer.key);
      if (c.percent('layer.from', layer.from) >= c.percent('layer.to', layer.to)) {
        c.fail('layer', 'is an empty range; from must be below to');
      }
    },
    schedule(value: unknown): void {
      let previous = Number.NEGATIVE_INFINITY;
      for (const [i, item] of list('schedule', value).entries()) {
        const at = `schedule[${i}]`;
        const step = c.object(at, item, 'an object');
        c.known(at, step, ['at', 'enabled', 'rollout']);
        const time = typeof step.at === 'string' && ZONED.test(step.at) ? Date.parse(step.at) : Number.NaN;
        if (Number.isNaN(time)) {
          c.fail(`${at}.at`, `must be an ISO 8601 date-time with a time zone (2026-03-01T09:00:00Z), got ${c.describe(step.at)}`);
        }
        if (time <= previous) c.fail(`${at}.at`, 'must be later than the step before it');
        previous = time;
        if (step.enabled === undefined && step.rollout === undefined) c.fail(at, 'changes nothing; give it enabled or rollout');
        if (step.enabled !== undefined && typeof step.enabled !== 'boolean') {
          c.fail(`${at}.enabled`, `must be true or false, got ${c.describe(step.enabled)}`);
        }
        if (step.rollout !== undefined) c.percent(`${at}.rollout`, step.rollout);
      }
    },
  };
}
