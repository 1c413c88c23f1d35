import { afterEach, describe, expect, it, vi } from 'vitest';
import { coarseNow, resetCoarseNow } from './clock.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('coarseNow', () => {
  it('reads Date.now at most once per millisecond, then follows it', () => {
    vi.useFakeTimers({ now: 1_000_000 });
    resetCoarseNow(); // a reading cached before the fake clock
    const spy = vi.spyOn(Date, 'now');
    const first = coarseNow();
    expect(coarseNow()).toBe(first);
    expect(coarseNow()).toBe(first);
    expect(spy).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(60_000);
    expect(coarseNow()).toBe(first + 60_000);
    expect(spy).toHaveBeenCalledTimes(2);
    spy.mockRestore();
  });
});
