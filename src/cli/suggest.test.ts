import { describe, expect, it } from 'vitest';
import { closest, didYouMean, editDistance } from './suggest.js';

describe('did you mean', () => {
  it('counts insertions, deletions, substitutions and neighbour swaps as one edit each', () => {
    expect(editDistance('flags', 'flags')).toBe(0);
    expect(editDistance('flag', 'flags')).toBe(1);
    expect(editDistance('falgs', 'flags')).toBe(1);
    expect(editDistance('forcast', 'forecast')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('suggests only a close word, and nothing on a tie', () => {
    const commands = ['flags', 'results', 'migrate', 'forecast', 'decide', 'demo'];
    expect(closest('forcast', commands)).toBe('forecast');
    expect(closest('DECIDE', commands)).toBe('decide');
    expect(closest('deme', commands)).toBe('demo');
    expect(closest('deploy', commands)).toBeUndefined();
    expect(closest('x', commands)).toBeUndefined();
    expect(closest('ab', ['ax', 'xb'])).toBeUndefined();
    expect(didYouMean('--colum', ['--column', '--json'])).toBe('; did you mean --column?');
    expect(didYouMean('--nope', ['--column', '--json'])).toBe('');
  });
});
