import { describe, expect, it } from 'vitest';
import { EliteError } from '../internal/errors.js';
import { MAX_VARIANTS, validateFlag } from './validate.js';

const ok = {
  key: 'pricing-test',
  environment: 'production',
  enabled: true,
  variants: [
    { key: 'control', weight: 50 },
    { key: 'variant-a', weight: 50 },
  ],
};

function problem(patch: Record<string, unknown>): EliteError {
  try {
    validateFlag({ ...ok, ...patch });
  } catch (error) {
    expect(error).toBeInstanceOf(EliteError);
    return error as EliteError;
  }
  throw new Error('expected validateFlag to throw');
}

describe('validateFlag', () => {
  it('refuses saved groups, which a stored flag cannot define, wherever they appear', () => {
    const inRule = problem({
      rules: [{ condition: { $or: [{ plan: 'pro' }, { id: { $inGroup: 'beta-testers' } }] }, variant: 'control' }],
    });
    expect(inRule).toMatchObject({ code: 'INVALID_FLAG', field: 'rules[0].condition.$or[1].id.$inGroup' });
    expect(inRule.message).toMatch(/saved group.*userIds or a segment/);
    const inSegment = problem({ segments: { staff: { id: { $notInGroup: 'contractors' } } } });
    expect(inSegment).toMatchObject({ code: 'INVALID_FLAG', field: 'segments.staff.id.$notInGroup' });
    // A string that merely reads like the operator is a value, not a group reference.
    expect(validateFlag({ ...ok, rules: [{ condition: { tag: { $in: ['$inGroup'] } }, variant: 'control' }] })).toBeTruthy();
  });

  it('accepts a toggle and an experiment with every optional field', () => {
    expect(validateFlag({ key: 'dark-mode', environment: 'staging', enabled: false })).toBeTruthy();
    expect(
      validateFlag({
        ...ok,
        description: 'd',
        rollout: 12.34,
        defaultVariant: 'control',
        salt: 's',
        metadata: { owner: 'growth', ticket: 42, temporary: true, note: 'x'.repeat(256) },
        version: 3,
        updatedAt: '2026-01-01T00:00:00Z',
        segments: { pro: { plan: 'pro' } },
        rules: [
          { id: 'r1', description: 'pros', segment: 'pro', variant: 'variant-a' },
          { segment: ['pro'], userIds: ['u1'], rollout: 10, weights: [{ key: 'control', weight: 100 }] },
        ],
      }),
    ).toBeTruthy();
  });

  it.each([
    [
      {
        variants: [
          { key: 'control', weight: 50 },
          { key: 'variant-a', weight: 120 },
        ],
      },
      'variants[1].weight',
      /must be 0–100 with at most two decimals, got 120/,
    ],
    [
      {
        variants: [
          { key: 'control', weight: 40 },
          { key: 'variant-a', weight: 50 },
        ],
      },
      'variants',
      /weights must sum to 100, got 90/,
    ],
    [
      {
        variants: [
          { key: 'control', weight: 50.005 },
          { key: 'b', weight: 49.995 },
        ],
      },
      'variants[0].weight',
      /two decimals/,
    ],
    [
      {
        variants: [
          { key: 'a', weight: 50 },
          { key: 'a', weight: 50 },
        ],
      },
      'variants[1].key',
      /repeats "a"/,
    ],
    [{ variants: [] }, 'variants', /non-empty array/],
    [{ variants: [{ key: 'a', weight: 100, value: () => 1 }] }, 'variants[0].value', /plain JSON/],
    [{ variants: [{ key: 'a', weight: 100, extra: 1 }] }, 'variants[0].extra', /not a known field/],
    [{ key: 'Pricing Test' }, 'key', /must match/],
    [{ key: 'x'.repeat(129) }, 'key', /must match/],
    [{ environment: '' }, 'environment', /must match/],
    [{ enabled: 'yes' }, 'enabled', /true or false/],
    [{ description: 3 }, 'description', /string/],
    [{ rollout: 100.5 }, 'rollout', /0–100/],
    [{ rollout: Number.NaN }, 'rollout', /0–100/],
    [{ rollout: 33.333 }, 'rollout', /two decimals/],
    [{ defaultVariant: 'nope' }, 'defaultVariant', /must name a variant \(control, variant-a\)/],
    [{ rules: {} }, 'rules', /array/],
    [{ rules: [{ variant: 'nope' }] }, 'rules[0].variant', /must name a variant/],
    [{ rules: [{ variant: 'control', rollout: 5 }] }, 'rules[0].variant', /cannot be combined/],
    [{ rules: [{ rollout: 101 }] }, 'rules[0].rollout', /0–100/],
    [{ rules: [{ weights: [{ key: 'control', weight: 60 }] }] }, 'rules[0].weights', /sum to 100, got 60/],
    [{ rules: [{ weights: [{ key: 'zzz', weight: 100 }] }] }, 'rules[0].weights[0].key', /must name a variant/],
    [{ rules: [{ segment: 'missing' }] }, 'rules[0].segment', /must name a segment/],
    [{ rules: [{ userIds: [1] }] }, 'rules[0].userIds', /non-empty strings/],
    [{ rules: [{ userIds: Array.from({ length: 10_001 }, (_, i) => `u${i}`) }] }, 'rules[0].userIds', /at most 10000/],
    [{ rules: [{ when: {} }] }, 'rules[0].when', /not a known field/],
    [{ rules: [{ id: 1 }] }, 'rules[0].id', /string/],
    [{ rules: [{ condition: 'plan=pro' }] }, 'rules[0].condition', /must be an object/],
    [{ segments: [] }, 'segments', /object of name → condition/],
    [{ segments: { 'Bad Name': {} } }, 'segments.Bad Name', /must match/],
    [{ salt: '' }, 'salt', /non-empty string/],
    [{ metadata: [] }, 'metadata', /object of name → value/],
    [{ metadata: { Owner: 'x' } }, 'metadata.Owner', /must match/],
    [{ metadata: { owner: null } }, 'metadata.owner', /a boolean, a finite number or a string of at most 256 characters, got null/],
    [{ metadata: { owner: { team: 'growth' } } }, 'metadata.owner', /got an object/],
    [{ metadata: { note: 'x'.repeat(257) } }, 'metadata.note', /at most 256/],
    [{ metadata: { ratio: Number.POSITIVE_INFINITY } }, 'metadata.ratio', /finite number/],
    [{ metadata: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, i])) }, 'metadata', /33 entries, at most 32/],
    [{ version: -1 }, 'version', /whole number/],
    [{ updatedAt: 'yesterday' }, 'updatedAt', /ISO 8601/],
    [{ rollot: 50 }, 'rollot', /not a known field; use one of key, environment/],
  ])('rejects %j naming %s', (patch, field, message) => {
    const error = problem(patch);
    expect(error.code).toBe('INVALID_FLAG');
    expect(error.name).toBe('EliteError');
    expect(error.field).toBe(field);
    expect(error.message).toMatch(/^elite\/flags: /);
    expect(error.message).toMatch(message);
  });

  it('says the issue example as written in the spec', () => {
    const error = problem({
      variants: [
        { key: 'control', weight: 50 },
        { key: 'variant-a', weight: 120 },
      ],
    });
    expect(error.message).toBe('elite/flags: flag "pricing-test": variants[1].weight must be 0–100 with at most two decimals, got 120');
  });

  it('rejects non-objects and toggle rules with weights', () => {
    expect(() => validateFlag(null)).toThrow(/flag must be an object, got null/);
    expect(() => validateFlag([])).toThrow(/an array/);
    expect(() => validateFlag({ key: 't', environment: 'p', enabled: true, rules: [{ weights: [{ key: 'on', weight: 100 }] }] })).toThrow(
      /toggle rule uses rollout/,
    );
  });
});

describe('validation edges', () => {
  const base = { key: 'a', environment: 'production', enabled: true };
  const fieldOf = (input: unknown): unknown => {
    try {
      validateFlag(input);
    } catch (error) {
      return (error as EliteError).field;
    }
    return undefined;
  };

  it('an empty property name still names a field', () => {
    expect(fieldOf({ ...base, '': 1 })).toBe('flag[""]');
    expect(fieldOf({ ...base, segments: { '': { plan: 'pro' } } })).toBe('segments[""]');
    expect(fieldOf({ ...base, rules: [{ '': 1 }] })).toBe('rules[0][""]');
    expect(fieldOf({ ...base, key: '' })).toBe('key');
  });

  it(`validates many variants in linear time, and refuses more than ${MAX_VARIANTS}`, () => {
    const variants = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `v${i}`, weight: i === 0 ? 100 : 0 }));
    const started = performance.now();
    expect(() => validateFlag({ ...base, variants: variants(MAX_VARIANTS) })).not.toThrow();
    expect(fieldOf({ ...base, variants: variants(80_000) })).toBe('variants');
    expect(performance.now() - started).toBeLessThan(500);
    const rules = [{ weights: variants(MAX_VARIANTS) }];
    expect(() => validateFlag({ ...base, variants: variants(MAX_VARIANTS), rules })).not.toThrow();
  });
});
