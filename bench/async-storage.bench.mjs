// What one more enabled AsyncLocalStorage costs a process on Node 20: a raw (uninstrumented)
// openai chat stream of 6 chunks read to the end, with the OpenTelemetry context manager enabled
// as an app's tracer provider does, timed with and without a second storage (enabled by a run(),
// taken out by disable()), interleaved round by round, CPU time per call. Node 20 propagates every
// enabled storage in a promise hook, so the second one is paid on every promise of the process,
// instrumented or not; this is why the attribution scope rides on the OpenTelemetry context
// (src/telemetry/attribution.ts) when a context manager is registered.
//
//   node bench/async-storage.bench.mjs [--rounds=80] [--time=50]

import { AsyncLocalStorage } from 'node:async_hooks';
import os from 'node:os';
import { context, trace } from '@opentelemetry/api';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import OpenAI from 'openai';
import { fakeFetch } from './llm-fixtures.mjs';

const arg = (name, fallback) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback);
const ROUNDS = arg('rounds', 80);
const TIME_MS = arg('time', 50);

const exporter = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} };
const provider = new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
provider.register();
// The context manager's own storage, enabled as by any active span.
context.with(trace.setSpan(context.active(), trace.getTracer('bench').startSpan('enable')), () => {});

const client = new OpenAI({ apiKey: 'sk-bench', baseURL: 'http://api.bench.invalid/v1', maxRetries: 0, fetch: fakeFetch });
const body = { model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } };
const call = async () => {
  for await (const _chunk of await client.chat.completions.create(body));
};
const second = new AsyncLocalStorage();
const yieldToLoop = () => new Promise((resolve) => setImmediate(resolve));
const slice = async (withSecond, ms) => {
  if (withSecond) second.run({ scope: true }, () => {});
  else second.disable();
  let calls = 0;
  const cpu = process.cpuUsage();
  const until = performance.now() + ms;
  while (performance.now() < until) {
    for (let i = 0; i < 20; i++) await call();
    calls += 20;
    await yieldToLoop();
  }
  const used = process.cpuUsage(cpu);
  return (used.user + used.system) / calls;
};
// The same question without the SDK: CPU ns per `await Promise.resolve(i)` in an async function
// (10,000 in a row), one storage vs two.
const promiseLoop = async () => {
  for (let i = 0; i < 10_000; i++) await Promise.resolve(i);
};
const promiseSlice = async (withSecond) => {
  if (withSecond) second.run({ scope: true }, () => {});
  else second.disable();
  const cpu = process.cpuUsage();
  await promiseLoop();
  const used = process.cpuUsage(cpu);
  return ((used.user + used.system) * 1000) / 10_000;
};
const perPromise = [[], []];
for (let round = 0; round < 20 * ROUNDS; round++) {
  const variant = round % 2;
  perPromise[variant].push(await promiseSlice(variant === 1));
}
const results = [[], []];
for (const variant of [0, 1]) await slice(variant === 1, 300);
for (let round = 0; round < ROUNDS; round++) {
  for (let k = 0; k < 2; k++) {
    const variant = (k + round) % 2;
    results[variant].push(await slice(variant === 1, TIME_MS));
  }
}
const sorted = (xs) => [...xs].sort((a, b) => a - b);
const quantile = (xs, q) => sorted(xs)[Math.round(q * (xs.length - 1))];
const diffs = results[1].map((x, i) => x - results[0][i]);
console.log(
  `load average at the end: ${os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(', ')}; ${ROUNDS} rounds of ${TIME_MS} ms`,
);
console.log(
  `raw stream, CPU µs/call: one storage ${quantile(results[0], 0).toFixed(1)} fastest / ${quantile(results[0], 0.5).toFixed(1)} median`,
);
console.log(
  `raw stream, CPU µs/call: two storages ${quantile(results[1], 0).toFixed(1)} fastest / ${quantile(results[1], 0.5).toFixed(1)} median`,
);
console.log(
  `the second storage: ${(quantile(results[1], 0) - quantile(results[0], 0)).toFixed(1)} µs (fastest rounds), ${quantile(diffs, 0.5).toFixed(1)} µs (median of per-round differences; quartiles ${quantile(diffs, 0.25).toFixed(1)}…${quantile(diffs, 0.75).toFixed(1)})`,
);
const promiseDiffs = perPromise[1].map((x, i) => x - perPromise[0][i]);
console.log(
  `per await of a new promise, CPU ns: one storage ${quantile(perPromise[0], 0.5).toFixed(0)}, two storages ${quantile(perPromise[1], 0.5).toFixed(0)} (medians of ${10 * ROUNDS} slices each; median difference ${quantile(promiseDiffs, 0.5).toFixed(0)}, quartiles ${quantile(promiseDiffs, 0.25).toFixed(0)}…${quantile(promiseDiffs, 0.75).toFixed(0)})`,
);
await provider.shutdown();
