
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
export const ASSIGNMENT_SEED = 0x5eed0002;

// Scratch buffer for the hash input, reused across calls: bucketing allocates nothing for
// ids up to SCRATCH_BYTES long.
const SCRATCH_BYTES = 512;
const scratch = new Uint8Array(SCRATCH_BYTES);
const encoder = new TextEncoder();

/**
 * MurmurHash3 x86_32 of `length` bytes of `bytes` (Austin Appleby's public-domain algorithm).
 *
 * Written here rather than imported: murmurhash3js-revisited is a UMD bundle that cannot be
 * tree-shaken, so its x64/128-bit variants and per-call byte validation cost 1.8 kB min+gz
 * of the 13 kB Edge budget for ~0.3 kB of code we use. That library stays the oracle: the
 * tests compare this function with it on arbitrary strings and on the UTF-8 vectors.
 */
function hashBytes(bytes: Uint8Array, length: number, seed: number): number {
  let h = seed >>> 0;
  const blocks = length & ~3;
  let k: number;
  for (let i = 0; i < blocks; i += 4) {
    k = (bytes[i] as number) | ((bytes[i + 1] as number) << 8) | ((bytes[i + 2] as number) << 16) | ((bytes[i + 3] as number) << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = length & 3;
  if (tail > 0) {
    k = bytes[blocks] as number;
    if (tail > 1) k ^= (bytes[blocks + 1] as number) << 8;
    if (tail > 2) k ^= (bytes[blocks + 2] as number) << 16;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
  }
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Writes `prefix` (already UTF-8) then the UTF-8 bytes of `text` into the scratch buffer and
 * returns the number of bytes written, or -1 when they do not fit.
 */
function fill(prefix: Uint8Array, text: string): number {
  const start = prefix.length;
  scratch.set(prefix, 0);
  const length = text.length;
  if (start + length > SCRATCH_BYTES) return -1;
  // ASCII fast path: one byte per UTF-16 unit, no TextEncoder call.
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) {
      // Non-ASCII: encode the whole id (each UTF-16 unit takes at most 3 bytes).
      if (start + length * 3 > SCRATCH_BYTES) return -1;
      const { written } = encoder.encodeInto(text, scratch.subarray(start));
      return start + written;
    }
    scratch[start + i] = code;
  }
  return start + length;
}

/** MurmurHash3 x86_32 of the UTF-8 bytes of `text`, as an unsigned 32-bit integer. */
export function murmur3(text: string, seed = 0): number {
  return hashInput(EMPTY, text, seed);
}

const EMPTY = new Uint8Array(0);

function hashInput(prefix: Uint8Array, text: string, seed: number): number {
  const n = fill(prefix, text);
  if (n >= 0) return hashBytes(scratch, n, seed);
  const tail = encoder.encode(text);
  const bytes = new Uint8Array(prefix.length + tail.length);
  bytes.set(prefix, 0);
  bytes.set(tail, prefix.length);
  return hashBytes(bytes, bytes.length, seed);
}

/** Maps a 32-bit hash to a bucket in [0, BUCKETS) with integer arithmetic (exact below 2^53). */
export function toBucket(hash: number): number {
  return Math.floor((hash * BUCKETS) / 4294967296);
}

/** The UTF-8 bytes hashed before the user id: `<salt>:`. Computed once per flag. */
export function saltPrefix(salt: string): Uint8Array {
  return encoder.encode(`${salt}:`);
}

/** The two buckets of a user for a flag: `[inclusion, assignment]`, each in [0, BUCKETS). */
export function bucketsOf(prefix: Uint8Array, userId: string): [inclusion: number, assignment: number] {
  const n = fill(prefix, userId);
  if (n >= 0) return [toBucket(hashBytes(scratch, n, INCLUSION_SEED)), toBucket(hashBytes(scratch, n, ASSIGNMENT_SEED))];
  return [toBucket(hashInput(prefix, userId, INCLUSION_SEED)), toBucket(hashInput(prefix, userId, ASSIGNMENT_SEED))];
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
