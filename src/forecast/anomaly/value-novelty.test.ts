import { describe, expect, it } from 'vitest';
import { resolveDetectorOptions } from './detector-options.js';
import { createNovelty, noveltyScore, noveltyState } from './value-novelty.js';

/** Ten bins over 0..100 (width 10) after the ten anchoring values 0, 10, …, 90, 100. */
const options = resolveDetectorOptions({ noveltyBins: 10, noveltyAnchorPoints: 11 });
function anchored() {
  const m = createNovelty();
  for (let v = 0; v <= 100; v += 10) expect(noveltyScore(m, options, v)).toBe(0);
  return m;
}

describe('value novelty', () => {
  it('scores nothing while anchoring, and keeps anchoring while the values are all equal', () => {
    const m = createNovelty();
    for (let i = 0; i < 50; i++) expect(noveltyScore(m, options, 7)).toBe(0);
    expect(m.state.width).toBe(0);
    expect(noveltyScore(m, options, 17)).toBe(0);
    expect(m.state.width).toBeCloseTo(1);
    // The flat anchoring values are history: 7 is a known level, 40 is a new one.
    expect(noveltyScore(m, options, 7)).toBe(0.5);
    expect(noveltyScore(m, options, 40)).toBe(1);
  });

  it('scores a level far from every seen bin 1, a seen level reached by a new transition 0.5, a seen one 0', () => {
    const m = anchored();
    // 100 → 250: bin 25, no seen neighbour (the anchoring reached bin 10).
    expect(noveltyScore(m, options, 250)).toBe(1);
    // 250 → 0: bin 0 is known, the transition 25 → 0 is not.
    expect(noveltyScore(m, options, 3)).toBe(0.5);
    // 0 → 10: known bin and known transition (the anchoring went 0, 10, …).
    expect(noveltyScore(m, options, 12)).toBe(0);
  });

  it('does not count a bin within two of a seen one as a new level (records at the edge of the range)', () => {
    const m = anchored();
    // Bins 11 and 12 are within two of the seen bin 10: only the transitions are new.
    expect(noveltyScore(m, options, 111)).toBe(0.5);
    expect(noveltyScore(m, options, 125)).toBe(0.5);
    // Bin 15 is three from the nearest seen bin (12): a new level.
    expect(noveltyScore(m, options, 155)).toBe(1);
  });

  it('is off with noveltyBins 0', () => {
    const m = createNovelty();
    const off = resolveDetectorOptions({ noveltyBins: 0, noveltyAnchorPoints: 2 });
    for (const v of [0, 1, 1e6, -1e6]) expect(noveltyScore(m, off, v)).toBe(0);
  });

  it('resumes from a JSON copy of its state with identical scores', () => {
    const m = anchored();
    noveltyScore(m, options, 250);
    const copy = createNovelty(JSON.parse(JSON.stringify(noveltyState(m))));
    for (const v of [3, 12, 135, 260, 999, -50, 55]) expect(noveltyScore(copy, options, v)).toBe(noveltyScore(m, options, v));
  });

  it('keeps its memory bounded on a series that never settles', () => {
    const m = anchored();
    for (let i = 0; i < 30_000; i++) noveltyScore(m, options, ((i * 7919) % 4000) * 10 - 20_000);
    expect(m.bins.size + m.pairs.size).toBeLessThanOrEqual(20_000);
  });

  describe('on the log scale', () => {
    /** Mostly 0.1 with a spike to 90 every tenth value: the linear bins (width 9) cannot tell 0.1 from 0.6. */
    const spiky = (i: number) => (i % 10 === 9 ? 90 : 0.1);
    const logOptions = resolveDetectorOptions({ noveltyBins: 10, noveltyAnchorPoints: 50 });

    it('sees a rise at the bottom of the range that the linear bins miss', () => {
      const linear = createNovelty();
      const log = createNovelty(undefined, 'log');
      for (let i = 0; i < 50; i++) {
        expect(noveltyScore(linear, logOptions, spiky(i))).toBe(0);
        expect(noveltyScore(log, logOptions, spiky(i))).toBe(0);
      }
      // The offset is 1% of the anchoring range (89.9), added before the log.
      expect(log.state.offset).toBeCloseTo(0.899);
      expect(noveltyScore(linear, logOptions, 0.6)).toBe(0);
      expect(noveltyScore(log, logOptions, 0.6)).toBe(0);
      expect(noveltyScore(log, logOptions, 6)).toBe(1);
      expect(noveltyScore(linear, logOptions, 6)).toBe(0);
      // Known levels and transitions score nothing on either scale.
      expect(noveltyScore(log, logOptions, 0.1)).toBe(0.5);
      expect(noveltyScore(log, logOptions, 0.1)).toBe(0);
      expect(noveltyScore(log, logOptions, 90)).toBe(0);
    });

    it('turns itself off for a series with a negative anchoring value, and with noveltyLogOffset 0', () => {
      const m = createNovelty(undefined, 'log');
      for (let i = 0; i < 50; i++) noveltyScore(m, logOptions, i === 3 ? -1 : spiky(i));
      expect(m.state.scale).toBe('off');
      for (const v of [1e6, -1e6, 0.5]) expect(noveltyScore(m, logOptions, v)).toBe(0);
      const disabled = resolveDetectorOptions({ noveltyBins: 10, noveltyAnchorPoints: 50, noveltyLogOffset: 0 });
      const d = createNovelty(undefined, 'log');
      for (let i = 0; i < 50; i++) noveltyScore(d, disabled, spiky(i));
      expect(noveltyScore(d, disabled, 1e6)).toBe(0);
    });

    it('resumes from a JSON copy of its state with identical scores', () => {
      const m = createNovelty(undefined, 'log');
      for (let i = 0; i < 60; i++) noveltyScore(m, logOptions, spiky(i));
      const copy = createNovelty(JSON.parse(JSON.stringify(noveltyState(m))));
      expect(copy.state.scale).toBe('log');
      for (const v of [6, 0.1, 0, -3, 500, 2, 90]) expect(noveltyScore(copy, logOptions, v)).toBe(noveltyScore(m, logOptions, v));
    });
  });
});
