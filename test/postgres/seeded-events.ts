/** Seeded random experiment events shared by the real-database suites (results parity with the memory store). */
import type { FlagEvent } from '../../src/adapters/types.js';

/** A linear congruential generator in [0, 1): the same sequence for the same seed. */
export function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff;
    return state / 0x80000000;
  };
}

export const VARIANTS = ['control', 'variant-a', 'variant-b'];

/**
 * `count` events of flag `pricing-test` over 2026-01-01 (UTC) among `users` users: an exposure to one of
 * {@link VARIANTS} with probability `exposureShare`, else a `purchase` (70%) or `signup` conversion with a value.
 * Re-exposures, conversions before exposure and of never-exposed users all occur.
 */
export function seededExperimentEvents(options: { count: number; users: number; exposureShare: number; seed: number }): FlagEvent[] {
  const rand = seededRandom(options.seed);
  const events: FlagEvent[] = [];
  for (let i = 0; i < options.count; i++) {
    const userId = `user-${Math.floor(rand() * options.users)}`;
    const occurredAt = new Date(Date.UTC(2026, 0, 1) + Math.floor(rand() * 86_400_000)).toISOString();
    if (rand() < options.exposureShare) {
      events.push({
        type: 'exposure',
        environment: 'production',
        flagKey: 'pricing-test',
        variant: VARIANTS[Math.floor(rand() * 3)] as string,
        userId,
        occurredAt,
      });
    } else {
      events.push({
        type: 'conversion',
        environment: 'production',
        userId,
        eventName: rand() < 0.7 ? 'purchase' : 'signup',
        value: Math.floor(rand() * 100),
        occurredAt,
      });
    }
  }
  return events;
}
