import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateCondition } from './conditions.js';
import type { Condition } from './types.js';

type Case = [name: string, condition: Condition, attributes: Record<string, unknown>, expected: boolean, savedGroups?: unknown];
const cases = (
  JSON.parse(readFileSync(new URL('../../test/fixtures/growthbook/cases.json', import.meta.url), 'utf8')) as { evalCondition: Case[] }
).evalCondition;

/** Cases that are malformed on purpose: they must evaluate to false and fail validation. */
const MALFORMED = new Set([
  '$in - not array',
  '$nin - not array',
  '$ini - not array',
  '$nini - not array',
  'unknown operator - pass',
  '$regex invalid - pass',
  '$regex invalid - fail',
]);

describe('validateCondition', () => {
  it.each(cases)('%s', (name, condition) => {
    const problem = validateCondition(condition, 'rules[0].condition');
    if (MALFORMED.has(name)) expect(problem).toMatch(/^rules\[0\]\.condition\./);
    else expect(problem).toBeUndefined();
  });

  it.each([
    [{ country: { $in: 'FR' } }, 'rules[0].condition.country.$in must be an array, got string'],
    [{ tags: { $all: { a: 1 } } }, 'rules[0].condition.tags.$all must be an array, got object'],
    [{ $or: { a: 1 } }, 'rules[0].condition.$or must be an array of conditions, got object'],
    [{ $and: [{ a: 1 }, 'b'] }, 'rules[0].condition.$and[1] must be an object, got string'],
    [{ $not: [] }, 'rules[0].condition.$not must be an object, got array'],
    [{ a: { $exists: 'false' } }, 'rules[0].condition.a.$exists must be true or false, got string'],
    [
      { a: { $type: 'str' } },
      'rules[0].condition.a.$type must be one of string, number, boolean, object, array, null, undefined, got "str"',
    ],
    [{ a: { $vgt: true } }, 'rules[0].condition.a.$vgt must be a version string like "1.2.3", got boolean'],
    [{ a: { $inGroup: 1 } }, 'rules[0].condition.a.$inGroup must be a saved group id (string), got number'],
    [{ a: { $regex: 1 } }, 'rules[0].condition.a.$regex must be a string, got number'],
    [{ a: { $elemMatch: 1 } }, 'rules[0].condition.a.$elemMatch must be an object (a condition or operators), got number'],
  ])('reports %j', (condition, message) => {
    expect(validateCondition(condition, 'rules[0].condition')).toBe(message);
  });

  it('names the unknown operator and lists the known ones', () => {
    const problem = validateCondition({ name: { $eq: 'x', $foo: 1 } }, 'rules[0].condition');
    expect(problem).toMatch(/^rules\[0\]\.condition\.name: unknown operator \$foo; use one of \$eq, \$ne, /);
    expect(problem).toContain('$notInGroup');
  });

  it('explains an invalid regular expression', () => {
    expect(validateCondition({ ua: { $regex: '(Mobile' } }, 'c')).toMatch(/^c\.ua\.\$regex is not a valid regular expression: .+/);
    expect(validateCondition({ ua: { $regexi: '[' } }, 'c')).toMatch(/^c\.ua\.\$regexi is not a valid regular expression: /);
  });

  it('follows nested conditions', () => {
    expect(validateCondition({ $or: [{ a: 1 }, { $and: [{ b: { $foo: 1 } }] }] }, 'c')).toMatch(
      /^c\.\$or\[1\]\.\$and\[0\]\.b: unknown operator \$foo/,
    );
    expect(validateCondition({ hobbies: { $elemMatch: { name: { $regex: '[' } } } }, 'c')).toMatch(
      /^c\.hobbies\.\$elemMatch\.name\.\$regex is not a valid/,
    );
    expect(validateCondition({ tags: { $elemMatch: { $in: 'a' } } }, 'c')).toBe('c.tags.$elemMatch.$in must be an array, got string');
    expect(validateCondition({ tags: { $size: { $gt: 'x', $bad: 1 } } }, 'c')).toMatch(/^c\.tags\.\$size: unknown operator \$bad/);
    expect(validateCondition({ tags: { $not: { $in: 1 } } }, 'c')).toBe('c.tags.$not.$in must be an array, got number');
    expect(validateCondition({ tags: { $all: [{ $in: 1 }] } }, 'c')).toBe('c.tags.$all[0].$in must be an array, got number');
  });

  it('flags operators mixed with plain keys', () => {
    expect(validateCondition({ a: { $eq: 1, b: 2 } }, 'c')).toMatch(/^c\.a mixes operator \$eq with plain keys/);
  });

  it('accepts literals, every known operator and $-named attributes', () => {
    const condition: Condition = {
      plan: 'pro',
      tags: ['a', 'b'],
      meta: { x: 1 },
      $groups: { $elemMatch: { $eq: 'a' } },
      age: { $gt: 1, $gte: 1, $lt: 9, $lte: 9, $eq: 5, $ne: 4 },
      v: { $veq: '1.2.3', $vne: 1, $vgt: '1', $vgte: '1', $vlt: '9', $vlte: '9' },
      country: { $in: [], $nin: [], $ini: [], $nini: [] },
      list: { $all: [], $alli: [], $size: { $gt: 0 }, $elemMatch: { name: 'x' } },
      name: { $exists: true, $type: 'string', $regex: '^a', $regexi: 'B$', $not: { $eq: 'c' } },
      id: { $inGroup: 'g', $notInGroup: 'h' },
      $or: [{ a: 1 }],
      $nor: [],
      $and: [{ $not: { b: 2 } }],
    };
    expect(validateCondition(condition, 'c')).toBeUndefined();
    expect(validateCondition({}, 'c')).toBeUndefined();
  });

  it('rejects a condition that is not an object', () => {
    expect(validateCondition('plan = pro', 'rules[2].condition')).toBe('rules[2].condition must be an object, got string');
    expect(validateCondition(null, 'c')).toBe('c must be an object, got null');
  });

  it('answers instead of throwing on cyclic or deeply nested input', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.$not = cyclic;
    expect(validateCondition(cyclic, 'c')).toMatch(/^c could not be checked/);
    let deep: Condition = { a: 1 };
    for (let i = 0; i < 100_000; i++) deep = { $or: [deep] };
    expect(validateCondition(deep, 'c')).toMatch(/^c could not be checked/);
  });
});
