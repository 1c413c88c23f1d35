import { describe, expect, it } from 'vitest';
import { EliteError } from '../internal/errors.js';
import { regexRisk } from './regex-safety.js';
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
