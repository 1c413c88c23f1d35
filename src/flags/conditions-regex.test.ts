import { describe, expect, it } from 'vitest';
import { regexRisk } from '../definitions/index.js';
import { evalCondition, MAX_REGEX_INPUT_CHARS } from './conditions.js';

// How evaluation runs `$regex` patterns; which patterns are refused is tested in definitions/regex-safety.test.ts.
describe('$regex patterns that can backtrack super-linearly', () => {
  it('a definition that skipped validation does not run the pattern: no match, at once', () => {
    // Run, the first pattern takes about 9 s on this text (2^29 backtracking paths); the bound
    // only tells "not run" from "run", with a wide margin for a loaded machine.
    const started = performance.now();
    expect(evalCondition({ name: `${'a'.repeat(29)}!` }, { name: { $regex: '^(a+)+$' } })).toBe(false);
    expect(evalCondition({ name: 'ab'.repeat(40) }, { name: { $regexi: '(a|ab)*c' } })).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it(`a text longer than ${MAX_REGEX_INPUT_CHARS} characters does not match`, () => {
    expect(evalCondition({ ua: 'a'.repeat(MAX_REGEX_INPUT_CHARS) }, { ua: { $regex: 'a' } })).toBe(true);
    expect(evalCondition({ ua: 'a'.repeat(MAX_REGEX_INPUT_CHARS + 1) }, { ua: { $regex: 'a' } })).toBe(false);
  });

  // Their time on the longest text (3–4 ms) is measured by `npm run bench:hardening`, not here.
  it('the worst accepted patterns run on the longest text and answer correctly', () => {
    const worst: [string, string, boolean][] = [
      ['.*.*=', 'a'.repeat(MAX_REGEX_INPUT_CHARS), false],
      ['(.*)(.+)=', 'a'.repeat(MAX_REGEX_INPUT_CHARS), false],
      ['[ab]*[ab]*c', 'ab'.repeat(MAX_REGEX_INPUT_CHARS / 2), false],
      ['\\s*\\s*$', `${' '.repeat(MAX_REGEX_INPUT_CHARS - 1)}x`, true],
    ];
    for (const [pattern, text, matches] of worst) {
      expect(regexRisk(pattern)).toBeUndefined();
      expect(evalCondition({ s: text }, { s: { $regex: pattern } })).toBe(matches);
    }
  });
});
