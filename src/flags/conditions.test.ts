import { readFileSync } from 'node:fs';
import { evalCondition as growthbookEvalCondition } from '@growthbook/growthbook';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { validateCondition } from '../definitions/validate.js';
import { evalCondition, type SavedGroups } from './conditions.js';
import type { Condition } from './types.js';

type Case = [name: string, condition: Condition, attributes: Record<string, unknown>, expected: boolean, savedGroups?: SavedGroups];
const cases = (
  JSON.parse(readFileSync(new URL('../../test/fixtures/growthbook/cases.json', import.meta.url), 'utf8')) as { evalCondition: Case[] }
).evalCondition;

const OPERATORS = [
  '$eq',
  '$ne',
  '$lt',
  '$lte',
  '$gt',
  '$gte',
  '$in',
  '$nin',
  '$ini',
  '$nini',
  '$all',
  '$alli',
  '$elemMatch',
  '$size',
  '$exists',
  '$type',
  '$regex',
  '$regexi',
  '$not',
  '$veq',
  '$vne',
  '$vgt',
  '$vgte',
  '$vlt',
  '$vlte',
  '$inGroup',
  '$notInGroup',
  '$and',
  '$or',
  '$nor',
];

describe('evalCondition: GrowthBook cases.json', () => {
  it('has every evalCondition case of the fixture', () => {
    expect(cases).toHaveLength(248);
  });

  it.each(cases)('%s', (_name, condition, attributes, expected, savedGroups) => {
    expect(evalCondition(attributes, condition, savedGroups)).toBe(expected);
  });
});

describe('evalCondition: prototype keys are inert', () => {
  it.each([
    ['constructor', { constructor: { $exists: true } }],
    ['__proto__ (own key from JSON)', JSON.parse('{"__proto__": {"$exists": true}}') as Condition],
    ['prototype', { prototype: { $exists: true } }],
    ['toString', { toString: { $type: 'function' } }],
    ['constructor.name', { 'constructor.name': 'Object' }],
    ['a.constructor', { 'a.constructor': { $exists: true } }],
    ['a.__proto__', { 'a.__proto__': { $type: 'object' } }],
    ['a.__proto__.hasOwnProperty', { 'a.__proto__.hasOwnProperty': { $exists: true } }],
    ['tags.constructor', { 'tags.constructor': { $exists: true } }],
  ])('does not see inherited %s', (_key, condition) => {
    expect(evalCondition({ a: {}, tags: [] }, condition)).toBe(false);
  });

  it('reads inherited names as missing, i.e. null', () => {
    expect(evalCondition({}, { constructor: { $type: 'null' } })).toBe(true);
    expect(evalCondition({}, { constructor: null })).toBe(true);
  });

  it('treats an own __proto__ key in attributes as plain data', () => {
    const attributes = JSON.parse('{"__proto__": {"plan": "pro"}}') as Record<string, unknown>;
    expect(evalCondition(attributes, { '__proto__.plan': 'pro' })).toBe(true);
    expect(evalCondition(attributes, { '__proto__.plan': 'free' })).toBe(false);
  });

  it('ignores inherited attributes and inherited condition keys', () => {
    expect(evalCondition(Object.create({ plan: 'pro' }) as Record<string, unknown>, { plan: 'pro' })).toBe(false);
    // An inherited condition key is no condition at all: only own keys constrain.
    expect(evalCondition({ plan: 'free' }, Object.create({ plan: 'pro' }) as Condition)).toBe(true);
  });

  it('compares literal objects by own keys only', () => {
    expect(evalCondition({ a: {} }, { a: { constructor: Object } })).toBe(false);
    expect(evalCondition({ a: { constructor: 1 } }, { a: { constructor: 1 } })).toBe(true);
  });

  it('does not take saved groups from Object.prototype', () => {
    const groups: SavedGroups = {};
    expect(evalCondition({ id: Object }, { id: { $inGroup: 'constructor' } }, groups)).toBe(false);
    expect(evalCondition({ id: 1 }, { id: { $inGroup: '__proto__' } }, groups)).toBe(false);
    expect(evalCondition({ id: 1 }, { id: { $notInGroup: 'toString' } }, groups)).toBe(true);
  });

  it('never writes to Object.prototype', () => {
    const condition = JSON.parse('{"__proto__": {"polluted": 1}, "$or": [{"__proto__.polluted": 1}]}') as Condition;
    evalCondition(JSON.parse('{"__proto__": {"polluted": 1}}') as Record<string, unknown>, condition);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('evalCondition: regular expressions', () => {
  it.each(['[', '(?<', '/???***[)', '\\', 'a{2,1}'])('treats invalid pattern %j as no match', (pattern) => {
    expect(evalCondition({ name: 'hello' }, { name: { $regex: pattern } })).toBe(false);
    expect(evalCondition({ name: 'hello' }, { name: { $regexi: pattern } })).toBe(false);
    // Repeated use hits the cached failure and stays false.
    expect(evalCondition({ name: 'hello' }, { name: { $regex: pattern } })).toBe(false);
  });

  it('makes only the invalid operator false, as GrowthBook does', () => {
    expect(evalCondition({ name: 'hello' }, { name: { $not: { $regex: '[' } } })).toBe(true);
  });

  it('treats a non-string pattern as no match', () => {
    expect(evalCondition({ n: 5 }, { n: { $regex: 5 } })).toBe(false);
    expect(evalCondition({ n: 5 }, { n: { $regex: null } })).toBe(false);
  });

  it('keeps case-sensitive and case-insensitive compilations of one pattern apart', () => {
    expect(evalCondition({ s: 'ABC' }, { s: { $regexi: 'abc' } })).toBe(true);
    expect(evalCondition({ s: 'ABC' }, { s: { $regex: 'abc' } })).toBe(false);
    expect(evalCondition({ s: 'ABC' }, { s: { $regexi: 'abc' } })).toBe(true);
  });

  it('stays correct past the cache bound', () => {
    for (let i = 0; i < 600; i++) {
      expect(evalCondition({ s: `id-${i}` }, { s: { $regex: `^id-${i}$` } })).toBe(true);
      expect(evalCondition({ s: `id-${i + 1}` }, { s: { $regex: `^id-${i}$` } })).toBe(false);
    }
  });

  it('tests the string form of non-string attributes, as GrowthBook does', () => {
    expect(evalCondition({ zip: 94107 }, { zip: { $regex: '^94' } })).toBe(true);
  });
});

describe('evalCondition: semantics beyond the cases', () => {
  it('compares versions given as numbers and treats other non-strings as 0', () => {
    expect(evalCondition({ v: 2 }, { v: { $vgt: '1' } })).toBe(true);
    expect(evalCondition({ v: null }, { v: { $veq: '0' } })).toBe(true);
    expect(evalCondition({ v: '1.2.3' }, { v: { $vgt: 1 } })).toBe(true);
  });

  it('stays correct past the version cache bound', () => {
    for (let i = 0; i < 600; i++) {
      expect(evalCondition({ v: `1.${i}.0` }, { v: { $vgt: `1.${i}.0-rc.1`, $vlt: `1.${i + 1}.0` } })).toBe(true);
    }
  });

  it('does not flatten nested arrays for $in', () => {
    expect(evalCondition({ tags: [['a']] }, { tags: { $in: ['a'] } })).toBe(false);
    expect(evalCondition({ tags: [['a'], 'b'] }, { tags: { $in: ['b'] } })).toBe(true);
  });

  it('compares literal objects regardless of key order', () => {
    expect(evalCondition({ a: { x: 1, y: [1, { z: 2 }] } }, { a: { y: [1, { z: 2 }], x: 1 } })).toBe(true);
    expect(evalCondition({ a: { x: 1, y: [1, { z: 3 }] } }, { a: { y: [1, { z: 2 }], x: 1 } })).toBe(false);
    expect(evalCondition({ a: [1, 2] }, { a: { 0: 1, 1: 2 } })).toBe(false);
  });

  it('never matches malformed logical operands', () => {
    expect(evalCondition({}, { $or: 'x' })).toBe(false);
    expect(evalCondition({}, { $and: {} })).toBe(false);
    expect(evalCondition({}, { $nor: 1 })).toBe(false);
    expect(evalCondition({}, { $or: ['x'] })).toBe(false);
    expect(evalCondition({}, { $nor: [] })).toBe(false);
    expect(evalCondition({ a: ['x'] }, { a: { $all: 'x' } })).toBe(false);
  });

  it('treats $-prefixed top-level keys other than $and/$or/$nor/$not as attribute names', () => {
    expect(evalCondition({ $plan: 'pro' }, { $plan: 'pro' })).toBe(true);
  });

  it('supports $alli with operator entries and case-folded strings', () => {
    expect(evalCondition({ tags: ['A', 7] }, { tags: { $alli: ['a', { $gt: 5 }] } })).toBe(true);
    expect(evalCondition({ tags: ['A', 3] }, { tags: { $alli: ['a', { $gt: 5 }] } })).toBe(false);
  });

  it('returns false instead of throwing on hostile input', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const twin: Record<string, unknown> = {};
    twin.self = twin;
    expect(evalCondition({ a: cyclic }, { a: twin })).toBe(false);
    expect(evalCondition({ a: Symbol('x') }, { a: 1 })).toBe(false);
    expect(evalCondition({ a: Object.create(null) }, { a: 'x' })).toBe(false);
    const hostile = {
      get plan(): string {
        throw new Error('boom');
      },
    };
    expect(evalCondition(hostile, { plan: 'pro' })).toBe(false);
    let deep: Condition = { a: 1 };
    for (let i = 0; i < 100_000; i++) deep = { $not: deep };
    expect(evalCondition({ a: 1 }, deep)).toBe(false);
    expect(evalCondition(null as unknown as Record<string, unknown>, { a: null })).toBe(true);
    expect(evalCondition({}, null as unknown as Condition)).toBe(false);
  });
});

describe('evalCondition: properties', () => {
  const operatorKey = fc.oneof(fc.constantFrom(...OPERATORS, '__proto__', 'constructor', 'a', 'a.b'), fc.string({ maxLength: 4 }));
  const jsonCondition = fc.object({ key: operatorKey, values: [fc.jsonValue({ maxDepth: 2 })], maxDepth: 4 });
  const jsonAttributes = fc.dictionary(fc.constantFrom('a', 'b', '__proto__', 'constructor'), fc.jsonValue({ maxDepth: 3 }));
  const savedGroups = fc.option(fc.dictionary(fc.string({ maxLength: 3 }), fc.array(fc.jsonValue({ maxDepth: 1 }))), { nil: undefined });
  const exotic = fc.anything({
    key: operatorKey,
    maxDepth: 3,
    withBigInt: true,
    withBoxedValues: true,
    withDate: true,
    withMap: true,
    withNullPrototype: true,
    withObjectString: true,
    withSet: true,
    withSparseArray: true,
    withTypedArray: true,
  });

  it('never throws on arbitrary JSON conditions and attributes', () => {
    fc.assert(
      fc.property(jsonAttributes, jsonCondition, savedGroups, (attributes, condition, groups) => {
        expect(typeof evalCondition(attributes, condition, groups as SavedGroups | undefined)).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on arbitrary JavaScript values', () => {
    fc.assert(
      fc.property(exotic, exotic, exotic, (attributes, condition, groups) => {
        const result = evalCondition(attributes as Record<string, unknown>, condition as Condition, groups as SavedGroups);
        expect(typeof result).toBe('boolean');
      }),
      { numRuns: 1000 },
    );
  });

  it('validateCondition never throws and answers undefined or a message starting with the path', () => {
    fc.assert(
      fc.property(fc.oneof(jsonCondition, exotic), (condition) => {
        const problem = validateCondition(condition, 'rules[3].condition');
        expect(problem === undefined || problem.startsWith('rules[3].condition')).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('is pure: evaluating twice gives the same answer', () => {
    fc.assert(
      fc.property(jsonAttributes, jsonCondition, (attributes, condition) => {
        expect(evalCondition(attributes, condition)).toBe(evalCondition(attributes, condition));
      }),
    );
  });

  // Differential check against the reference implementation (a devDependency) on well-formed
  // conditions, i.e. outside the few malformed inputs where we deliberately differ.
  it('agrees with @growthbook/growthbook on well-formed conditions', () => {
    // GrowthBook throws on null-prototype objects (it coerces them to strings), so generate plain ones.
    const record = <T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }) => fc.record(model, { noNullPrototype: true });
    const scalar = fc.oneof(
      fc.constantFrom<unknown>(null, true, false, 0, 1, 5, -1, 2.5, '', 'a', 'A', 'ab', 'İ', 'ß', '5', '10', 'null', 'true'),
      fc.constantFrom<unknown>('1.2.3', 'v1.2.3', '1.2.3-beta', '1.2.3-beta.2', '1.2.3+b', '10.0.0', '1-2-3', '1.2', 'v', '1.0.0-rc.1'),
    );
    const value = fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }), record({ x: scalar }));
    const attributes = fc.dictionary(fc.constantFrom('a', 'b', 'c'), value, { maxKeys: 3, noNullPrototype: true });
    const groups = { g: [1, 'a', '1.2.3'] };
    const { condition } = fc.letrec((tie) => ({
      field: fc.oneof(
        { weight: 1, arbitrary: value },
        {
          weight: 4,
          arbitrary: fc.oneof(
            record({ $eq: scalar }),
            record({ $ne: scalar }),
            record({ $lt: scalar }),
            record({ $gte: scalar }),
            record({ $gt: scalar, $lte: scalar }),
            record({ $in: fc.array(scalar) }),
            record({ $nin: fc.array(scalar) }),
            record({ $ini: fc.array(scalar) }),
            record({ $nini: fc.array(scalar) }),
            record({ $all: fc.array(fc.oneof(scalar, tie('field')), { maxLength: 2 }) }),
            record({ $alli: fc.array(scalar, { maxLength: 2 }) }),
            record({
              $elemMatch: fc.oneof(
                tie('field').filter((f) => typeof f === 'object' && f !== null && !Array.isArray(f)),
                tie('condition'),
              ),
            }),
            record({ $size: fc.oneof(fc.constantFrom(0, 1, 2), tie('field')) }),
            record({ $exists: fc.boolean() }),
            record({ $type: fc.constantFrom('string', 'number', 'boolean', 'object', 'array', 'null') }),
            record({ $regex: fc.constantFrom('^a', 'b$', '5', '\\.', '[') }),
            record({ $regexi: fc.constantFrom('^a', 'B$', '[') }),
            record({ $not: tie('field') }),
            record({ $veq: scalar }),
            record({ $vne: scalar }),
            record({ $vgt: scalar, $vlte: scalar }),
            record({ $vgte: scalar, $vlt: scalar }),
            record({ $inGroup: fc.constantFrom('g', 'missing') }),
            record({ $notInGroup: fc.constantFrom('g', 'missing') }),
          ),
        },
      ),
      condition: fc.oneof(
        {
          weight: 3,
          arbitrary: fc.dictionary(fc.constantFrom('a', 'b', 'c', 'c.x', 'a.0'), tie('field'), { maxKeys: 2, noNullPrototype: true }),
        },
        { weight: 1, arbitrary: record({ $or: fc.array(tie('condition'), { maxLength: 3 }) }) },
        { weight: 1, arbitrary: record({ $and: fc.array(tie('condition'), { maxLength: 3 }) }) },
        { weight: 1, arbitrary: record({ $nor: fc.array(tie('condition'), { maxLength: 3 }) }) },
        { weight: 1, arbitrary: record({ $not: tie('condition') }) },
      ),
    }));
    // The reference logs each unknown operator it meets (`$elemMatch: { $or: ... }` reads `$or` as one).
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      fc.assert(
        fc.property(attributes, condition, (attrs, cond) => {
          const expected = growthbookEvalCondition(attrs as never, cond as never, groups);
          expect(evalCondition(attrs, cond as Condition, groups)).toBe(expected);
        }),
        // DIFF_RUNS=1000000 searches deeper locally.
        { numRuns: Number(process.env.DIFF_RUNS ?? 5000) },
      );
    } finally {
      quiet.mockRestore();
    }
  });
});
