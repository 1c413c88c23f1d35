import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileFlag, evaluateFlag } from '../flags/evaluate.js';
import { EliteError } from '../internal/errors.js';
import { checkFlag } from './check-flag.js';
import { validateFlag } from './validate.js';

const ok = {
  key: 'pricing-test',
  environment: 'production',
  enabled: true,
  variants: [
    { key: 'control', weight: 50, value: 20 },
    { key: 'variant-a', weight: 50, value: 25 },
  ],
};

const full = {
  ...ok,
  description: 'd',
  rollout: 12.34,
  defaultVariant: 'control',
  salt: 's',
  metadata: { owner: 'growth' },
  version: 3,
  updatedAt: '2026-01-01T00:00:00Z',
  segments: { pro: { plan: 'pro' } },
  rules: [
    { id: 'r1', segment: 'pro', variant: 'variant-a', prerequisites: [{ flag: 'checkout', variant: 'on' }] },
    { segment: ['pro'], userIds: ['u1'], rollout: 10, weights: [{ key: 'control', weight: 100 }] },
  ],
  prerequisites: [{ flag: 'checkout' }],
  layer: { key: 'pricing', from: 0, to: 50 },
  schedule: [
    { at: '2026-03-01T09:00:00Z', rollout: 25 },
    { at: '2026-03-02T09:00:00+01:00', enabled: false },
  ],
};

function refusal(input: unknown): EliteError {
  try {
    checkFlag(input);
  } catch (error) {
    expect(error).toBeInstanceOf(EliteError);
    return error as EliteError;
  }
  throw new Error('expected checkFlag to throw');
}

describe('checkFlag (the compact check of bootstrap definitions)', () => {
  it('accepts a toggle and a definition with every field', () => {
    expect(checkFlag({ key: 'dark-mode', environment: 'staging', enabled: false })).toBeTruthy();
    expect(checkFlag(full)).toBe(full);
    expect(validateFlag(full)).toBe(full);
  });

  it('says the issue example as validateFlag does', () => {
    const input = { ...ok, variants: [ok.variants[0], { key: 'variant-a', weight: 120 }] };
    expect(refusal(input).message).toBe(
      'elite/flags: flag "pricing-test": variants[1].weight must be 0–100 with at most two decimals, got 120',
    );
  });

  it.each([
    [null, 'flag', /flag must be an object, got null/],
    [{ ...ok, key: 'Pricing Test' }, 'key', /key must be a key/],
    [{ ...ok, environment: '' }, 'environment', /must be a key/],
    [{ ...ok, enabled: 'yes' }, 'enabled', /must be true or false, got "yes"/],
    [{ ...ok, rollout: 300 }, 'rollout', /rollout must be 0–100/],
    [{ ...ok, rollout: 33.333 }, 'rollout', /two decimals/],
    [{ ...ok, variants: [] }, 'variants', /non-empty array/],
    [{ ...ok, variants: [{ key: 'a', weight: 40 }] }, 'variants[*].weight', /sums to 100, got 40/],
    [{ ...ok, variants: [{ key: 'a' }] }, 'variants[0].weight', /0–100.*got undefined/],
    [{ ...ok, defaultVariant: 'nope' }, 'defaultVariant', /one of control, variant-a, got "nope"/],
    [{ ...ok, rules: {} }, 'rules', /must be an array/],
    [{ ...ok, rules: [{ variant: 'nope' }] }, 'rules[0].variant', /one of control, variant-a/],
    [{ ...ok, rules: [{ weights: [{ key: 'zzz', weight: 100 }] }] }, 'rules[0].weights[0].key', /one of control, variant-a/],
    [{ ...ok, rules: [{ segment: 'missing' }] }, 'rules[0].segment', /a name defined in "segments"/],
    [{ ...ok, rules: [{ userIds: [1] }] }, 'rules[0].userIds[0]', /a string/],
    [{ ...ok, rules: [{ condition: 'plan=pro' }] }, 'rules[0].condition', /an object/],
    [{ ...ok, rules: [{ prerequisites: [{ flag: 'Bad Key' }] }] }, 'rules[0].prerequisites[0].flag', /a key/],
    [{ ...ok, segments: { pro: 'plan=pro' } }, 'segments.pro', /an object/],
    [{ ...ok, layer: { key: 'l', from: 50, to: 50 } }, 'layer', /a range/],
    [{ ...ok, schedule: [{ at: '2026-03-01 09:00', rollout: 5 }] }, 'schedule[0].at', /with a time zone/],
    [{ ...ok, schedule: [{ at: '2026-03-02T00:00:00Z' }, { at: '2026-03-01T00:00:00Z' }] }, 'schedule[1].at', /after the step before/],
    [{ ...ok, schedule: [{ at: '2026-03-02T00:00:00Z', rollout: 101 }] }, 'schedule[0].rollout', /0–100/],
    [{ ...ok, salt: 5 }, 'salt', /a string/],
  ])('refuses %j naming %s, as validateFlag does', (input, field, message) => {
    const error = refusal(input);
    expect(error).toMatchObject({ code: 'INVALID_FLAG', name: 'EliteError', field });
    expect(error.message).toMatch(/^elite\/flags: /);
    expect(error.message).toMatch(message);
    expect(() => validateFlag(input)).toThrow(EliteError);
  });

  it('turns input that cannot be read into INVALID_FLAG', () => {
    const hostile = {
      ...ok,
      get variants(): never {
        throw new Error('boom');
      },
    };
    expect(refusal(hostile)).toMatchObject({ code: 'INVALID_FLAG', field: 'flag', message: expect.stringContaining('boom') });
  });

  // What the compact check lets through, the detailed validator reports later (flags/client/cache-reads.ts).
  it.each([
    [{ ...ok, rollot: 50 }],
    [{ ...ok, rules: [{ condition: { country: { $in: 'FR' } }, variant: 'control' }] }],
    [{ ...ok, metadata: { owner: null } }],
  ])('leaves what evaluation does not rely on to validateFlag: %j', (input) => {
    expect(checkFlag(input)).toBe(input);
    expect(() => validateFlag(input)).toThrow(EliteError);
  });

  const value = fc.oneof(
    fc.constantFrom(undefined, null, true, 'x', '', 0, 50, 100, 101, -1, 12.345, Number.NaN, [], {}, 'control', 'on'),
    fc.constantFrom('2026-03-01T09:00:00Z', '2026-01-01', [{ key: 'control', weight: 100 }], { plan: 'pro' }),
  );
  const arm = fc.record({ key: fc.constantFrom('control', 'variant-a', 'on', 'Bad', 1), weight: fc.oneof(value, fc.constantFrom(50)) });
  const definition = fc.record(
    {
      key: fc.constantFrom('pricing-test', 'Bad Key', 5),
      environment: fc.constantFrom('production', ''),
      enabled: fc.oneof(fc.boolean(), value),
      variants: fc.oneof(value, fc.array(arm, { maxLength: 3 })),
      rollout: value,
      defaultVariant: value,
      segments: fc.oneof(value, fc.constant({ pro: { plan: 'pro' } })),
      rules: fc.oneof(
        value,
        fc.array(fc.record({ variant: value, rollout: value, segment: value, weights: fc.oneof(value, fc.array(arm, { maxLength: 2 })) }), {
          maxLength: 2,
        }),
      ),
      layer: fc.oneof(value, fc.record({ key: fc.constantFrom('l', 'Bad'), from: value, to: value })),
      schedule: fc.oneof(value, fc.array(fc.record({ at: value, rollout: value, enabled: value }), { maxLength: 2 })),
      salt: value,
    },
    { requiredKeys: ['key', 'environment', 'enabled'] },
  );

  it('refuses only what validateFlag refuses; what it accepts compiles and evaluates', () => {
    fc.assert(
      fc.property(definition, (input) => {
        let detailed = true;
        try {
          validateFlag(input);
        } catch {
          detailed = false;
        }
        let compact = true;
        try {
          checkFlag(input);
        } catch (error) {
          expect(error).toBeInstanceOf(EliteError);
          compact = false;
        }
        if (detailed) expect(compact).toBe(true);
        if (compact) expect(() => evaluateFlag(compileFlag(input as never), 'u1')).not.toThrow();
      }),
      { numRuns: 3_000 },
    );
  });
});
