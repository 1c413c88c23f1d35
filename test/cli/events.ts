import type { FlagDefinition, FlagEvent } from '../../src/index.js';

/** A two-variant experiment, as a flags file holds it. */
export const PRICING: FlagDefinition = {
  key: 'pricing',
  environment: 'production',
  enabled: true,
  variants: [
    { key: 'control', weight: 50 },
    { key: 'variant-b', weight: 50 },
  ],
};

/**
 * Exposures of `users` users per variant, and conversions (`purchase`) of the first
 * `converted[variant]` of them one minute later; all on 2026-01-10.
 */
export function experimentEvents(users: number, converted: Record<string, number>, eventName = 'purchase'): FlagEvent[] {
  const events: FlagEvent[] = [];
  for (const [variant, conversions] of Object.entries(converted)) {
    for (let i = 0; i < users; i++) {
      const userId = `${variant}-${i}`;
      events.push({
        type: 'exposure',
        environment: 'production',
        flagKey: 'pricing',
        variant,
        userId,
        occurredAt: '2026-01-10T10:00:00.000Z',
      });
      if (i < conversions) {
        events.push({ type: 'conversion', environment: 'production', userId, eventName, occurredAt: '2026-01-10T10:01:00.000Z' });
      }
    }
  }
  return events;
}
