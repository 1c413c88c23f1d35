import { createColors } from 'picocolors';
import { describe, expect, it } from 'vitest';
import { createProgress } from './progress.js';

const sink = (isTTY: boolean) => {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, write: (s: string) => chunks.push(s) } };
};

describe('createProgress', () => {
  it('on a terminal redraws in place once per percent, then ends the line', () => {
    const { chunks, stream } = sink(true);
    const bar = createProgress(stream, { total: 1000, label: 'users', width: 10 });
    for (let i = 0; i < 1000; i++) bar.tick();
    bar.done();
    bar.done();
    expect(chunks).toHaveLength(101 + 1);
    expect(chunks[0]).toBe('\rusers [░░░░░░░░░░]   0% 1/1000');
    expect(chunks[50]).toBe('\rusers [█████░░░░░]  50% 500/1000');
    expect(chunks.at(-1)).toBe('\rusers [██████████] 100% 1000/1000\n');
  });

  it('elsewhere writes only the final line; ticks past the total are capped, ticks after done ignored', () => {
    const { chunks, stream } = sink(false);
    const bar = createProgress(stream, { total: 3, label: 'users', width: 4, colors: createColors(false) });
    bar.tick(2);
    bar.tick(5);
    bar.done();
    bar.tick();
    expect(chunks).toEqual(['users [████] 100% 3/3\n']);
  });

  it('rejects a total that is not a whole number > 0', () => {
    expect(() => createProgress(sink(false).stream, { total: 0, label: 'x' })).toThrow(RangeError);
    expect(() => createProgress(sink(false).stream, { total: 1.5, label: 'x' })).toThrow(/whole number > 0, got 1.5/);
  });
});
