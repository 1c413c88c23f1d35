import { describe, expect, it } from 'vitest';
import { EliteError } from '../internal/errors.js';
import { evalCondition, MAX_REGEX_INPUT_CHARS } from './conditions.js';
import { validateFlag } from './model.js';
import { regexRisk } from './regex-safety.js';

const risky = [
  '^(a+)+$',
  '(a*)*',
  '(\\w+\\s?)+$',
  '(a|ab)*',
  '(a|a)+',
  '(\\d|x)+',
  '((a+))+',
  '(.*a){10}',
  '(?:a+)+',
  '(?<n>a+)+',
  '(a|A)+',
  '(x+x+)+y',
  '^(([a-z])+.)+[A-Z]([a-z])+$',
  '(a|)+',
  '^(foo|bar)+$',
  '.*.*.*=',
  '\\s*\\s*\\s*$',
  '.{0,300}.{0,300}.{0,300}=',
];
const fine = [
  '^[a-z]+$',
  '(?:ab)+',
  'a+b+',
  '^v\\d+\\.\\d+',
  '(a+)?',
  '(?<=x)a+',
  '^Mozilla/.*Chrome/(\\d+)',
  '\\(a+\\)+',
  '[(]a+[)]+',
  'a{2,3}',
  '(ab){2}',
  '^(?:a|b)$',
  '@example\\.com$',
];

const flag = (pattern: string) => ({
  key: 'beta',
  environment: 'production',
  enabled: true,
  rules: [{ condition: { email: { $regex: pattern } }, variant: 'on' }],
});

describe('$regex patterns that can backtrack super-linearly', () => {
  it.each(risky)('refuses %s', (pattern) => expect(regexRisk(pattern)).toBeTypeOf('string'));
  it.each(fine)('accepts %s', (pattern) => expect(regexRisk(pattern)).toBeUndefined());

  it('validateFlag refuses them with INVALID_FLAG naming the field', () => {
    let error: unknown;
    try {
      validateFlag(flag('^(a+)+$'));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EliteError);
    expect(error).toMatchObject({ code: 'INVALID_FLAG', field: 'rules[0].condition' });
    expect((error as Error).message).toContain('rules[0].condition.email.$regex');
    expect(() => validateFlag(flag('^[a-z0-9._%+-]+@example\\.com$'))).not.toThrow();
  });

  it('a definition that skipped validation does not run the pattern: no match, at once', () => {
    const started = performance.now();
    expect(evalCondition({ name: `${'a'.repeat(29)}!` }, { name: { $regex: '^(a+)+$' } })).toBe(false);
    expect(evalCondition({ name: 'ab'.repeat(40) }, { name: { $regexi: '(a|ab)*c' } })).toBe(false);
    expect(performance.now() - started).toBeLessThan(50);
  });

  it(`a text longer than ${MAX_REGEX_INPUT_CHARS} characters does not match`, () => {
    expect(evalCondition({ ua: 'a'.repeat(MAX_REGEX_INPUT_CHARS) }, { ua: { $regex: 'a' } })).toBe(true);
    expect(evalCondition({ ua: 'a'.repeat(MAX_REGEX_INPUT_CHARS + 1) }, { ua: { $regex: 'a' } })).toBe(false);
  });

  it('the worst accepted pattern on the longest text stays within a few tens of ms', () => {
    const worst: [string, string][] = [
      ['.*.*=', 'a'.repeat(MAX_REGEX_INPUT_CHARS)],
      ['(.*)(.+)=', 'a'.repeat(MAX_REGEX_INPUT_CHARS)],
      ['[ab]*[ab]*c', 'ab'.repeat(MAX_REGEX_INPUT_CHARS / 2)],
      ['\\s*\\s*$', `${' '.repeat(MAX_REGEX_INPUT_CHARS - 1)}x`],
    ];
    for (const [pattern, text] of worst) {
      expect(regexRisk(pattern)).toBeUndefined();
      const started = performance.now();
      evalCondition({ s: text }, { s: { $regex: pattern } });
      expect(performance.now() - started).toBeLessThan(250);
    }
  });
});
