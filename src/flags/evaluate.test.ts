import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileFlag, evaluateFlag } from './evaluate.js';
import type { FlagDefinition } from './types.js';

const base = { environment: 'production', enabled: true } as const;
const experiment: FlagDefinition = {
  ...base,
  key: 'pricing-test',
  variants: [
    { key: 'control', weight: 34 },
    { key: 'variant-a', weight: 33, value: { price: 25 } },
    { key: 'variant-b', weight: 33, value: 'b' },
  ],
};
const users = (n: number) => Array.from({ length: n }, (_, i) => `user-${i}`);

function shares(flag: FlagDefinition, n: number) {
  const compiled = compileFlag(flag);
  const counts = new Map<string, number>();
  for (const user of users(n)) {
    const e = evaluateFlag(compiled, user);
    const k = `${e.reason}:${e.variant}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return counts;
}

describe('evaluateFlag', () => {
  it('serves a toggle at 100% as STATIC true', () => {
    const e = evaluateFlag(compileFlag({ ...base, key: 'dark-mode' }), 'ann');
    expect(e).toEqual({ value: true, variant: 'on', reason: 'STATIC' });
  });

  it('serves a disabled toggle as off even with defaultVariant on (kill switch)', () => {
    const e = evaluateFlag(compileFlag({ ...base, key: 'dark-mode', enabled: false, defaultVariant: 'on' }), 'ann');
    expect(e).toEqual({ value: false, variant: 'off', reason: 'DISABLED' });
  });

  it('serves a disabled experiment its default variant', () => {
    const e = evaluateFlag(compileFlag({ ...experiment, enabled: false, defaultVariant: 'variant-a' }), 'ann');
    expect(e).toEqual({ value: { price: 25 }, variant: 'variant-a', reason: 'DISABLED' });
  });

  it('splits a 50% rollout toggle into SPLIT true / DEFAULT false within 3σ', () => {
    const n = 100_000;
    const counts = shares({ ...base, key: 'new-checkout', rollout: 50 }, n);
    const on = counts.get('SPLIT:on') ?? 0;
    expect(on + (counts.get('DEFAULT:off') ?? 0)).toBe(n);
    expect(Math.abs(on - n / 2)).toBeLessThan(3 * Math.sqrt(n * 0.25));
  });

  it.each([[[34, 33, 33]], [[50, 50]], [[10, 20, 30, 40]], [[0.01, 49.99, 50]]])(
    'gives each variant its weight within 3σ at 100k users: %j',
    (weights) => {
      const n = 100_000;
      const flag: FlagDefinition = {
        ...base,
        key: `split-${weights.length}`,
        variants: weights.map((weight, i) => ({ key: `v${i}`, weight })),
      };
      const counts = shares(flag, n);
      weights.forEach((w, i) => {
        const p = w / 100;
        const got = counts.get(`SPLIT:v${i}`) ?? 0;
        expect(Math.abs(got - n * p)).toBeLessThanOrEqual(Math.max(3 * Math.sqrt(n * p * (1 - p)), 3));
      });
    },
  );

  it('excluded users get the default variant with reason DEFAULT, and the split keeps its weights', () => {
    const n = 50_000;
    const counts = shares({ ...experiment, rollout: 20, defaultVariant: 'control' }, n);
    const included = (counts.get('SPLIT:control') ?? 0) + (counts.get('SPLIT:variant-a') ?? 0) + (counts.get('SPLIT:variant-b') ?? 0);
    expect(Math.abs(included - n * 0.2)).toBeLessThan(3 * Math.sqrt(n * 0.2 * 0.8));
    expect(counts.get('DEFAULT:control')).toBe(n - included);
    const a = counts.get('SPLIT:variant-a') ?? 0;
    expect(Math.abs(a - included * 0.33)).toBeLessThan(3 * Math.sqrt(included * 0.33 * 0.67));
  });

  it('raising a rollout never drops an included user and never changes their variant', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.array(fc.string({ minLength: 1, maxLength: 40 }), { minLength: 1, maxLength: 50 }),
        (a, b, ids) => {
          const [low, high] = a <= b ? [a / 100, b / 100] : [b / 100, a / 100];
          const lowFlag = compileFlag({ ...experiment, rollout: low });
          const highFlag = compileFlag({ ...experiment, rollout: high });
          for (const id of ids) {
            const before = evaluateFlag(lowFlag, id);
            if (before.reason === 'SPLIT') expect(evaluateFlag(highFlag, id)).toEqual(before);
          }
        },
      ),
    );
  });

  it('a rule with userIds serves its fixed variant (TARGETING_MATCH)', () => {
    const flag = compileFlag({ ...experiment, rules: [{ userIds: ['vip-1', 'vip-2'], variant: 'variant-b' }] });
    expect(evaluateFlag(flag, 'vip-2')).toEqual({ value: 'b', variant: 'variant-b', reason: 'TARGETING_MATCH' });
    expect(evaluateFlag(flag, 'someone').reason).toBe('SPLIT');
  });

  it('requires every criterion of a rule: condition AND segment AND userIds; first matching rule wins', () => {
    const flag = compileFlag({
      ...experiment,
      segments: { pro: { plan: 'pro' }, eu: { country: { $in: ['FR', 'DE'] } } },
      rules: [
        { segment: ['pro', 'eu'], condition: { beta: true }, variant: 'variant-a' },
        { segment: 'pro', variant: 'variant-b' },
        { condition: { plan: 'pro' }, variant: 'control' },
      ],
    });
    const ctx = (attrs: Record<string, unknown>) => ({ targetingKey: 'u1', ...attrs });
    expect(evaluateFlag(flag, ctx({ plan: 'pro', country: 'FR', beta: true })).variant).toBe('variant-a');
    expect(evaluateFlag(flag, ctx({ plan: 'pro', country: 'FR' })).variant).toBe('variant-b');
    expect(evaluateFlag(flag, ctx({ plan: 'pro', country: 'US', beta: true })).variant).toBe('variant-b');
    expect(evaluateFlag(flag, ctx({ plan: 'free' })).reason).toBe('SPLIT');
  });

  it('a rule with its own rollout and weights serves part of its users; the rest fall through', () => {
    const flag = compileFlag({
      ...experiment,
      rollout: 0,
      rules: [{ condition: { plan: 'pro' }, rollout: 30, weights: [{ key: 'variant-a', weight: 100 }] }],
    });
    let served = 0;
    const n = 20_000;
    for (const id of users(n)) {
      const e = evaluateFlag(flag, { targetingKey: id, plan: 'pro' });
      if (e.reason === 'TARGETING_MATCH') {
        served++;
        expect(e.variant).toBe('variant-a');
      } else {
        expect(e).toMatchObject({ reason: 'DEFAULT', variant: 'control' });
      }
    }
    expect(Math.abs(served - n * 0.3)).toBeLessThan(3 * Math.sqrt(n * 0.3 * 0.7));
  });

  it('a toggle rule can turn the flag on for a segment at 0% rollout', () => {
    const flag = compileFlag({ ...base, key: 'beta-ui', rollout: 0, rules: [{ condition: { staff: true }, variant: 'on' }] });
    expect(evaluateFlag(flag, { targetingKey: 'x', staff: true })).toEqual({ value: true, variant: 'on', reason: 'TARGETING_MATCH' });
    expect(evaluateFlag(flag, { targetingKey: 'x' })).toEqual({ value: false, variant: 'off', reason: 'DEFAULT' });
  });

  it('conditions see a string user as { targetingKey }', () => {
    const flag = compileFlag({
      ...base,
      key: 'x',
      rollout: 0,
      rules: [{ condition: { targetingKey: { $regex: '^admin-' } }, variant: 'on' }],
    });
    expect(evaluateFlag(flag, 'admin-1').value).toBe(true);
    expect(evaluateFlag(flag, 'user-1').value).toBe(false);
  });

  it('reports TARGETING_KEY_MISSING when a split needs an id and none is given', () => {
    const flag = compileFlag(experiment);
    for (const user of ['', {}, { targetingKey: '' }, { targetingKey: 42 as unknown as string }]) {
      expect(evaluateFlag(flag, user)).toMatchObject({ reason: 'ERROR', errorCode: 'TARGETING_KEY_MISSING', variant: 'control' });
    }
    const splitRule = compileFlag({ ...experiment, rules: [{ condition: { plan: 'pro' }, rollout: 50 }] });
    expect(evaluateFlag(splitRule, { plan: 'pro' })).toMatchObject({ errorCode: 'TARGETING_KEY_MISSING' });
    // A static flag needs no id.
    expect(evaluateFlag(compileFlag({ ...base, key: 'on' }), {}).reason).toBe('STATIC');
  });

  it('a single positive weight at full rollout is STATIC; rollout 0 is DEFAULT for everyone', () => {
    const one = compileFlag({
      ...experiment,
      variants: [
        { key: 'a', weight: 0 },
        { key: 'b', weight: 100 },
      ],
    });
    expect(evaluateFlag(one, 'ann')).toMatchObject({ reason: 'STATIC', variant: 'b' });
    const none = compileFlag({ ...experiment, rollout: 0 });
    expect(evaluateFlag(none, 'ann')).toMatchObject({ reason: 'DEFAULT', variant: 'control' });
  });

  it('a different salt reshuffles users; the same salt on another key keeps them', () => {
    const a = compileFlag({ ...experiment, salt: 'pricing-2026' });
    const b = compileFlag({ ...experiment, key: 'pricing-copy', salt: 'pricing-2026' });
    const c = compileFlag(experiment);
    let moved = 0;
    for (const id of users(1000)) {
      expect(evaluateFlag(b, id)).toEqual(evaluateFlag(a, id));
      if (evaluateFlag(c, id).variant !== evaluateFlag(a, id).variant) moved++;
    }
    expect(moved).toBeGreaterThan(500);
  });

  it('never throws on arbitrary users', () => {
    const flag = compileFlag({ ...experiment, rules: [{ condition: { 'a.b': { $gt: 3 } }, variant: 'variant-a' }] });
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.dictionary(fc.string(), fc.jsonValue())), (user) => {
        const e = evaluateFlag(flag, user as never);
        expect(['SPLIT', 'TARGETING_MATCH', 'ERROR']).toContain(e.reason);
      }),
    );
  });
});
