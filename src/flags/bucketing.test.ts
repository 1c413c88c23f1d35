import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import murmurHash3 from 'murmurhash3js-revisited';
import { describe, expect, it, vi } from 'vitest';
import {
  BUCKETS,
  inclusionOf,
  murmur3,
  bucketsOf as packedBuckets,
  pickVariant,
  type SaltState,
  saltState,
  toBucket,
} from './bucketing.js';

/** The two buckets, unpacked. */
const bucketsOf = (state: SaltState, user: string): [number, number] => {
  const packed = packedBuckets(state, user);
  return [packed >> 16, packed & 0xffff];
};

interface Vectors {
  murmur3_x86_32_seed0_utf8: { input: string; hash: number }[];
  murmur3_x86_32_seeded_utf8: { input: string; seed: number; hash: number }[];
  unleash_normalized_ascii: { input?: string; group_id?: string; id?: string; seed?: number; normalized?: number }[];
}
const vectors = JSON.parse(readFileSync(new URL('../../test/fixtures/murmur3/vectors.json', import.meta.url), 'utf8')) as Vectors;

/** Chi-square upper-tail p-value by the Wilson–Hilferty normal approximation (good for df ≥ 10). */
function chiSquareP(stat: number, df: number): number {
  const z = ((stat / df) ** (1 / 3) - (1 - 2 / (9 * df))) / Math.sqrt(2 / (9 * df));
  // Upper tail of the standard normal via the complementary error function (Abramowitz–Stegun 7.1.26).
  const t = 1 / (1 + 0.3275911 * (Math.abs(z) / Math.SQRT2));
  const erfc = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-(z * z) / 2);
  return z >= 0 ? erfc / 2 : 1 - erfc / 2;
}

describe('murmur3 over UTF-8', () => {
  it.each(vectors.murmur3_x86_32_seed0_utf8)('hashes $input', ({ input, hash }) => {
    expect(murmur3(input)).toBe(hash);
  });

  it.each(vectors.murmur3_x86_32_seeded_utf8)('hashes $input with seed $seed', ({ input, seed, hash }) => {
    expect(murmur3(input, seed)).toBe(hash);
  });

  it('covers non-ASCII input in the vectors', () => {
    expect(vectors.murmur3_x86_32_seed0_utf8.some((v) => /[^\x00-\x7f]/.test(v.input))).toBe(true);
  });

  it('hashes ids longer than the scratch buffer the same as the bytes they encode', () => {
    const long = 'ü'.repeat(400) + 'x'.repeat(300);
    const bytes = new TextEncoder().encode(long);
    // Same hash as hashing via a prefix of zero bytes and the whole string.
    const [a, b] = bucketsOf(saltState('long'), long);
    expect(a).toBe(toBucket(murmur3(`long:${long}`, 0x5eed0001)));
    expect(b).toBe(toBucket(murmur3(`long:${long}`, 0x5eed0002)));
    expect(bytes.length).toBeGreaterThan(512);
  });

  it('matches TextEncoder bytes for arbitrary strings, ASCII or not', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => {
        // Reference: the library over the bytes TextEncoder produces (lone surrogates → U+FFFD).
        expect(murmur3(s)).toBe(murmurHash3.x86.hash32(new TextEncoder().encode(s), 0));
        expect(murmur3(s, 86028157)).toBe(murmurHash3.x86.hash32(new TextEncoder().encode(s), 86028157));
      }),
    );
  });
});

describe('buckets', () => {
  const users = Array.from({ length: 100_000 }, (_, i) => `user-${i}`);
  const prefix = saltState('pricing-test');

  it('maps hashes to [0, BUCKETS) with integer cut-points', () => {
    expect(toBucket(0)).toBe(0);
    expect(toBucket(0xffffffff)).toBe(BUCKETS - 1);
    expect(toBucket(429497)).toBe(1); // first hash past 2^32 / 10 000
    expect(toBucket(429496)).toBe(0);
    expect(pickVariant([3400, 6700, 10_000], 3399)).toBe(0);
    expect(pickVariant([3400, 6700, 10_000], 3400)).toBe(1);
    expect(pickVariant([3400, 6700, 10_000], 9999)).toBe(2);
  });

  it('maps every hash as floor(hash * BUCKETS / 2^32) does, signed or unsigned', () => {
    const exact = (hash: number) => Math.floor(((hash >>> 0) * BUCKETS) / 2 ** 32);
    // Each bucket's first and last hash, and arbitrary ones.
    for (let bucket = 0; bucket < BUCKETS; bucket++) {
      const first = Math.ceil((bucket * 2 ** 32) / BUCKETS);
      for (const hash of [first - 1, first, first + 1]) if (hash >= 0 && hash < 2 ** 32) expect(toBucket(hash)).toBe(exact(hash));
    }
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (hash) => toBucket(hash) === exact(hash) && toBucket(hash | 0) === exact(hash)),
      { numRuns: 20_000 },
    );
  });

  it('assignment is independent of inclusion (chi-square p > 0.01 over 100k users)', () => {
    const table = Array.from({ length: 10 }, () => new Array<number>(10).fill(0));
    for (const user of users) {
      const [inclusion, assignment] = bucketsOf(prefix, user);
      const row = table[Math.floor(inclusion / 1000)] as number[];
      const col = Math.floor(assignment / 1000);
      row[col] = (row[col] as number) + 1;
    }
    const expected = users.length / 100;
    const stat = table.flat().reduce((sum, observed) => sum + (observed - expected) ** 2 / expected, 0);
    expect(chiSquareP(stat, 81)).toBeGreaterThan(0.01);
  });

  it('inclusion buckets are uniform (chi-square p > 0.01 over 100 bins)', () => {
    const bins = new Array<number>(100).fill(0);
    for (const user of users) {
      const bin = Math.floor(bucketsOf(prefix, user)[0] / 100);
      bins[bin] = (bins[bin] as number) + 1;
    }
    const expected = users.length / 100;
    const stat = bins.reduce((sum, observed) => sum + (observed - expected) ** 2 / expected, 0);
    expect(chiSquareP(stat, 99)).toBeGreaterThan(0.01);
  });

  it('the p-value helper rejects a skewed table', () => {
    // 10x10 table with one heavy cell: far from independence.
    expect(chiSquareP(500, 81)).toBeLessThan(1e-6);
    expect(chiSquareP(81, 81)).toBeGreaterThan(0.3);
  });

  it('different salts give unrelated buckets (changing one flag never moves users of another)', () => {
    const other = saltState('new-checkout');
    let same = 0;
    for (const user of users.slice(0, 10_000)) {
      if (Math.floor(bucketsOf(prefix, user)[1] / 5000) === Math.floor(bucketsOf(other, user)[1] / 5000)) same++;
    }
    // Two independent fair coins agree half the time: 5000 ± 3σ (σ = 50).
    expect(Math.abs(same - 5000)).toBeLessThan(150);
  });

  it('hashes <salt>:<id> with both seeds, whatever the salt length (precomputed blocks)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), fc.string({ unit: 'grapheme', maxLength: 30 }), (salt, id) => {
        const [a, b] = bucketsOf(saltState(salt), id);
        const bytes = new TextEncoder().encode(`${salt}:${id}`);
        expect(a).toBe(toBucket(murmurHash3.x86.hash32(bytes, 0x5eed0001)));
        expect(b).toBe(toBucket(murmurHash3.x86.hash32(bytes, 0x5eed0002)));
      }),
    );
  });

  it('computes the inclusion bucket alone as the reference MurmurHash3 does, ASCII or not', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), fc.string({ unit: 'grapheme', maxLength: 30 }), (salt, id) => {
        const bytes = new TextEncoder().encode(`${salt}:${id}`);
        expect(inclusionOf(saltState(salt), id)).toBe(toBucket(murmurHash3.x86.hash32(bytes, 0x5eed0001)));
      }),
    );
    for (const user of users.slice(0, 2000)) expect(inclusionOf(prefix, user)).toBe(bucketsOf(prefix, user)[0]);
  });

  it('hashes ASCII ids without TextEncoder; non-ASCII ids go through it', () => {
    const encode = vi.spyOn(TextEncoder.prototype, 'encode');
    const encodeInto = vi.spyOn(TextEncoder.prototype, 'encodeInto');
    try {
      for (const user of users.slice(0, 1000)) bucketsOf(prefix, user);
      expect(encode).not.toHaveBeenCalled();
      expect(encodeInto).not.toHaveBeenCalled();
      bucketsOf(prefix, 'josé');
      expect(encodeInto).toHaveBeenCalledTimes(1);
    } finally {
      encode.mockRestore();
      encodeInto.mockRestore();
    }
  });

  it('is stable for a user whatever else is hashed in between', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (a, b) => {
        const first = bucketsOf(prefix, a);
        bucketsOf(prefix, b);
        expect(bucketsOf(prefix, a)).toEqual(first);
      }),
    );
  });
});
