/**
 * Revenue and LLM cost side by side in one experiment, end to end on the memory store: exposures
 * from a real flags client, purchases from `track()`, LLM cost from telemetry's experiment events,
 * and `results({ analysis })` reading them as a goal and a guardrail.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../../src/adapters/memory.js';
import { createFlags } from '../../src/flags/create-flags.js';
import type { FlagDefinition } from '../../src/flags/types.js';
import { createTelemetry } from '../../src/telemetry/telemetry.js';

const quiet = { warn: () => {}, error: () => {} };
const flag: FlagDefinition = {
  key: 'long-prompt',
  environment: 'production',
  enabled: true,
  variants: [
    { key: 'control', weight: 50 },
    { key: 'long', weight: 50 },
  ],
};

describe('LLM cost as an experiment metric', () => {
  it('reads revenue per user and LLM cost per user from the same store, with the cost as a guardrail', async () => {
    const storage = createMemoryStorage({ flags: [flag] });
    const flags = createFlags({ storage, logger: quiet });
    const telemetry = createTelemetry({ logger: quiet, experimentEvents: { client: flags } });
    const sums: Record<string, { users: number; revenue: number; cost: number }> = {};
    let state = 7;
    const rand = () => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return state / 2147483648;
    };
    for (let i = 0; i < 2_000; i++) {
      const user = `user-${i}`;
      const variant = (await flags.getVariant('long-prompt', user)) as string;
      sums[variant] ??= { users: 0, revenue: 0, cost: 0 };
      const row = sums[variant];
      row.users++;
      // The long prompt sells a little more and costs three times the tokens.
      if (rand() < (variant === 'long' ? 0.12 : 0.1)) {
        flags.track('purchase', user, { value: 20 });
        row.revenue += 20;
      }
      const inputTokens = variant === 'long' ? 3_000 : 1_000;
      const costUsd = inputTokens * 1e-6 * (0.5 + rand());
      telemetry.recordCompletion({
        provider: 'openai',
        model: 'gpt-4o-mini',
        status: 'ok',
        inputTokens,
        outputTokens: 100,
        durationMs: 500,
        costUsd,
        userId: user,
      });
      row.cost += costUsd;
    }
    await flags.flush();
    const results = await flags.results('long-prompt', {
      analysis: {
        metrics: [
          { key: 'revenue', kind: 'mean', source: { event: 'purchase' } },
          { key: 'llm-cost', kind: 'mean', source: { event: 'llm.cost_usd' }, direction: 'decrease' },
        ],
        goal: 'revenue',
        guardrails: ['llm-cost'],
      },
    });
    const analysis = results.analysis!;
    const byKey = Object.fromEntries(analysis.metrics.map((m) => [m.key, m]));
    for (const m of ['revenue', 'llm-cost'] as const) {
      for (const v of byKey[m]!.variants) {
        const expected = m === 'revenue' ? sums[v.variant]!.revenue : sums[v.variant]!.cost;
        expect(v.units, `${m} ${v.variant}`).toBe(sums[v.variant]!.users);
        expect(v.mean, `${m} ${v.variant}`).toBeCloseTo(expected / sums[v.variant]!.users, 12);
      }
    }
    // Three times the cost per user is harm the guardrail sees at once.
    const cost = byKey['llm-cost']!.variants.find((v) => v.variant === 'long')!;
    expect(cost.comparison?.outcome).toBe('HARM');
    expect(analysis.decision).not.toBe('SHIP');
    await flags.close();
    await telemetry.shutdown();
  });
});
