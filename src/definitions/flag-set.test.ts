import { describe, expect, it } from 'vitest';
import { EliteError } from '../internal/errors.js';
import { checkFlagSet } from './flag-set.js';
import type { FlagDefinition, Prerequisite } from './types.js';

const flag = (key: string, ...requires: string[]): FlagDefinition => ({
  key,
  environment: 'production',
  enabled: true,
  ...(requires.length > 0 ? { prerequisites: requires.map((k): Prerequisite => ({ flag: k })) } : {}),
});
const thrown = (fn: () => void): EliteError => {
  try {
    fn();
  } catch (error) {
    return error as EliteError;
  }
  throw new Error('did not throw');
};

describe('checkFlagSet', () => {
  it('refuses a cycle made by the flag written and the stored ones, naming the whole cycle', () => {
    const error = thrown(() => checkFlagSet([flag('c', 'a')], [flag('a', 'b'), flag('b', 'c')]));
    expect(error).toBeInstanceOf(EliteError);
    expect(error).toMatchObject({ code: 'INVALID_FLAG', field: 'prerequisites[0].flag' });
    expect(error.message).toBe(
      'elite/flags: flag "c": prerequisites[0].flag closes a cycle of prerequisites: c → a → b → c; remove one of these prerequisites',
    );
  });

  it('refuses a cycle within one batch, and through a rule', () => {
    const a: FlagDefinition = { ...flag('a'), rules: [{ prerequisites: [{ flag: 'b', variant: 'on' }], variant: 'on' }] };
    const error = thrown(() => checkFlagSet([a, flag('b', 'a')], []));
    expect(error.message).toMatch(/a → b → a|b → a → b/);
    expect(error.message).toContain('rules[0].prerequisites[0].flag');
  });

  it('accepts chains, diamonds, missing prerequisites and the same keys in other environments', () => {
    expect(() => checkFlagSet([flag('a', 'b', 'c'), flag('b', 'd'), flag('c', 'd'), flag('d', 'gone')], [])).not.toThrow();
    expect(() => checkFlagSet([flag('a', 'b')], [{ ...flag('b', 'a'), environment: 'staging' }])).not.toThrow();
    // A write that replaces the stored flag removes its old edge: no cycle left.
    expect(() => checkFlagSet([flag('b')], [flag('a', 'b'), flag('b', 'a')])).not.toThrow();
  });

  it('refuses a prerequisite variant the other flag does not have, when the requiring flag is written', () => {
    const pricing: FlagDefinition = { ...flag('pricing'), variants: [{ key: 'control', weight: 100 }] };
    const wants: FlagDefinition = { ...flag('banner'), prerequisites: [{ flag: 'pricing', variant: 'variant-a' }] };
    expect(() => checkFlagSet([wants], [pricing])).toThrow(
      'flag "banner": prerequisites[0].variant must be a variant of flag "pricing" (control), got "variant-a"',
    );
    expect(() => checkFlagSet([wants, pricing], [])).toThrow('must be a variant of flag "pricing"');
    // Writing the other flag alone is not refused: the prerequisite then fails for every user.
    expect(() => checkFlagSet([pricing], [wants])).not.toThrow();
    expect(() => checkFlagSet([{ ...wants, prerequisites: [{ flag: 'toggle', variant: 'on' }] }], [flag('toggle')])).not.toThrow();
  });
});
