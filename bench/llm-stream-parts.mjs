// What an instrumented openai chat call costs, part by part, in one process with every variant
// interleaved slice by slice (CPU time per call). Each hand-built variant adds one part of what the
// instrumentation must do to the one before it: read the stream through one `then` per chunk (what
// any reader that sees the items pays), a CLIENT span made active around `create`, the 14 GenAI
// attributes, then the instrumented client itself (the span, its attributes, the stream watcher,
// the usage and time-to-first-chunk bookkeeping, the record). Without `--sdk` the client is a fake
// one (`create` answers at once with parsed chunks: only the instrumentation's own work is timed);
// with it, the real `openai` package against the fake provider of bench/llm-fixtures.mjs.
//
//   npx tsup --silent && node bench/llm-stream-parts.mjs [--sdk] [--rounds=150] [--calls=200]
//     [--baseline=DIR]   (another build's dist/: its instrumented variants in the same rounds)
//
// Three more stream variants split the span's cost: a context value made active around `create`
// (the context switch alone), a non-recording span made active, a recording span never made active.
//
// Printed per variant: the 10th percentile and median over rounds, and the median (quartiles) of
// its per-round difference from the raw call of its kind (JSON or stream) in the same round, and
// the mean garbage-collection pause per call that the runtime reported during its slices.

import os from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { context, trace } from '@opentelemetry/api';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { fakeFetch } from './llm-fixtures.mjs';
import { drain, perChunkPromise, streamAttributes } from './llm-stream-reading.mjs';

const argv = process.argv.slice(2);
const text = (name, fallback) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const ROUNDS = Number(text('rounds', 150));
const CALLS = Math.max(20, Number(text('calls', 200)));
const SDK = argv.includes('--sdk');
const BASELINE = text('baseline', undefined);

const exporter = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} };
const provider = new NodeTracerProvider({
  spanProcessors: [new BatchSpanProcessor(exporter, { maxQueueSize: 16_384, maxExportBatchSize: 4096, scheduledDelayMillis: 5 })],
});
provider.register();
const tracer = trace.getTracer('bench');
const builds = [['this build', await import('../dist/telemetry.js')]];
if (BASELINE !== undefined) builds.push(['baseline', await import(join(BASELINE, 'telemetry.js'))]);

// The fake client: chunks parsed from JSON text per call (as an SDK does), a stream object shaped
// like the Stainless SDKs' (`iterator`, `controller` whose signal was handed to fetch), and an
// `APIPromise`-like answer.
const id = 'chatcmpl-1';
const model = 'gpt-4o-2024-08-06';
const USAGE = {
  prompt_tokens: 120,
  completion_tokens: 30,
  total_tokens: 150,
  prompt_tokens_details: { cached_tokens: 100 },
  completion_tokens_details: { reasoning_tokens: 10 },
};
const chunk = (choices, extra = {}) =>
  JSON.stringify({ id, object: 'chat.completion.chunk', created: 1, model, choices, usage: null, ...extra });
const CHUNKS = [
  chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]),
  ...['Hel', 'lo', ' there!'].map((content) => chunk([{ index: 0, delta: { content }, finish_reason: null }])),
  chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]),
  chunk([], { usage: USAGE }),
];
const ANSWER = JSON.stringify({
  id,
  object: 'chat.completion',
  created: 1,
  model,
  choices: [{ index: 0, message: { role: 'assistant', content: 'Hello there!' }, finish_reason: 'stop' }],
  usage: USAGE,
});
class FakeStream {
  constructor() {
    this.controller = new AbortController();
    this.controller.signal;
    this.iterator = async function* () {
      for (const text of CHUNKS) {
        await null;
        yield JSON.parse(text);
      }
    };
  }
  [Symbol.asyncIterator]() {
    return this.iterator();
  }
}
const answer = (value) => {
  const pending = Promise.resolve(value);
  pending._thenUnwrap = () => pending;
  return pending;
};
const { default: OpenAI } = SDK ? await import('openai') : { default: undefined };
const newClient = () =>
  SDK
    ? new OpenAI({ apiKey: 'sk-bench', baseURL: 'https://api.openai.com/v1', maxRetries: 0, fetch: fakeFetch })
    : {
        baseURL: 'https://api.openai.com/v1',
        chat: { completions: { create: (body) => answer(body.stream ? new FakeStream() : JSON.parse(ANSWER)) } },
      };

const messages = [{ role: 'user', content: 'hi' }];
const jsonBody = { model: 'gpt-4o', messages };
const streamBody = { ...jsonBody, stream: true, stream_options: { include_usage: true } };
const eachChunk = perChunkPromise;
const { request: REQUEST, response: RESPONSE } = streamAttributes('api.openai.com', { model, id });
const raw = newClient();
const handBuilt = (streamed, attributes) => async () => {
  const span = tracer.startSpan('chat gpt-4o', { kind: 2 /* CLIENT */ });
  if (attributes) for (const [key, value] of REQUEST) span.setAttribute(key, value);
  const answered = await context.with(trace.setSpan(context.active(), span), () =>
    raw.chat.completions.create(streamed ? streamBody : jsonBody),
  );
  if (streamed) await drain(eachChunk(answered));
  if (attributes) for (const [key, value] of RESPONSE) span.setAttribute(key, value);
  span.end();
};
const KEY = Symbol('bench');
const UNSAMPLED = trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 0 });
const variants = [
  ['raw json', () => raw.chat.completions.create(jsonBody)],
  ['json: + active span', handBuilt(false, false)],
  ['json: + 14 attributes', handBuilt(false, true)],
  ['raw stream', async () => drain(await raw.chat.completions.create(streamBody))],
  ['stream: read through one then per chunk', async () => drain(eachChunk(await raw.chat.completions.create(streamBody)))],
  [
    'stream: then per chunk, a context value (no span) active around create',
    async () => drain(eachChunk(await context.with(context.active().setValue(KEY, 1), () => raw.chat.completions.create(streamBody)))),
  ],
  [
    'stream: then per chunk, a non-recording span active around create',
    async () =>
      drain(eachChunk(await context.with(trace.setSpan(context.active(), UNSAMPLED), () => raw.chat.completions.create(streamBody)))),
  ],
  [
    'stream: then per chunk, a span started and ended, never active',
    async () => {
      const span = tracer.startSpan('chat gpt-4o', { kind: 2 /* CLIENT */ });
      await drain(eachChunk(await raw.chat.completions.create(streamBody)));
      span.end();
    },
  ],
  ['stream: + active span', handBuilt(true, false)],
  ['stream: + 14 attributes', handBuilt(true, true)],
];
for (const [name, build] of builds) {
  const telemetry = build.createTelemetry({ logger: { warn() {}, error() {} } });
  const client = telemetry.instrumentOpenAI(newClient());
  variants.push([`json, instrumented (${name})`, () => client.chat.completions.create(jsonBody)]);
  variants.push([`stream, instrumented (${name})`, async () => drain(await client.chat.completions.create(streamBody))]);
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
// Garbage-collection pauses (ms) as the runtime reports them; entries arrive a turn late, so a slice
// reads them after its last turn of the loop.
let gcMs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMs += entry.duration;
}).observe({ entryTypes: ['gc'] });
const gcPerCall = variants.map(() => []);
let sliceGc = 0;
const slice = async (call, calls) => {
  await provider.forceFlush();
  await tick();
  const gcBefore = gcMs;
  const cpu = process.cpuUsage();
  for (let done = 0; done < calls; done += 20) {
    for (let i = 0; i < 20; i++) await call();
    // As in a server, the event loop turns between requests: the span processor exports.
    await tick();
  }
  await provider.forceFlush();
  const used = process.cpuUsage(cpu);
  await tick();
  sliceGc = ((gcMs - gcBefore) * 1000) / calls;
  return (used.user + used.system) / calls;
};
const loadBefore = os.loadavg()[0];
for (const [, call] of variants) await slice(call, 2000);
const results = variants.map(() => []);
for (let round = 0; round < ROUNDS; round++) {
  for (let k = 0; k < variants.length; k++) {
    const v = (k + round) % variants.length;
    results[v].push(await slice(variants[v][1], CALLS));
    gcPerCall[v].push(sliceGc);
  }
}
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.round(q * (xs.length - 1))];
const f = (x) => x.toFixed(2);
console.log(
  `${SDK ? 'openai SDK, in-process fetch' : 'fake client'}; ${ROUNDS} rounds × ${CALLS} calls per variant; ` +
    `load average ${loadBefore.toFixed(2)} before, ${os.loadavg()[0].toFixed(2)} after. CPU µs per call.`,
);
console.log('| variant | p10 | median | over the raw call, per round: median (quartiles) | GC pauses, mean |\n|---|---:|---:|---:|---:|');
variants.forEach(([label], v) => {
  const base = results[variants.findIndex(([l]) => l === (label.startsWith('json') || label === 'raw json' ? 'raw json' : 'raw stream'))];
  const d = results[v].map((x, i) => x - base[i]);
  console.log(
    `| ${label} | ${f(quantile(results[v], 0.1))} | ${f(quantile(results[v], 0.5))} | ${f(quantile(d, 0.5))} (${f(quantile(d, 0.25))}…${f(quantile(d, 0.75))}) | ${f(gcPerCall[v].reduce((a, b) => a + b, 0) / gcPerCall[v].length)} |`,
  );
});
await provider.shutdown();
