/**
 * Bucketing version. Bumping it means assignments change: the golden file
 * test/fixtures/bucketing-golden.json makes any such change visible in review.
 */
export const BUCKETING_VERSION = 1;

/** Buckets per hash: rollouts and weights are whole multiples of 0.01 % = 1 bucket. */
export const BUCKETS = 10_000;

/**
 * Seeds of the two hashes taken per (flag, user): one decides inclusion in the rollout, the
 * other the variant. Different seeds over the same bytes give independent hashes, so raising
 * a rollout adds users without changing the variant mix of those already in.
 */
export const INCLUSION_SEED = 0x5eed0001;
/** Seed of the second hash, which picks the variant of an included user (see {@link INCLUSION_SEED}). */
export const ASSIGNMENT_SEED = 0x5eed0002;

// MurmurHash3 x86_32 (Austin Appleby, public domain), written here rather than imported:
// murmurhash3js-revisited is a UMD bundle that cannot be tree-shaken, so its x64/128-bit
// variants and per-call byte validation would cost 1.8 kB min+gz of the 15 kB Edge budget
// for ~0.3 kB of code used, and it takes one seed per pass where bucketing wants two. That
// library stays the oracle: the tests compare with it on arbitrary strings and on the
// UTF-8 vectors.
// The constants are written out where they are used, not named: in the unminified build a named
// constant is a module variable the engine reads on every call (and 0xcc9e2d51, above 2^31, a boxed
// number), which cost the hot path ~10 %.
const scramble = (k: number): number => {
  const m = Math.imul(k, 0xcc9e2d51);
  return Math.imul((m << 15) | (m >>> 17), 0x1b873593);
};
const round = (h: number, k: number): number => {
  h ^= scramble(k);
  return (Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64) | 0;
};
const finish = (h: number, length: number): number => {
  h ^= length;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  // Signed 32 bits: toBucket reads it as unsigned, murmur3 converts it.
  return h ^ (h >>> 16);
};

// Scratch buffer for the hash input, reused across calls: bucketing allocates nothing for
// ids up to SCRATCH_BYTES long.
const SCRATCH_BYTES = 512;
const scratch = new Uint8Array(SCRATCH_BYTES);
const encoder = new TextEncoder();

/**
 * A flag's salt prepared for hashing: the bytes `<salt>:` are the same for every user, so the
 * hash state after their whole 4-byte blocks is computed once, for both seeds.
 */
export interface SaltState {
  /** Inclusion and assignment hash states after the salt's whole blocks. */
  readonly h1: number;
  readonly h2: number;
  /** Bytes hashed into h1/h2. */
  readonly done: number;
  /** The salt's last 0–3 bytes, hashed with the user id. */
  readonly tail: Uint8Array;
  /** The same bytes packed little-endian, to start the first block of the id. */
  readonly tailWord: number;
}

const block = (b: Uint8Array, i: number): number =>
  (b[i] as number) | ((b[i + 1] as number) << 8) | ((b[i + 2] as number) << 16) | ((b[i + 3] as number) << 24);

/** Prepares `<salt>:` for {@link bucketsOf}. Computed once per flag definition. */
export function saltState(salt: string): SaltState {
  const bytes = encoder.encode(`${salt}:`);
  const done = bytes.length & ~3;
  let h1 = INCLUSION_SEED;
  let h2 = ASSIGNMENT_SEED;
  for (let i = 0; i < done; i += 4) {
    h1 = round(h1, block(bytes, i));
    h2 = round(h2, block(bytes, i));
  }
  const tail = bytes.slice(done);
  return { h1, h2, done, tail, tailWord: tail.reduce((word, byte, i) => word | (byte << (8 * i)), 0) };
}

/**
 * Writes `head` then the UTF-8 bytes of `text` into the scratch buffer and returns the byte
 * count, or -1 when they do not fit. Kept small so the JIT inlines it; the rare cases live in
 * functions of their own.
 */
function fill(head: Uint8Array, text: string): number {
  const start = head.length;
  const length = text.length;
  if (start + length > SCRATCH_BYTES) return -1;
  // A loop, not scratch.set(): the head is 0–3 bytes and the builtin call costs more.
  for (let i = 0; i < start; i++) scratch[i] = head[i] as number;
  // ASCII fast path: one byte per UTF-16 unit, no TextEncoder call.
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) return fillUtf8(start, text);
    scratch[start + i] = code;
  }
  return start + length;
}

/** Non-ASCII: encodes the whole text after `start` bytes (a UTF-16 unit takes at most 3 bytes). */
function fillUtf8(start: number, text: string): number {
  if (start + text.length * 3 > SCRATCH_BYTES) return -1;
  return start + encoder.encodeInto(text, scratch.subarray(start)).written;
}

/** `head` + the UTF-8 bytes of `text` in a new array, for ids longer than the scratch buffer. */
function concat(head: Uint8Array, text: string): Uint8Array {
  const tail = encoder.encode(text);
  const bytes = new Uint8Array(head.length + tail.length);
  bytes.set(head, 0);
  bytes.set(tail, head.length);
  return bytes;
}

/**
 * Continues both hash states (h1, h2, after `done` bytes) over `n` bytes and finishes them.
 * Returns the packed buckets `toBucket(hash1) << 16 | toBucket(hash2)`, or with `raw` the
 * first hash itself (unsigned). One pass for both seeds, and a number rather than a tuple: the hot path
 * allocates nothing.
 */
function hashPair(h1: number, h2: number, done: number, bytes: Uint8Array, n: number, raw: boolean): number {
  const blocks = n & ~3;
  for (let i = 0; i < blocks; i += 4) {
    const k = block(bytes, i);
    h1 = round(h1, k);
    h2 = round(h2, k);
  }
  const rest = n & 3;
  if (rest > 0) {
    let k = bytes[blocks] as number;
    if (rest > 1) k |= (bytes[blocks + 1] as number) << 8;
    if (rest > 2) k |= (bytes[blocks + 2] as number) << 16;
    k = scramble(k);
    h1 ^= k;
    h2 ^= k;
  }
  if (raw) return finish(h1, done + n) >>> 0;
  return (toBucket(finish(h1, done + n)) << 16) | toBucket(finish(h2, done + n));
}

function hashText(h1: number, h2: number, done: number, head: Uint8Array, text: string, raw: boolean): number {
  const n = fill(head, text);
  if (n >= 0) return hashPair(h1, h2, done, scratch, n, raw);
  const bytes = concat(head, text);
  return hashPair(h1, h2, done, bytes, bytes.length, raw);
}

/**
 * The two buckets of a user for a flag, packed: `inclusion = p >> 16`, `assignment = p & 0xffff`,
 * each in [0, BUCKETS) (a shift and a mask rather than a division: the hot path stays in 32-bit
 * integers). Hashes the UTF-8 bytes of `<salt>:<userId>` with the inclusion and the assignment seed.
 */
export const bucketsOf = (salt: SaltState, userId: string): number => hashId(salt, userId, true);

/**
 * The inclusion bucket alone, `bucketsOf(salt, userId) >> 16`, at half the cost:
 * one hash instead of two, for what needs no variant (a toggle, a place in a layer).
 */
export const inclusionOf = (salt: SaltState, userId: string): number => hashId(salt, userId, false);

/**
 * {@link bucketsOf} (`both`) or {@link inclusionOf}. ASCII ids (the common case) are hashed straight
 * from their UTF-16 units, a byte each, four at a time: no copy, no TextEncoder. A non-ASCII unit
 * anywhere sends the id down the UTF-8 path.
 */
function hashId(salt: SaltState, userId: string, both: boolean): number {
  let h1 = salt.h1;
  let h2 = salt.h2;
  let k = salt.tailWord;
  let filled = salt.tail.length;
  let seen = 0;
  const length = userId.length;
  for (let i = 0; i < length; ) {
    // Four units at once when a block starts here (the salt's last bytes start the first one).
    // A unit above 0x7f garbles its word, but then `seen` discards the result.
    if (filled === 0 && i + 4 <= length) {
      const a = userId.charCodeAt(i);
      const b = userId.charCodeAt(i + 1);
      const c = userId.charCodeAt(i + 2);
      const d = userId.charCodeAt(i + 3);
      seen |= a | b | c | d;
      k = a | (b << 8) | (c << 16) | (d << 24);
      i += 4;
    } else {
      const code = userId.charCodeAt(i++);
      seen |= code;
      k |= code << (filled << 3);
      if (++filled < 4) continue;
    }
    h1 = round(h1, k);
    if (both) h2 = round(h2, k);
    k = 0;
    filled = 0;
  }
  if (seen > 0x7f) {
    const packed = hashText(salt.h1, salt.h2, salt.done, salt.tail, userId, false);
    return both ? packed : packed >> 16;
  }
  if (filled > 0) {
    k = scramble(k);
    h1 ^= k;
    h2 ^= k;
  }
  const n = salt.done + salt.tail.length + length;
  return both ? (toBucket(finish(h1, n)) << 16) | toBucket(finish(h2, n)) : toBucket(finish(h1, n));
}

const EMPTY = new Uint8Array(0);

/** MurmurHash3 x86_32 of the UTF-8 bytes of `text`, as an unsigned 32-bit integer. */
export function murmur3(text: string, seed = 0): number {
  return hashText(seed | 0, 0, 0, EMPTY, text, true);
}

/**
 * Maps a 32-bit hash (read as unsigned) to a bucket in [0, BUCKETS): `Math.floor(hash * BUCKETS / 2^32)`,
 * computed on its high and low 16 bits so that every step is a 32-bit integer (no float, no division):
 * `hash * B / 2^32 = (hi * B + lo * B / 2^16) / 2^16`, and flooring the inner fraction first changes
 * nothing, as it is below 1 and the outer divisor is a whole number. 10_000 is BUCKETS.
 */
export function toBucket(hash: number): number {
  return ((hash >>> 16) * 10_000 + (((hash & 0xffff) * 10_000) >>> 16)) >>> 16;
}

/** Converts a percentage with at most two decimals (0–100) to whole buckets. */
export function percentToBuckets(percent: number): number {
  return Math.round(percent * 100);
}

/**
 * Picks the index of the variant whose cumulative cut-point is above `bucket`.
 * `cutPoints` are cumulative whole-bucket weights ending at BUCKETS.
 */
export function pickVariant(cutPoints: readonly number[], bucket: number): number {
  for (let i = 0; i < cutPoints.length; i++) {
    if (bucket < (cutPoints[i] as number)) return i;
  }
  return cutPoints.length - 1;
}
