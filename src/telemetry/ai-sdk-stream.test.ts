import { trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { watchParts } from './ai-sdk-stream.js';
import { LlmCall } from './llm-call.js';
import type { CompletionRecord } from './types.js';

const PARTS = [
  { type: 'stream-start', warnings: [] },
  { type: 'response-metadata', id: 'r1', modelId: 'gpt-4o-2024-08-06' },
  { type: 'text-delta', id: '0', delta: 'Hel' },
  { type: 'text-delta', id: '0', delta: 'lo' },
  { type: 'finish', finishReason: { unified: 'stop', raw: 'stop' }, usage: { inputTokens: { total: 12 }, outputTokens: { total: 3 } } },
];

function setup() {
  const records: CompletionRecord[] = [];
  const call = new LlmCall(
    { tracer: trace.getTracer('test'), record: (r) => records.push(r), provider: 'openai', captureContent: false },
    'chat',
    { operation: 'chat', model: 'gpt-4o', stream: true },
  );
  let cancelled: unknown = 'not cancelled';
  let failAt = -1;
  let i = 0;
  const source = new ReadableStream<unknown>({
    pull(controller) {
      if (i === failAt) return controller.error(new TypeError('connection reset'));
      if (i < PARTS.length) controller.enqueue(PARTS[i++]);
      else controller.close();
    },
    cancel(reason) {
      cancelled = reason;
    },
  });
  return {
    records,
    stream: watchParts(call, source),
    source,
    cancelled: () => cancelled,
    failAt: (n: number) => {
      failAt = n;
    },
  };
}

const readAll = async (stream: ReadableStream<unknown>) => {
  const seen: unknown[] = [];
  const reader = stream.getReader();
  for (let next = await reader.read(); !next.done; next = await reader.read()) seen.push(next.value);
  return seen;
};

describe('watchParts', () => {
  it('pipeThrough(transform) (how the AI SDK reads a model): every part passes, the call ends ok with the finish usage', async () => {
    const { records, stream, source } = setup();
    expect(stream).toBe(source);
    expect(await readAll(stream.pipeThrough(new TransformStream()))).toEqual(PARTS);
    expect(records).toMatchObject([{ status: 'ok', inputTokens: 12, outputTokens: 3 }]);
    expect(records[0]?.timeToFirstTokenMs).toBeGreaterThanOrEqual(0);
  });

  it('pipeThrough: a reader that cancels downstream cancels the model stream, counted cancelled', async () => {
    const { records, stream, cancelled } = setup();
    const reader = stream.pipeThrough(new TransformStream()).getReader();
    await reader.read();
    await reader.cancel('enough');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(cancelled()).toBe('enough');
    expect(records.map((r) => r.status)).toEqual(['cancelled']);
  });

  it('pipeThrough: a stream failing midway errors the transform and fails the call with the error type', async () => {
    const { records, stream, failAt } = setup();
    failAt(2);
    await expect(readAll(stream.pipeThrough(new TransformStream()))).rejects.toThrow('connection reset');
    expect(records).toMatchObject([{ status: 'error', errorType: 'TypeError' }]);
  });

  it('getReader, for await and pipeThrough with options go through a pass-through stream, with the same record', async () => {
    const direct = setup();
    expect(await readAll(direct.stream)).toEqual(PARTS);
    const iterated = setup();
    const seen: unknown[] = [];
    for await (const part of iterated.stream as unknown as AsyncIterable<unknown>) seen.push(part);
    expect(seen).toEqual(PARTS);
    const withOptions = setup();
    expect(await readAll(withOptions.stream.pipeThrough(new TransformStream(), { preventClose: false }))).toEqual(PARTS);
    for (const { records } of [direct, iterated, withOptions]) expect(records).toMatchObject([{ status: 'ok', inputTokens: 12 }]);
  });

  it('cancel() before reading ends the call cancelled; an error part fails it', async () => {
    const unread = setup();
    await unread.stream.cancel('not needed');
    expect(unread.cancelled()).toBe('not needed');
    expect(unread.records.map((r) => r.status)).toEqual(['cancelled']);
    const records: CompletionRecord[] = [];
    const call = new LlmCall(
      { tracer: trace.getTracer('test'), record: (r) => records.push(r), provider: 'openai', captureContent: false },
      'chat',
      { operation: 'chat', model: 'gpt-4o' },
    );
    const parts = [{ type: 'error', error: Object.assign(new Error('overloaded'), { statusCode: 529 }) }];
    const source = new ReadableStream({
      start(controller) {
        for (const part of parts) controller.enqueue(part);
        controller.close();
      },
    });
    await readAll(watchParts(call, source).pipeThrough(new TransformStream()));
    expect(records).toMatchObject([{ status: 'error', errorType: '529' }]);
  });
});
