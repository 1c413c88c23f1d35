// Telemetry hot paths: recordCompletion, recordRequest, and telemetry.trace against a bare span
// from the OpenTelemetry API, all in one warm process with a registered Node tracer provider.
//
//   npm run bench:telemetry        (builds, then node --expose-gc bench/telemetry.bench.mjs)
//   options: --rounds=N (default 7), --time=MS (measured time per row and round, default 300),
//            --warmup=MS (default 300)
//
// Targets (issue "Telemetry"): recordCompletion ≤ 2 µs; telemetry.trace ≤ 3 µs more than a bare
// span (startActiveSpan + end, the same work trace() asks of the SDK), same run.
// Spans go through a BatchSpanProcessor (16k queue, exported every 5 ms) to an exporter that
// discards them: the SDK's cost is in every tracing row, the network's in none.

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trace } from '@opentelemetry/api';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const argv = process.argv.slice(2);
const arg = (name, fallback) => {
  const hit = argv.find((a) => a.startsWith(`--${name}=`));
  return hit === undefined ? fallback : Number(hit.slice(name.length + 3));
};
const TIME_MS = arg('time', 300);
const WARMUP_MS = arg('warmup', 300);
const ROUNDS = Math.max(1, arg('rounds', 7));
const BATCH = 1000;

const dist = join(root, 'dist', 'telemetry.js');
if (!existsSync(dist)) {
  console.error(`bench: ${dist} is missing — run npm run build first`);
  process.exit(1);
}
const { createTelemetry, telemetry } = await import(dist);

let exported = 0;
const exporter = {
  export(spans, done) {
    exported += spans.length;
    done({ code: 0 });
  },
  shutdown: async () => {},
};
const provider = new NodeTracerProvider({
  spanProcessors: [new BatchSpanProcessor(exporter, { maxQueueSize: 16_384, maxExportBatchSize: 4096, scheduledDelayMillis: 5 })],
});
provider.register();
const tracer = trace.getTracer('bench');

const local = createTelemetry({ logger: { warn() {}, error() {} } });
const MODELS = ['gpt-4o', 'gpt-4o-mini', 'claude-sonnet-4-5', 'o3-mini'];
const completions = MODELS.map((model, i) => ({
  provider: model.startsWith('claude') ? 'anthropic' : 'openai',
  model,
  inputTokens: 1200 + i,
  cachedInputTokens: 1000,
  outputTokens: 300,
  reasoningTokens: i === 3 ? 120 : undefined,
  durationMs: 850,
  timeToFirstTokenMs: 240,
  status: 'ok',
}));
const requests = ['/api/chat', '/api/flags', '/api/health'].map((route, i) => ({
  method: 'POST',
  route,
  status: i === 2 ? 500 : 200,
  durationMs: 12 + i,
}));
const fn = () => 1;
const attrs = { 'app.step': 'retrieve' };

const rows = [
  ['bare-span', 'OpenTelemetry API: tracer.startSpan(name).end()', () => tracer.startSpan('work').end()],
  [
    'bare-active-span',
    'OpenTelemetry API: tracer.startActiveSpan(name, (s) => s.end())',
    () => tracer.startActiveSpan('work', (s) => s.end()),
  ],
  [
    'bare-span-attrs',
    'OpenTelemetry API: tracer.startSpan(name, { attributes }).end()',
    () => tracer.startSpan('work', { attributes: attrs }).end(),
  ],
  ['trace', 'telemetry.trace(name, fn)', () => telemetry.trace('work', fn)],
  ['trace-attrs', 'telemetry.trace(name, fn, attributes)', () => telemetry.trace('work', fn, attrs)],
  ['record-completion', 'telemetry.recordCompletion() (shared instance, 4 models)', (i) => telemetry.recordCompletion(completions[i & 3])],
  ['record-completion-local', 'createTelemetry().recordCompletion() (4 models)', (i) => local.recordCompletion(completions[i & 3])],
  ['record-request', 'telemetry.recordRequest() (3 routes)', (i) => telemetry.recordRequest(requests[i % 3])],
];

const results = Object.fromEntries(rows.map(([id]) => [id, []]));
// Rows are interleaved round by round (rather than each timed in one block) so that a change of
// machine load during the run touches every row alike; each round starts from an empty span
// queue and a collected heap. Warmup: one untimed slice per row first.
const yieldToLoop = () => new Promise((resolve) => setImmediate(resolve));
// CPU time (user + system) of this process per call, not wall time: on a shared machine other
// processes' load stretches wall time but not the work done. The slice yields to the event loop
// after every batch so the span processor exports as it would in a server, and that export work
// is counted in every tracing row alike.
const slice = async (body, ms) => {
  await provider.forceFlush();
  globalThis.gc?.();
  let calls = 0;
  const cpu = process.cpuUsage();
  const until = performance.now() + ms;
  while (performance.now() < until) {
    for (let i = 0; i < BATCH; i++) body(i);
    calls += BATCH;
    await yieldToLoop();
  }
  await provider.forceFlush();
  const used = process.cpuUsage(cpu);
  return ((used.user + used.system) * 1000) / calls;
};
for (const [, , body] of rows) await slice(body, WARMUP_MS);
for (let round = 0; round < ROUNDS; round++) {
  for (const [id, , body] of rows) results[id].push(await slice(body, TIME_MS));
}
await provider.forceFlush();

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ns = Object.fromEntries(Object.entries(results).map(([id, xs]) => [id, median(xs)]));
const overhead = ns.trace - ns['bare-span'];
const overheadActive = ns.trace - ns['bare-active-span'];
const overheadAttrs = ns['trace-attrs'] - ns['bare-span-attrs'];
console.log(`\n| row | CPU ns/call (median of ${ROUNDS} rounds) |\n|---|---:|`);
for (const [id, label] of rows) console.log(`| ${label} | ${ns[id].toFixed(0)} |`);
console.log(
  `\ntrace() over a bare span: ${overhead.toFixed(0)} ns (target ≤ 3000); over a bare active span: ${overheadActive.toFixed(0)} ns; with attributes over a bare span with them: ${overheadAttrs.toFixed(0)} ns`,
);
console.log(`recordCompletion: ${ns['record-completion'].toFixed(0)} ns (target ≤ 2000); spans exported: ${exported}`);
const ok = ns['record-completion'] <= 2000 && overhead <= 3000;
const out = {
  date: new Date().toISOString(),
  node: process.version,
  cpu: os.cpus()[0]?.model,
  cores: os.cpus().length,
  loadavg: os.loadavg(),
  rounds: ROUNDS,
  timeMs: TIME_MS,
  nsPerCall: ns,
  roundsNsPerCall: results,
  traceOverheadNs: overhead,
  traceOverActiveSpanNs: overheadActive,
  traceWithAttributesOverheadNs: overheadAttrs,
  targetsMet: ok,
};
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'telemetry.json'), `${JSON.stringify(out, null, 2)}\n`);
await provider.shutdown();
if (!ok) {
  console.error('bench: a target was missed');
  process.exitCode = 1;
}
