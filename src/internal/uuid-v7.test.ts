import { describe, expect, it } from 'vitest';
import { uuidV7 } from './uuid-v7.js';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('uuidV7', () => {
  it('is a version 7 UUID whose first 48 bits are the time in milliseconds', () => {
    const at = Date.UTC(2026, 11, 5, 4, 30, 12, 345);
    const id = uuidV7(at);
    expect(id).toMatch(V7);
    expect(Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(at);
    expect(uuidV7()).toMatch(V7);
  });

  it('sorts in time order across milliseconds, and is unique within one', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => uuidV7(1_700_000_000_000 + Math.floor(i / 10)));
    const byTime = (a: string, b: string) => a.slice(0, 13).localeCompare(b.slice(0, 13));
    expect([...ids].sort(byTime)).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    // 74 random bits and the variant's fixed 1 bit (binary 10xx): 38 bits set on average (the mean of
    // 1000 ids has a standard deviation of 0.14).
    const bits = ids.map((id) =>
      [...(id.slice(15, 18) + id.slice(19).replace('-', ''))]
        .map((h) => Number.parseInt(h, 16).toString(2).replace(/0/g, '').length)
        .reduce((a, b) => a + b, 0),
    );
    const mean = bits.reduce((a, b) => a + b, 0) / bits.length;
    expect(mean).toBeGreaterThan(37);
    expect(mean).toBeLessThan(39);
  });

  it('keeps 48 bits of time at the edges', () => {
    expect(uuidV7(0).slice(0, 13)).toBe('00000000-0000');
    expect(uuidV7(2 ** 48 - 1).slice(0, 13)).toBe('ffffffff-ffff');
  });

  it('spells the time given to each call, whatever the call before was given', () => {
    const times = [5, 5, 2 ** 40, 5, 2 ** 40 + 1, 0, 0, 2 ** 48 - 1];
    const fields = times.map((t) => Number.parseInt(uuidV7(t).slice(0, 13).replace('-', ''), 16));
    expect(fields).toEqual(times);
  });
});
