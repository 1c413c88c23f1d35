import { describe, expect, it } from 'vitest';
import { regexRisk } from '../definitions/index.js';
import { evalCondition, MAX_REGEX_INPUT_CHARS } from './conditions.js';

// How evaluation runs `$regex` patterns; which patterns are refused is tested in definitions/regex-safety.test.ts.
describe('$regex patterns that can backtrack super-linearly', () => {
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
