/**
 * The demo's simulated users: each reads the flags, chats a few turns (LLM completions and HTTP
 * requests recorded by telemetry) and may buy at its pricing variant's conversion rate. Every
 * draw comes from one seeded source, so the same seed gives the same numbers on every run.
 * @packageDocumentation
 */
import type { FlagsClient } from '@tiqology/elite';
import type { Telemetry } from '@tiqology/elite/telemetry';
import type { Progress } from '../progress.js';
import { PRICING, type PricingVariant } from './scenario.js';

/** What the simulation counted, for the summary and the JSON output. */
export interface SimulationTotals {
  /** Users who saw `dark-mode` on. */
  darkMode: number;
  /** Users inside the 25% rollout of `new-checkout`. */
  newCheckout: number;
  /** `purchase` events tracked. */
  purchases: number;
  /** Sum of the prices of those purchases, USD per month. */
  revenueUsd: number;
}

/** Options of {@link simulateUsers}. */
export interface SimulationOptions {
  /** How many users to simulate. */
  users: number;
  /** Source of every random draw, in [0, 1); seeded for reproducible runs. */
  random: () => number;
  /** Advanced once per user. */
  progress: Progress;
}

/**
 * Runs `users` simulated users through `flags` and `telemetry`. Yields to the event loop every
 * 250 users so the metrics server (and a scraper) can answer while it runs.
 */
export async function simulateUsers(flags: FlagsClient, telemetry: Telemetry, options: SimulationOptions): Promise<SimulationTotals> {
  const { users, random, progress } = options;
  const totals: SimulationTotals = { darkMode: 0, newCheckout: 0, purchases: 0, revenueUsd: 0 };
  for (let i = 0; i < users; i++) {
    const user = { targetingKey: `user-${String(i).padStart(5, '0')}`, plan: random() < 0.3 ? 'team' : 'personal' };
    if (await flags.isEnabled('dark-mode', user)) totals.darkMode++;
    if (await flags.isEnabled('new-checkout', user)) totals.newCheckout++;
    const variant = (await flags.getVariant('pricing-test', user)) as PricingVariant | undefined;
    recordChat(telemetry, random);
    if (variant !== undefined && random() < PRICING[variant].conversionRate) {
      flags.track('purchase', user, { value: PRICING[variant].priceUsd });
      totals.purchases++;
      totals.revenueUsd += PRICING[variant].priceUsd;
    }
    progress.tick();
    if (i % 250 === 249) await new Promise((resolve) => setImmediate(resolve));
  }
  progress.done();
  return totals;
}

/** One user's chat: 1 to 3 turns, each an LLM completion (1% fail) and the HTTP request around it. */
function recordChat(telemetry: Telemetry, random: () => number): void {
  const turns = 1 + Math.floor(random() * 3);
  for (let t = 0; t < turns; t++) {
    const inputTokens = 300 + Math.floor(random() * 1500);
    const outputTokens = 60 + Math.floor(random() * 400);
    // 80-160 tokens a second after the first one.
    const durationMs = 250 + outputTokens * (6 + 6 * random());
    const failed = random() < 0.01;
    telemetry.recordCompletion({
      provider: 'openai',
      model: 'gpt-4o-mini',
      inputTokens,
      outputTokens: failed ? 0 : outputTokens,
      durationMs,
      timeToFirstTokenMs: 150 + 300 * random(),
      status: failed ? 'error' : 'ok',
    });
    telemetry.recordRequest({ method: 'POST', route: '/api/chat', status: failed ? 502 : 200, durationMs: durationMs + 15 });
  }
}
