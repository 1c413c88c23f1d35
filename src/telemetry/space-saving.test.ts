import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SpaceSaving } from './space-saving.js';

// Streams with a few heavy keys among many light ones: keys drawn from a skewed pool.
const stream = fc.array(
  fc.record({
    key: fc.oneof({ weight: 1, arbitrary: fc.integer({ min: 0, max: 4 }) }, { weight: 3, arbitrary: fc.integer({ min: 5, max: 400 }) }),
    weight: fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.double({ min: 1e-6, max: 5, noNaN: true })),
  }),
  { maxLength: 600 },
);

const truth = (items: { key: number; weight: number }[]) => {
  const totals = new Map<string, number>();
  for (const { key, weight } of items) totals.set(`u${key}`, (totals.get(`u${key}`) ?? 0) + weight);
  return totals;
};

// Sums of doubles: allow rounding in the last bits.
const slack = (total: number) => 1e-9 * Math.max(1, total);

describe('SpaceSaving', () => {
  it('keeps the documented bounds on any stream: counters sum to the total, error ≤ total / capacity, heavy keys monitored', () => {
    fc.assert(
      fc.property(stream, fc.integer({ min: 1, max: 30 }), (items, capacity) => {
        const sketch = new SpaceSaving(capacity);
        for (const { key, weight } of items) sketch.add(`u${key}`, weight);
        const totals = truth(items);
        const total = [...totals.values()].reduce((a, b) => a + b, 0);
        const bound = total / capacity + slack(total);
        const top = sketch.top();
        expect(top.length).toBeLessThanOrEqual(capacity);
        expect(sketch.total).toBeCloseTo(total, 6);
        expect(Math.abs(top.reduce((sum, hit) => sum + hit.count, 0) - total)).toBeLessThanOrEqual(slack(total));
        const monitored = new Set(top.map((hit) => hit.key));
        for (const hit of top) {
          const real = totals.get(hit.key) as number;
          expect(hit.error).toBeLessThanOrEqual(bound);
          // count over-estimates by at most error: count − error ≤ true ≤ count.
          expect(real).toBeLessThanOrEqual(hit.count + slack(total));
          expect(hit.count - hit.error).toBeLessThanOrEqual(real + slack(total));
          expect(hit.count - real).toBeLessThanOrEqual(bound);
        }
        for (const [key, real] of totals) if (!monitored.has(key)) expect(real).toBeLessThanOrEqual(bound);
        // Sorted, largest first.
        for (let i = 1; i < top.length; i++)
          expect((top[i - 1] as { count: number }).count).toBeGreaterThanOrEqual(top[i]?.count as number);
      }),
      { numRuns: 300 },
    );
  });

  it('is exact while the keys fit in its capacity', () => {
    fc.assert(
      fc.property(stream, (items) => {
        const sketch = new SpaceSaving(500);
        for (const { key, weight } of items) sketch.add(`u${key}`, weight);
        const totals = truth(items);
        for (const hit of sketch.top()) {
          expect(hit.error).toBe(0);
          expect(hit.count).toBeCloseTo(totals.get(hit.key) as number, 6);
        }
        expect(sketch.top()).toHaveLength(totals.size);
      }),
    );
  });

  it('finds the heavy spender among many one-off users, and the bound is tight enough to matter', () => {
    const sketch = new SpaceSaving(10);
    for (let i = 0; i < 10_000; i++) {
      sketch.add(`user-${i}`, 0.001);
      if (i % 10 === 0) sketch.add('whale', 0.01);
    }
    const [first] = sketch.top();
    expect(first?.key).toBe('whale');
    // The whale spent $10 of $20; its count is within $2 (total / 10) of that.
    expect(first?.count).toBeGreaterThanOrEqual(10 - 1e-9);
    expect((first?.count as number) - 10).toBeLessThanOrEqual(2);
    expect(first?.error).toBeLessThanOrEqual(2);
  });

  it('ignores weights that are not > 0 and finite, and forgets everything on reset', () => {
    const sketch = new SpaceSaving(2);
    sketch.add('a', 0);
    sketch.add('a', -1);
    sketch.add('a', Number.NaN);
    sketch.add('a', Number.POSITIVE_INFINITY);
    expect(sketch.top()).toEqual([]);
    sketch.add('a', 1);
    sketch.add('b', 2);
    sketch.add('c', 3);
    expect(sketch.top()).toEqual([
      { key: 'c', count: 4, error: 1 },
      { key: 'b', count: 2, error: 0 },
    ]);
    sketch.reset();
    expect(sketch.top()).toEqual([]);
    expect(sketch.total).toBe(0);
  });
});
