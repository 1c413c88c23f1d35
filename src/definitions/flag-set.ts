import { EliteError } from '../internal/errors.js';
import type { FlagDefinition } from './types.js';
import { TOGGLE_VARIANTS } from './validate.js';

// What a definition cannot get right alone, checked by the stores when they write: prerequisites
// that form a cycle or ask for a variant the other flag does not have, and experiments of one
// layer whose ranges overlap. Each definition has passed validateFlag already.

const fail = (flag: FlagDefinition, field: string, message: string): never => {
  throw new EliteError('INVALID_FLAG', `elite/flags: flag "${flag.key}": ${field} ${message}`, { field });
};

/** A flag's prerequisites with the field path of each: the flag's own, then its rules'. */
function requirements(flag: FlagDefinition): [field: string, key: string, variant: string | undefined][] {
  const all = (flag.prerequisites ?? []).map((p, i) => [`prerequisites[${i}]`, p.flag, p.variant] as [string, string, string | undefined]);
  for (const [r, rule] of (flag.rules ?? []).entries()) {
    for (const [i, p] of (rule.prerequisites ?? []).entries()) all.push([`rules[${r}].prerequisites[${i}]`, p.flag, p.variant]);
  }
  return all;
}

/**
 * Checks flags about to be written against each other and against the flags the store holds
 * (`stored`, any environments; a written flag replaces the stored one of its key and
 * environment). Throws `EliteError` `INVALID_FLAG` when, in one environment:
 * - prerequisites form a cycle (the message names it: `a → b → a`);
 * - a flag written names, as a prerequisite, a variant the other flag does not have (a variant
 *   removed later makes that prerequisite fail, `PREREQUISITE_FAILED`);
 * - two flags of one layer have overlapping ranges.
 * A prerequisite on a flag that does not exist is allowed (it may be written next); evaluation
 * answers `ERROR` `FLAG_NOT_FOUND` until it exists (docs/flags.md#prerequisites).
 */
export function checkFlagSet(written: readonly FlagDefinition[], stored: readonly FlagDefinition[]): void {
  const id = (f: FlagDefinition) => `${f.environment}\u0000${f.key}`;
  const byId = new Map<string, FlagDefinition>();
  for (const f of stored) byId.set(id(f), f);
  const fresh = new Set<FlagDefinition>();
  for (const f of written) {
    byId.set(id(f), f);
    fresh.add(f);
  }
  const get = (environment: string, key: string) => byId.get(`${environment}\u0000${key}`);
  for (const flag of byId.values()) {
    for (const [field, key, variant] of requirements(flag)) {
      const target = get(flag.environment, key);
      if (variant === undefined || target === undefined || !fresh.has(flag)) continue;
      const variants = target.variants?.map((v) => v.key) ?? TOGGLE_VARIANTS;
      if (!variants.includes(variant)) {
        fail(flag, `${field}.variant`, `must be a variant of flag "${key}" (${variants.slice(0, 20).join(', ')}), got "${variant}"`);
      }
    }
  }
  // Cycles: a depth-first walk from every written flag; a flag met again on the current path closes one.
  const done = new Set<FlagDefinition>();
  const walk = (flag: FlagDefinition, path: FlagDefinition[], fields: string[]): void => {
    const at = path.indexOf(flag);
    if (at >= 0) {
      const cycle = [...path.slice(at), flag].map((f) => f.key).join(' → ');
      const owner = path[at] as FlagDefinition;
      fail(owner, fields[at] as string, `closes a cycle of prerequisites: ${cycle}; remove one of these prerequisites`);
    }
    if (done.has(flag)) return;
    for (const [field, key] of requirements(flag)) {
      const next = get(flag.environment, key);
      if (next !== undefined) walk(next, [...path, flag], [...fields, `${field}.flag`]);
    }
    done.add(flag);
  };
  for (const flag of fresh) walk(flag, [], []);
  const layers = new Map<string, FlagDefinition[]>();
  for (const flag of byId.values()) {
    if (flag.layer === undefined) continue;
    const name = `${flag.environment}\u0000${flag.layer.key}`;
    const others = layers.get(name) ?? [];
    for (const other of others) {
      const [a, b] = [flag.layer, other.layer as NonNullable<FlagDefinition['layer']>];
      if ((fresh.has(flag) || fresh.has(other)) && a.from < b.to && b.from < a.to) {
        const mine = fresh.has(flag) ? flag : other;
        const theirs = mine === flag ? other : flag;
        const range = (f: FlagDefinition) => `${f.layer?.from}–${f.layer?.to} %`;
        fail(
          mine,
          'layer',
          `range ${range(mine)} of layer "${a.key}" overlaps flag "${theirs.key}" (${range(theirs)}); experiments of a layer take ranges that do not overlap, so pick a free range`,
        );
      }
    }
    layers.set(name, [...others, flag]);
  }
}

/**
 * True when a batch has a prerequisite or a layer: only then can it break a rule of the set (a
 * cycle, overlapping layer ranges), and only then must a write read the store's other flags.
 */
export function needsSetCheck(written: readonly FlagDefinition[]): boolean {
  return written.some((f) => f.prerequisites !== undefined || f.layer !== undefined || f.rules?.some((r) => r.prerequisites) === true);
}

/**
 * {@link checkFlagSet} for flags about to be written to a store, reading the store's flags of
 * each environment the batch touches with `listFlags`; nothing is read when no flag of the batch
 * has prerequisites or a layer (it can then break none of these rules), so plain writes cost no
 * extra request.
 */
export async function checkWrite(
  written: readonly FlagDefinition[],
  listFlags: (environment: string) => Promise<readonly FlagDefinition[]>,
): Promise<void> {
  if (!needsSetCheck(written)) return;
  const stored: FlagDefinition[] = [];
  for (const environment of new Set(written.map((f) => f.environment))) stored.push(...(await listFlags(environment)));
  checkFlagSet(written, stored);
}
