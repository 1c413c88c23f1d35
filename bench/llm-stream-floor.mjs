// The instrumented openai chat stream against a hand-built equivalent of what it asks of the
// OpenTelemetry SDK: the raw stream (6 chunks, read to the end) inside a CLIENT span made active
// with context.with, read through a wrapper that adds one promise per chunk (as any reader that
// sees the items), then the 14 GenAI attributes, then a recordCompletion. Variants interleaved
// round by round, CPU time per call, at least 100 calls per slice. What the instrumentation costs
// above the last hand-built variant is its own work.
//
//   npx tsup --silent && node bench/llm-stream-floor.mjs [--rounds=90] [--time=40]

import os from 'node:os';
import { context, trace } from '@opentelemetry/api';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import OpenAI from 'openai';
import { createTelemetry } from '../dist/telemetry.js';
import { fakeFetch } from './llm-fixtures.mjs';
import { drain, perChunkPromise, streamAttributes } from './llm-stream-reading.mjs';

const arg = (name, fallback) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback);
const ROUNDS = arg('rounds', 90);
const TIME_MS = arg('time', 40);

const exporter = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} };
const provider = new NodeTracerProvider({
  spanProcessors: [new BatchSpanProcessor(exporter, { maxQueueSize: 16_384, maxExportBatchSize: 4096, scheduledDelayMillis: 5 })],
});
provider.register();
const tracer = trace.getTracer('bench');
const telemetry = createTelemetry({ logger: { warn() {}, error() {} } });
const newClient = () => new OpenAI({ apiKey: 'sk-bench', baseURL: 'http://api.bench.invalid/v1', maxRetries: 0, fetch: fakeFetch });
const rawClient = newClient();
const instrumented = telemetry.instrumentOpenAI(newClient());
const body = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } };
const { request: REQUEST, response: RESPONSE } = streamAttributes('api.bench.invalid');
const record = { provider: 'openai', operation: 'chat', model: 'gpt-4o', inputTokens: 120, outputTokens: 30, cachedInputTokens: 100 };
const readEachChunk = async () => drain(perChunkPromise(await rawClient.chat.completions.create(body)));
const handBuilt = (attributes, recorded) => async () => {
  const span = tracer.startSpan('chat gpt-4o', { kind: 2 /* CLIENT */ });
  if (attributes) for (const [key, value] of REQUEST) span.setAttribute(key, value);
  try {
    return await context.with(trace.setSpan(context.active(), span), readEachChunk);
  } finally {
    if (attributes) for (const [key, value] of RESPONSE) span.setAttribute(key, value);
    span.end();
    if (recorded) telemetry.recordCompletion({ ...record, reasoningTokens: 10, durationMs: 1, timeToFirstTokenMs: 0.5, status: 'ok' });
  }
};
const variants = [
  ['raw stream', async () => drain(await rawClient.chat.completions.create(body))],
  ['+ active span, one promise per chunk', handBuilt(false, false)],
  ['+ 14 GenAI attributes', handBuilt(true, false)],
  ['+ recordCompletion', handBuilt(true, true)],
  ['instrumented client', async () => drain(await instrumented.chat.completions.create(body))],
];
const yieldToLoop = () => new Promise((resolve) => setImmediate(resolve));
const slice = async (call, ms) => {
  await provider.forceFlush();
  let calls = 0;
  const cpu = process.cpuUsage();
  const until = performance.now() + ms;
  while (performance.now() < until || calls < 100) {
    for (let i = 0; i < 20; i++) await call();
    calls += 20;
    await yieldToLoop();
  }
  await provider.forceFlush();
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / calls;
};
const results = variants.map(() => []);
for (const [, call] of variants) await slice(call, 200);
for (let round = 0; round < ROUNDS; round++) {
  for (let k = 0; k < variants.length; k++) {
    const v = (k + round) % variants.length;
    results[v].push(await slice(variants[v][1], TIME_MS));
  }
}
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.round(q * (xs.length - 1))];
console.log(
  `load average at the end: ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(', ')}; ${ROUNDS} rounds of ${TIME_MS} ms`,
);
console.log(
  '| variant | fastest µs | median µs | over raw: fastest − fastest | median of per-round differences (quartiles) |\n|---|---:|---:|---:|---:|',
);
variants.forEach(([label], v) => {
  const d = results[v].map((x, i) => x - results[0][i]);
  console.log(
    `| ${label} | ${quantile(results[v], 0).toFixed(1)} | ${quantile(results[v], 0.5).toFixed(1)} | ${(quantile(results[v], 0) - quantile(results[0], 0)).toFixed(1)} | ${quantile(d, 0.5).toFixed(1)} (${quantile(d, 0.25).toFixed(1)}…${quantile(d, 0.75).toFixed(1)}) |`,
  );
});
await provider.shutdown();
