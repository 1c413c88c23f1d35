import { createHook } from 'node:async_hooks';
import { trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { LlmCall } from './llm-call.js';
import { watchStream } from './llm-stream.js';
import { createTelemetry } from './telemetry.js';
import type { CompletionRecord } from './types.js';

const chunks = ['Hel', 'lo', '!'].map((content) => ({
  id: 'c1',
  model: 'gpt-4o',
  choices: [{ index: 0, delta: { content }, finish_reason: null }],
}));
const withUsage = [...chunks, { id: 'c1', model: 'gpt-4o', choices: [], usage: { prompt_tokens: 12, completion_tokens: 3 } }];
const fakeOpenAI = () => ({
  chat: {
    completions: {
      create: (_body: unknown) =>
        Promise.resolve({
          async *[Symbol.asyncIterator]() {
            for (const chunk of withUsage) yield { ...chunk };
          },
        }),
    },
  },
});
const body = { model: 'gpt-4o', messages: [], stream: true, stream_options: { include_usage: true } };

/** Promises created while `fn` runs (async_hooks sees each one). */
async function promisesDuring(fn: () => Promise<void>): Promise<number> {
  let count = 0;
  const hook = createHook({
    init(_id, type) {
      if (type === 'PROMISE') count++;
    },
  });
  hook.enable();
  try {
    await fn();
  } finally {
    hook.disable();
  }
  return count;
}

const drain = async (stream: AsyncIterable<unknown>) => {
  for await (const _chunk of stream);
};

describe('watchStream', () => {
  it('costs one promise per item read (no async-generator hop per chunk)', async () => {
    const raw = fakeOpenAI();
    const traced = createTelemetry({ logger: { warn: () => {}, error: () => {} } }).instrumentOpenAI(
      fakeOpenAI() as never,
    ) as unknown as ReturnType<typeof fakeOpenAI>;
    const read = (client: ReturnType<typeof fakeOpenAI>) => async () =>
      drain((await client.chat.completions.create(body)) as AsyncIterable<unknown>);
    // Warm both paths once, then count.
    await read(raw)();
    await read(traced)();
    const extra = (await promisesDuring(read(traced))) - (await promisesDuring(read(raw)));
    // 5 reads (4 chunks and the end) and one for the answer; an async generator in between costs ~4 per read.
    expect(extra).toBeLessThanOrEqual(withUsage.length + 2);
  });

  it('an instrumentation fault while reading an item never reaches the caller, and the call still ends once', async () => {
    const records: CompletionRecord[] = [];
    const call = new LlmCall(
      { tracer: trace.getTracer('test'), record: (r) => records.push(r), provider: 'openai', captureContent: false },
      'chat',
      {
        operation: 'chat',
        model: 'gpt-4o',
      },
    );
    const stream = {
      async *[Symbol.asyncIterator]() {
        yield* chunks;
      },
    };
    watchStream(
      stream,
      call,
      () => {
        throw new Error('bug in observe');
      },
      () => {
        throw new Error('bug in beforeEnd');
      },
    );
    const seen: unknown[] = [];
    for await (const chunk of stream) seen.push(chunk);
    expect(seen).toEqual(chunks);
    expect(records.map((r) => r.status)).toEqual(['ok']);
  });

  it('return() (a caller leaving early) closes the source and ends the call cancelled; throw() ends it failed', async () => {
    const records: CompletionRecord[] = [];
    const deps = {
      tracer: trace.getTracer('test'),
      record: (r: CompletionRecord) => records.push(r),
      provider: 'openai',
      captureContent: false,
    };
    let closed = false;
    const source = () => ({
      async *[Symbol.asyncIterator]() {
        try {
          yield* chunks;
        } finally {
          closed = true;
        }
      },
    });
    const left = source();
    watchStream(left, new LlmCall(deps, 'chat', { operation: 'chat', model: 'gpt-4o' }), () => true);
    for await (const _chunk of left) break;
    expect(closed).toBe(true);
    const thrown = source();
    watchStream(thrown, new LlmCall(deps, 'chat', { operation: 'chat', model: 'gpt-4o' }), () => true);
    const iterator = thrown[Symbol.asyncIterator]();
    await iterator.next();
    await expect(iterator.throw?.(new Error('stop'))).rejects.toThrow('stop');
    expect(records.map((r) => r.status)).toEqual(['cancelled', 'error']);
  });
});
