import type { ResolvedDetectorOptions } from './detector-options.js';

/**
 * Bin indices are clamped to ±this many bins around the anchored range, so a runaway series keeps
 * small integer keys (a pair key stays below 2^25).
 */
const MAX_BIN = 2048;
const PAIR_SPAN = 2 * MAX_BIN + 1;
/**
 * Most bins plus pairs remembered. A series that never settles (a counter growing forever) would
 * otherwise grow the memory without bound; past the cap the memory starts afresh.
 */
const MAX_REMEMBERED = 20_000;
/** A value is a new level when no bin within this many of its own has been seen. */
const NEW_LEVEL_GAP = 2;

/**
 * The scale a novelty memory bins on: the value itself, or log(max(value, 0) + offset) for series that
 * are never negative (counts, latencies, utilisation), where a rise from 0.1 to 0.6 is news even when
 * spikes reach 90. A log memory whose anchoring values include a negative one turns itself `'off'`.
 */
export type NoveltyScale = 'linear' | 'log' | 'off';

/**
 * What the contextual novelty has learned, as plain JSON-safe data: value bins anchored on the first
 * points' range, and which bins and which (previous bin, bin) pairs have been seen since.
 */
export interface NoveltyState {
  /** The scale binned on (see {@link NoveltyScale}). */
  scale: NoveltyScale;
  /** On the log scale, the amount added before the log (`noveltyLogOffset` × the anchoring range); 0 otherwise. */
  offset: number;
  /** Finite values seen while anchoring (until the range is fixed). */
  n: number;
  /** Smallest value seen while anchoring (0 before the first), on the binned scale once anchored: the lower edge of bin 0. */
  low: number;
  /** Largest value seen while anchoring, on the binned scale once anchored. */
  high: number;
  /** Bin width once anchored, on the binned scale; 0 while still anchoring. */
  width: number;
  /** The first `noveltyAnchorPoints` values, kept until the width is fixed, then binned and cleared. */
  anchor: number[];
  /** Bin of the previous point, or null while anchoring. */
  previous: number | null;
  /** Bins seen, the anchoring values' included. */
  bins: number[];
  /** (previous bin, bin) pairs seen, the anchoring values' included, as `(previous + MAX_BIN)·span + (bin + MAX_BIN)`. */
  pairs: number[];
}

/** The novelty's working form: the same data with sets for O(1) look-ups. */
export interface NoveltyMemory {
  /** The serialisable part; `bins` and `pairs` there are refreshed only by {@link noveltyState}. */
  readonly state: NoveltyState;
  /** Bins seen, as a set. */
  readonly bins: Set<number>;
  /** Pairs seen, as a set. */
  readonly pairs: Set<number>;
}

/** An empty novelty memory on the given scale, or one resumed from a saved state (which keeps its own scale). */
export function createNovelty(saved?: NoveltyState, scale: NoveltyScale = 'linear'): NoveltyMemory {
  const state: NoveltyState = saved ?? {
    scale,
    offset: 0,
    n: 0,
    low: 0,
    high: 0,
    width: 0,
    anchor: [],
    previous: null,
    bins: [],
    pairs: [],
  };
  return { state, bins: new Set(state.bins), pairs: new Set(state.pairs) };
}

/** A JSON-safe copy of the memory. */
export function noveltyState(memory: NoveltyMemory): NoveltyState {
  return { ...memory.state, anchor: [...memory.state.anchor], bins: [...memory.bins], pairs: [...memory.pairs] };
}

/**
 * Marks the bin of `x` seen and, after a first point, the (previous bin, bin) pair; returns whether the
 * bin was more than {@link NEW_LEVEL_GAP} bins from every seen one and whether the pair was new.
 */
function visit(memory: NoveltyMemory, x: number): { newBin: boolean; newPair: boolean } {
  const s = memory.state;
  const bin = Math.max(-MAX_BIN, Math.min(MAX_BIN, Math.floor((x - s.low) / s.width)));
  // Only a bin with no seen bin within NEW_LEVEL_GAP is a new level: just past the edge of the seen
  // range is where a stationary noisy series sets its occasional records, which are not news.
  let newBin = !memory.bins.has(bin);
  if (newBin) {
    for (let k = -NEW_LEVEL_GAP; k <= NEW_LEVEL_GAP; k++) if (memory.bins.has(bin + k)) newBin = false;
    memory.bins.add(bin);
  }
  let newPair = false;
  if (s.previous !== null) {
    const pair = (s.previous + MAX_BIN) * PAIR_SPAN + (bin + MAX_BIN);
    newPair = !memory.pairs.has(pair);
    if (newPair) memory.pairs.add(pair);
  }
  s.previous = bin;
  if (memory.bins.size + memory.pairs.size > MAX_REMEMBERED) {
    memory.bins.clear();
    memory.pairs.clear();
  }
  return { newBin, newPair };
}

/** The value on the memory's binned scale. */
function onScale(s: NoveltyState, x: number): number {
  return s.scale === 'log' ? Math.log(Math.max(x, 0) + s.offset) : x;
}

/**
 * Fixes the bins once the anchoring values are in: on the log scale the offset is set from their range
 * (or the memory turns off when one is negative), then every anchoring value is visited.
 */
function anchor(memory: NoveltyMemory, options: ResolvedDetectorOptions, x: number): void {
  const s = memory.state;
  if (s.scale === 'log') {
    if (s.low < 0) {
      s.scale = 'off';
      s.anchor = [];
      return;
    }
    s.offset = Math.max(options.noveltyLogOffset * (s.high - s.low), Number.MIN_VALUE);
    s.low = onScale(s, s.low);
    s.high = onScale(s, s.high);
  }
  s.width = (s.high - s.low) / options.noveltyBins;
  // The anchoring values are history too: their levels and transitions are not news later.
  for (const v of s.anchor) visit(memory, onScale(s, v));
  if (s.anchor.length < s.n) visit(memory, onScale(s, x));
  s.anchor = [];
}

/**
 * Scores how new the value `x` is, then learns it. O(1).
 *
 * The first `noveltyAnchorPoints` values (and more, until they are not all equal) fix the bin width,
 * their range over `noveltyBins` on the memory's scale (bins are unbounded beyond it), and are the
 * first history of seen bins and contexts; they score 0. From then on the novelty is the mean of two
 * flags: no bin within two of the value's has been seen (a level the series has not visited: a shift,
 * a spike past the seen range, a drop into a gap), and the (previous bin, bin) context has never been
 * seen (a known level reached by a new transition). So 1 for a new level, 0.5 for a new context only,
 * else 0. Returns 0 while anchoring, when `noveltyBins` is 0, and on a log scale that is off (or
 * turned off by `noveltyLogOffset` 0).
 */
export function noveltyScore(memory: NoveltyMemory, options: ResolvedDetectorOptions, x: number): number {
  const s = memory.state;
  if (options.noveltyBins === 0 || s.scale === 'off' || (s.scale === 'log' && options.noveltyLogOffset === 0)) return 0;
  if (s.width === 0) {
    if (s.n === 0 || x < s.low) s.low = x;
    if (s.n === 0 || x > s.high) s.high = x;
    s.n++;
    if (s.anchor.length < options.noveltyAnchorPoints) s.anchor.push(x);
    // A flat start gives no scale to bin by: keep anchoring until the values spread.
    if (s.n >= options.noveltyAnchorPoints && s.high > s.low) anchor(memory, options, x);
    return 0;
  }
  const { newBin, newPair } = visit(memory, onScale(s, x));
  // A new level is always reached by a new pair.
  return ((newBin ? 1 : 0) + (newPair ? 1 : 0)) / 2;
}
