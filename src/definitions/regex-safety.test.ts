import { describe, expect, it } from 'vitest';
import { EliteError } from '../internal/errors.js';
import { regexRisk, safeRegex } from './regex-safety.js';
import { validateFlag } from './validate.js';

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

  it('evaluation compiles the accepted ones, with their flags, and gets null for the refused and the invalid', () => {
    for (const pattern of fine) expect(safeRegex(pattern, 'i')).toEqual(new RegExp(pattern, 'i'));
    for (const pattern of risky) expect(safeRegex(pattern, '')).toBeNull();
    expect(safeRegex('(unclosed', '')).toBeNull();
    expect(safeRegex('a', 'not-a-flag')).toBeNull();
  });

  it('validateFlag names each risk and what to do', () => {
    expect(() => validateFlag(flag('(a|ab)*'))).toThrow(/is refused: it repeats a group that repeats or has alternatives.*rewrite it/);
    expect(() => validateFlag(flag('.*.*.*='))).toThrow(/is refused: it has more than 2 variable repetitions.*rewrite it/);
    expect(() => validateFlag(flag('(unclosed'))).toThrow(/is not a valid regular expression/);
  });

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
});
