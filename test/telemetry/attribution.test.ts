import type { ReadableSpan } from '@opentelemetry/sdk-trace-node';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isEliteError } from '../../src/internal/errors.js';
import {
  ATTRIBUTION_ATTRIBUTES as A,
  type CompletionRecord,
  createTelemetry,
  type Telemetry,
  withAttribution,
} from '../../src/telemetry/index.js';
import { startOpenAIServer } from './openai-server.js';
import { captureSpans } from './span-capture.js';

const exporter = captureSpans();
let server: Awaited<ReturnType<typeof startOpenAIServer>>;
const quiet = { warn: () => {}, error: () => {} };

beforeAll(async () => {
  server = await startOpenAIServer();
});
afterAll(async () => {
  await server.close();
});

/** Every sample of a metric as { labels-string: value }. */
const samples = async (t: Telemetry, name: string) => {
  const out: Record<string, number> = {};
  for (const line of (await t.metrics()).split('\n')) {
    const match = new RegExp(`^${name}(\\{[^}]*\\})? (\\S+)$`).exec(line);
    if (match) out[match[1] ?? ''] = Number(match[2]);
  }
  return out;
};
const sum = (values: Record<string, number>) => Object.values(values).reduce((a, b) => a + b, 0);
const chatSpans = (): ReadableSpan[] => exporter.getFinishedSpans().filter((s) => s.name.startsWith('chat '));
const messages = [{ role: 'user' as const, content: 'Say hello' }];
const completion = (costUsd: number, extra: Partial<CompletionRecord> = {}): CompletionRecord => ({
  provider: 'openai',
  model: 'gpt-4o',
  inputTokens: 10,
  outputTokens: 5,
  durationMs: 100,
  status: 'ok',
  costUsd,
  ...extra,
});

describe('attribution on spans and metrics of instrumented calls', () => {
  let t: Telemetry;
  let client: OpenAI;
  beforeEach(() => {
    t = createTelemetry({ logger: quiet, attribution: { flags: ['new-prompt'] } });
    client = t.instrumentOpenAI(new OpenAI({ apiKey: 'sk-test', baseURL: server.baseURL, maxRetries: 0 }));
  });

  it('puts user.id, session.id, app.feature and one feature_flag.evaluation event per flag on the span', async () => {
    await t.withAttribution(
      { userId: 'u-1', sessionId: 's-9', feature: 'search', flags: { 'new-prompt': 'treatment', 'dark-mode': 'on' } },
      () => client.chat.completions.create({ model: 'gpt-4o', messages }),
    );
    const [span] = chatSpans();
    expect(span?.attributes).toMatchObject({ [A.USER_ID]: 'u-1', [A.SESSION_ID]: 's-9', [A.FEATURE]: 'search' });
    expect(span?.events.map((e) => [e.name, e.attributes])).toEqual([
      [A.FLAG_EVALUATION_EVENT, { [A.FLAG_KEY]: 'new-prompt', [A.FLAG_VARIANT]: 'treatment' }],
      [A.FLAG_EVALUATION_EVENT, { [A.FLAG_KEY]: 'dark-mode', [A.FLAG_VARIANT]: 'on' }],
    ]);
    // Cost by feature and by the listed flag's variant; the unlisted flag is on the span only.
    const cost = await samples(t, 'llm_cost_usd_total');
    expect(await samples(t, 'llm_feature_cost_usd_total')).toEqual({ '{feature="search"}': sum(cost) });
    expect(await samples(t, 'llm_feature_completions_total')).toEqual({ '{feature="search"}': 1 });
    expect(await samples(t, 'llm_variant_cost_usd_total')).toEqual({ '{flag="new-prompt",variant="treatment"}': sum(cost) });
    expect(await samples(t, 'llm_variant_completions_total')).toEqual({ '{flag="new-prompt",variant="treatment"}': 1 });
    expect(sum(cost)).toBeGreaterThan(0);
  });

  it('a call outside any scope carries no attribution and adds to no attribution metric', async () => {
    await client.chat.completions.create({ model: 'gpt-4o', messages });
    const [span] = chatSpans();
    expect(Object.keys(span?.attributes ?? {}).filter((k) => k.startsWith('user.') || k.startsWith('app.'))).toEqual([]);
    expect(span?.events).toEqual([]);
    expect(await samples(t, 'llm_feature_cost_usd_total')).toEqual({});
  });

  it('a stream keeps the attribution of the scope it was created in, even when read outside it', async () => {
    const stream = await t.withAttribution({ userId: 'u-2', feature: 'chat' }, () =>
      client.chat.completions.create({ model: 'gpt-4o', messages, stream: true }),
    );
    await t.withAttribution({ userId: 'someone-else', feature: 'other' }, async () => {
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      expect(text).toBe('Hello there!');
    });
    const [span] = chatSpans();
    expect(span?.attributes).toMatchObject({ [A.USER_ID]: 'u-2', [A.FEATURE]: 'chat' });
    expect(Object.keys(await samples(t, 'llm_feature_completions_total'))).toEqual(['{feature="chat"}']);
  });

  it('nested scopes add to the outer one (inner fields win, flags merged) and hold across awaits', async () => {
    await withAttribution({ userId: 'u-3', feature: 'outer', flags: { 'new-prompt': 'control' } }, async () => {
      await new Promise((r) => setTimeout(r, 5));
      await withAttribution({ feature: 'inner', flags: { other: 'x' } }, async () => {
        await new Promise((r) => setImmediate(r));
        await client.chat.completions.create({ model: 'gpt-4o', messages });
      });
    });
    const [span] = chatSpans();
    expect(span?.attributes).toMatchObject({ [A.USER_ID]: 'u-3', [A.FEATURE]: 'inner' });
    expect(span?.events.map((e) => e.attributes?.[A.FLAG_KEY])).toEqual(['new-prompt', 'other']);
    expect(Object.keys(await samples(t, 'llm_variant_completions_total'))).toEqual(['{flag="new-prompt",variant="control"}']);
  });
});

describe('attribution metrics of recordCompletion', () => {
  const clock = () => {
    let now = 1_000_000;
    return { now: () => now, advance: (ms: number) => (now += ms) };
  };

  it('record fields override the scope; a bad field is ignored (warned once), never thrown', async () => {
    const warnings: string[] = [];
    const t = createTelemetry({ logger: { warn: (m: string) => warnings.push(m), error: () => {} } });
    t.withAttribution({ feature: 'scoped' }, () => {
      t.recordCompletion(completion(1));
      t.recordCompletion(completion(2, { feature: 'explicit' }));
      t.recordCompletion(completion(4, { feature: 42 as unknown as string, userId: {} as unknown as string }));
      t.recordCompletion(completion(8, { flags: 'x' as unknown as Record<string, string> }));
    });
    expect(await samples(t, 'llm_feature_cost_usd_total')).toEqual({ '{feature="scoped"}': 9, '{feature="explicit"}': 2 });
    expect(sum(await samples(t, 'llm_cost_usd_total'))).toBe(15);
    expect(warnings.filter((w) => w.includes('attribution'))).toHaveLength(1);
    expect(t.stats().invalidRecords).toBe(0);
  });

  it('feature labels are capped like every family: past maxSeriesPerMetric new features go to _overflow', async () => {
    const t = createTelemetry({ logger: quiet, maxSeriesPerMetric: 3 });
    for (let i = 0; i < 10; i++) t.recordCompletion(completion(1, { feature: `f${i}` }));
    const features = await samples(t, 'llm_feature_cost_usd_total');
    expect(Object.keys(features)).toHaveLength(4);
    expect(features['{feature="_overflow"}']).toBe(7);
    expect(sum(features)).toBe(10);
  });

  it('variant labels only for the flags the app lists', async () => {
    const t = createTelemetry({ logger: quiet, attribution: { flags: ['a'] } });
    t.recordCompletion(completion(1, { flags: { a: 'on', b: 'on' } }));
    t.recordCompletion(completion(2, { flags: { a: 'off' } }));
    expect(await samples(t, 'llm_variant_cost_usd_total')).toEqual({ '{flag="a",variant="on"}': 1, '{flag="a",variant="off"}': 2 });
    const none = createTelemetry({ logger: quiet });
    none.recordCompletion(completion(1, { flags: { a: 'on' } }));
    expect(await samples(none, 'llm_variant_cost_usd_total')).toEqual({});
  });

  it('top spenders: each window closes into llm_user_cost_usd_total, heavy users listed within total / topUsers, the rest as _other', async () => {
    const c = clock();
    const t = createTelemetry({ logger: quiet, now: c.now, attribution: { topUsers: 5, topUsersWindowMs: 60_000 } });
    // One window: two heavy users among 500 light ones, interleaved.
    const truth = new Map<string, number>();
    const spend = (user: string, cost: number) => {
      truth.set(user, (truth.get(user) ?? 0) + cost);
      t.recordCompletion(completion(cost, { userId: user }));
    };
    for (let i = 0; i < 500; i++) {
      spend(`light-${i}`, 0.01);
      if (i % 5 === 0) spend('whale', 0.1);
      if (i % 10 === 0) spend('dolphin', 0.08);
    }
    const total = [...truth.values()].reduce((a, b) => a + b, 0);
    // Nothing is exported before the window ends.
    expect(await samples(t, 'llm_user_cost_usd_total')).toEqual({});
    c.advance(60_000);
    const users = await samples(t, 'llm_user_cost_usd_total');
    // Sums to the window's cost; at most topUsers users plus _other.
    expect(sum(users)).toBeCloseTo(total, 9);
    expect(Object.keys(users).length).toBeLessThanOrEqual(6);
    for (const name of ['whale', 'dolphin']) {
      const reported = users[`{user="${name}"}`] as number;
      const real = truth.get(name) as number;
      expect(reported).toBeLessThanOrEqual(real + 1e-9);
      expect(real - reported).toBeLessThanOrEqual(total / 5);
    }
    expect(users['{user="_other"}']).toBeGreaterThan(0);
    // A later window adds to the counters; an empty window adds nothing.
    t.recordCompletion(completion(1, { userId: 'whale' }));
    c.advance(60_000);
    const after = await samples(t, 'llm_user_cost_usd_total');
    expect((after['{user="whale"}'] as number) - (users['{user="whale"}'] as number)).toBeCloseTo(1, 9);
    c.advance(120_000);
    expect(await samples(t, 'llm_user_cost_usd_total')).toEqual(after);
  });

  it('topUsers: 0 turns the per-user metric off; bad options throw INVALID_OPTIONS naming the field', async () => {
    const t = createTelemetry({ logger: quiet, attribution: { topUsers: 0 } });
    t.recordCompletion(completion(1, { userId: 'u' }));
    expect(await samples(t, 'llm_user_cost_usd_total')).toEqual({});
    const bad: [unknown, string][] = [
      [{ flags: 'a' }, 'attribution.flags'],
      [{ flags: [''] }, 'attribution.flags'],
      [{ topUsers: -1 }, 'attribution.topUsers'],
      [{ topUsers: 1.5 }, 'attribution.topUsers'],
      [{ topUsersWindowMs: 0 }, 'attribution.topUsersWindowMs'],
      [null, 'attribution'],
    ];
    for (const [attribution, field] of bad) {
      let caught: unknown;
      try {
        createTelemetry({ attribution: attribution as never });
      } catch (error) {
        caught = error;
      }
      expect(isEliteError(caught) && caught.code === 'INVALID_OPTIONS' && caught.message.includes(field)).toBe(true);
    }
  });
});
