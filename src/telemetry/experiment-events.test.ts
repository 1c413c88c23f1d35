import { describe, expect, it, vi } from 'vitest';
import { createMemoryStorage } from '../adapters/memory.js';
import { createFlags } from '../flags/create-flags.js';
import type { FlagDefinition } from '../flags/types.js';
import { EliteError } from '../internal/errors.js';
import { EXPERIMENT_EVENT_NAMES } from './experiment-events.js';
import { computeCostUsd, DEFAULT_PRICES } from './llm.js';
import { createTelemetry } from './telemetry.js';
import type { CompletionRecord } from './types.js';

const quiet = { warn: () => {}, error: () => {} };
const experiment: FlagDefinition = {
  key: 'prompt-test',
  environment: 'production',
  enabled: true,
  variants: [
    { key: 'control', weight: 50 },
    { key: 'long-prompt', weight: 50 },
  ],
};
const call = (userId: string | undefined, inputTokens: number, outputTokens: number): CompletionRecord => ({
  provider: 'openai',
  model: 'gpt-4o-mini',
  status: 'ok',
  inputTokens,
  outputTokens,
  durationMs: inputTokens / 10,
  ...(userId === undefined ? {} : { userId }),
});

describe('LLM usage as experiment events', () => {
  it("puts each user's LLM cost in the variant they were exposed to, read back by results()", async () => {
    const storage = createMemoryStorage({ flags: [experiment] });
    const flags = createFlags({ storage, logger: quiet });
    const telemetry = createTelemetry({ logger: quiet, experimentEvents: { client: flags, events: ['cost', 'tokens', 'latency'] } });
    const expected: Record<string, { cost: number; tokens: number; users: number }> = {};
    for (let i = 0; i < 40; i++) {
      const user = `user-${i}`;
      const variant = (await flags.getVariant('prompt-test', user)) as string;
      // The long prompt costs more: 3× the input tokens.
      const input = variant === 'long-prompt' ? 3_000 : 1_000;
      telemetry.recordCompletion(call(user, input, 200));
      expected[variant] ??= { cost: 0, tokens: 0, users: 0 };
      const row = expected[variant];
      row.cost += computeCostUsd({ inputTokens: input, outputTokens: 200 }, DEFAULT_PRICES['gpt-4o-mini']!);
      row.tokens += input + 200;
      row.users++;
    }
    await flags.flush();
    const cost = await flags.results('prompt-test', { event: EXPERIMENT_EVENT_NAMES.cost });
    for (const v of cost.variants) {
      expect(v.exposures, v.variant).toBe(expected[v.variant]!.users);
      expect(v.conversions, v.variant).toBe(expected[v.variant]!.users);
      expect(v.valueSum, v.variant).toBeCloseTo(expected[v.variant]!.cost, 12);
    }
    const tokens = await flags.results('prompt-test', { event: EXPERIMENT_EVENT_NAMES.tokens });
    for (const v of tokens.variants) expect(v.valueSum, v.variant).toBe(expected[v.variant]!.tokens);
    const latency = storage.events.filter((e) => e.eventName === EXPERIMENT_EVENT_NAMES.latency);
    expect(latency.map((e) => e.value)).toEqual(
      storage.events.filter((e) => e.eventName === 'llm.tokens').map((e) => (e.value! - 200) / 10),
    );
    await flags.close();
    await telemetry.shutdown();
  });

  it('takes the user from the attribution scope, sends only cost by default, and nothing for a call without a user', async () => {
    const track = vi.fn();
    const telemetry = createTelemetry({ logger: quiet, experimentEvents: { client: { track } } });
    telemetry.recordCompletion(call(undefined, 100, 10));
    telemetry.withAttribution({ userId: 'scoped' }, () => telemetry.recordCompletion(call(undefined, 100, 10)));
    telemetry.recordCompletion({ ...call('explicit', 100, 10), costUsd: 0.25 });
    telemetry.recordCompletion(call('', 100, 10));
    expect(track.mock.calls.map(([event, user, options]) => [event, user, options.value > 0])).toEqual([
      ['llm.cost_usd', 'scoped', true],
      ['llm.cost_usd', 'explicit', true],
    ]);
    expect(track.mock.calls[1]![2]).toEqual({ value: 0.25 });
    await telemetry.shutdown();
  });

  it('a client whose track throws costs the events, never the record: counted, exported, warned about once', async () => {
    const warn = vi.fn();
    const telemetry = createTelemetry({
      logger: { warn, error: () => {} },
      experimentEvents: {
        client: {
          track: () => {
            throw new Error('buffer closed');
          },
        },
      },
    });
    expect(() => {
      telemetry.recordCompletion(call('u1', 100, 10));
      telemetry.recordCompletion(call('u2', 100, 10));
    }).not.toThrow();
    expect(telemetry.stats().failedExperimentEvents).toBe(2);
    expect(telemetry.snapshot().completions).toBe(2);
    expect(warn.mock.calls.filter(([line]) => String(line).includes('experimentEvents'))).toHaveLength(1);
    const text = await (await telemetry.registry()).metrics();
    expect(text).toContain('elite_telemetry_dropped_total{reason="experiment_event_failed"} 2');
    await telemetry.shutdown();
  });

  it.each([
    ['experimentEvents.client', { client: {} }],
    ['experimentEvents.client', { client: null }],
    ['experimentEvents.events', { client: { track: () => {} }, events: ['cost', 'price'] }],
    ['experimentEvents.events', { client: { track: () => {} }, events: 'cost' }],
  ])('refuses a bad option at creation with INVALID_OPTIONS naming %s (case %#)', (field, experimentEvents) => {
    const attempt = () => createTelemetry({ logger: quiet, experimentEvents: experimentEvents as never });
    expect(attempt).toThrow(EliteError);
    try {
      attempt();
    } catch (error) {
      expect((error as EliteError).code).toBe('INVALID_OPTIONS');
      expect((error as EliteError).field).toBe(field);
    }
  });
});
