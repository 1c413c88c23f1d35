import { describe, expect, it } from 'vitest';
import { EliteError } from '../../internal/errors.js';
import { nabWindows, parseNabTimestamp } from './nab-corpus.js';
import { NAB_MAX_TP, NAB_PROFILES, nabProbationLength, nabScaledSigmoid } from './nab-profiles.js';
import { type NabFileInput, scoreNab } from './nab-score.js';

const MIN = 60_000;
const times = (n: number) => Array.from({ length: n }, (_, i) => i * MIN);
/** A file of `n` one-minute rows, detections (score 1) at `hits`, windows given by row indices. */
function file(name: string, n: number, hits: number[], windows: [number, number][]): NabFileInput {
  const scores = new Array<number>(n).fill(0);
  for (const h of hits) scores[h] = 1;
  return { name, timestamps: times(n), scores, windows: windows.map(([a, b]) => [a * MIN, b * MIN]) };
}

describe('NAB scaled sigmoid and probation', () => {
  it('matches 2σ(−5y)−1, is −1 beyond three widths, and the probation is 15% capped at 750 rows', () => {
    // 2/(1+e^-5) - 1 = 0.98661429815
    expect(NAB_MAX_TP).toBeCloseTo(0.98661429815, 10);
    expect(nabScaledSigmoid(0)).toBe(0);
    expect(nabScaledSigmoid(3)).toBeCloseTo(2 / (1 + Math.exp(15)) - 1, 12);
    expect(nabScaledSigmoid(3.0001)).toBe(-1);
    expect(nabProbationLength(20)).toBe(3);
    expect(nabProbationLength(4032)).toBe(604);
    expect(nabProbationLength(22695)).toBe(750);
  });
});

describe('scoreNab on hand-computed cases', () => {
  // 20 rows, probation floor(0.15·20) = 3 rows; window rows 10..13 (width 4).
  // TP at row 11: position −(13−11+1)/4 = −0.75 → (2σ(3.75)−1)/maxTP = 0.96698908780.
  // FP at row 5 (before any window): −1 · 0.11. FP at row 15: (15−13)/(4−1) = 2/3 → 2σ(−10/3)−1 = −0.93110960867, · 0.11.
  // FP at row 1 is in the probationary period: not scored. Row 12 is a later hit in the same window: ignored.
  const a = file('a', 20, [1, 5, 11, 12, 15], [[10, 13]]);
  const raw = 0.9669890878 - 0.11 - 0.11 * 0.93110960867; // 0.75457002825

  it('scores one file at a fixed threshold', () => {
    const r = scoreNab([a], { threshold: 0.5 });
    expect(r.raw).toBeCloseTo(raw, 9);
    expect(r.nullRaw).toBe(-1);
    expect(r.perfectRaw).toBe(1);
    expect(r.score).toBeCloseTo(((raw + 1) / 2) * 100, 7); // 87.7285
    expect(r.files[0]).toMatchObject({ tp: 1, fp: 2, fn: 1 - 1, tn: 20 - 3 - 4 - 2, windows: 1 });
  });

  it('sums files and normalises by the null and perfect detectors', () => {
    const missed = file('b', 20, [], [[10, 13]]);
    const r = scoreNab([a, missed], { threshold: 0.5 });
    expect(r.raw).toBeCloseTo(raw - 1, 9);
    expect(r.score).toBeCloseTo(((raw - 1 + 2) / 4) * 100, 7); // 43.8643
    expect(r.files[1]).toMatchObject({ tp: 0, fn: 1 });
  });

  it('the perfect detector scores 100 and the null detector 0, in every profile', () => {
    for (const profile of Object.keys(NAB_PROFILES) as (keyof typeof NAB_PROFILES)[]) {
      expect(
        scoreNab(
          [
            file(
              'p',
              40,
              [10, 30],
              [
                [10, 12],
                [30, 35],
              ],
            ),
          ],
          { profile, threshold: 0.5 },
        ).score,
      ).toBeCloseTo(100, 9);
      expect(scoreNab([file('n', 40, [], [[10, 12]])], { profile, threshold: 0.5 }).score).toBe(0);
    }
  });

  it('weights a miss by fnWeight in reward_low_FN_rate and a false positive by 0.22 in reward_low_FP_rate', () => {
    // One hit at the window's end: position −1/4 → (2σ(1.25)−1)/maxTP = 0.56212414860.
    const f = [file('c', 20, [5, 13], [[10, 13]]), file('d', 20, [], [[10, 13]])];
    const fn = scoreNab(f, { profile: 'reward_low_FN_rate', threshold: 0.5 });
    expect(fn.raw).toBeCloseTo(0.5621241486 - 0.11 - 2, 9);
    expect(fn.score).toBeCloseTo(((fn.raw + 4) / 6) * 100, 9);
    expect(scoreNab(f, { profile: 'reward_low_FP_rate', threshold: 0.5 }).raw).toBeCloseTo(0.5621241486 - 0.22 - 1, 9);
  });

  it('does not score a window that lies wholly in the probationary period, as NAB', () => {
    // 20 rows: probation is rows 0..2, so the window at rows 1..2 is neither hit nor missed.
    const r = scoreNab(
      [
        file(
          'q',
          20,
          [1, 11],
          [
            [1, 2],
            [10, 13],
          ],
        ),
      ],
      { threshold: 0.5 },
    );
    expect(r.files[0]).toMatchObject({ tp: 1, fn: 0, windows: 1 });
    expect(r.raw).toBeCloseTo(0.9669890878, 9);
    expect(r.perfectRaw).toBe(1);
  });

  it('chooses the threshold that maximises the corpus score', () => {
    const scores = new Array<number>(20).fill(0);
    scores[5] = 0.9; // a false positive, before the window
    scores[10] = 0.8; // the window's first row: TP worth 1
    const f: NabFileInput = { name: 'e', timestamps: times(20), scores, windows: [[10 * MIN, 13 * MIN]] };
    const standard = scoreNab([f]);
    expect(standard.threshold).toBe(0.8);
    expect(standard.raw).toBeCloseTo(1 - 0.11, 12);
    // With a false positive dearer than a hit is worth, detecting nothing wins.
    const strict = scoreNab([f], { profile: { tpWeight: 1, fnWeight: 1, fpWeight: 2.5, tnWeight: 1 } });
    expect(strict.threshold).toBe(Number.POSITIVE_INFINITY);
    expect(strict.score).toBe(0);
  });

  it('the sweep finds the best of every candidate threshold (random files)', () => {
    let seed = 7;
    const rand = () => {
      seed = (seed * 48271) % 2147483647;
      return seed / 2147483647;
    };
    const files: NabFileInput[] = [0, 1, 2].map((k) => ({
      name: `r${k}`,
      timestamps: times(60),
      scores: Array.from({ length: 60 }, () => Math.round(rand() * 20) / 20),
      windows: [
        [(20 + k) * MIN, (26 + k) * MIN],
        [45 * MIN, 50 * MIN],
      ],
    }));
    const swept = scoreNab(files);
    const candidates = [...new Set(files.flatMap((f) => Array.from(f.scores)))];
    const brute = Math.max(-6, ...candidates.map((t) => scoreNab(files, { threshold: t }).raw));
    expect(swept.raw).toBeCloseTo(brute, 12);
  });

  it('throws INVALID_OPTIONS on mismatched lengths, unknown profiles and no windows', () => {
    const bad = { name: 'x', timestamps: times(5), scores: [0], windows: [[0, MIN]] as [number, number][] };
    expect(() => scoreNab([bad])).toThrow(EliteError);
    expect(() => scoreNab([file('y', 10, [], [[5, 6]])], { profile: 'nope' as 'standard' })).toThrow(/unknown NAB profile/);
    try {
      scoreNab([file('z', 10, [3], [])]);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(EliteError);
      expect((error as EliteError).code).toBe('INVALID_OPTIONS');
    }
  });
});

describe('NAB corpus helpers', () => {
  it('parses NAB timestamps as UTC and maps label windows', () => {
    expect(parseNabTimestamp('2014-04-10 07:15:00')).toBe(Date.UTC(2014, 3, 10, 7, 15));
    expect(parseNabTimestamp('2014-04-10 07:15:00.000000')).toBe(Date.UTC(2014, 3, 10, 7, 15));
    expect(() => parseNabTimestamp('10/04/2014')).toThrow(EliteError);
    expect(nabWindows({ f: [['2014-01-01 00:00:00.000000', '2014-01-02 00:00:00.000000']] }, 'f')).toEqual([
      [Date.UTC(2014, 0, 1), Date.UTC(2014, 0, 2)],
    ]);
    expect(nabWindows({}, 'g')).toEqual([]);
  });
});
