// Experiment tracking costs: evaluation with exposure tracking on (first exposures, each one
// buffered and written), track() throughput, and the memory of 1M deduplicated exposures.
// Run: npm run bench:experiments   (builds first; about 20 s)
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const distIndex = join(here, '..', 'dist', 'index.js');
if (!existsSync(distIndex)) {
  console.error('bench: dist/index.js is missing — run npm run build first');
  process.exit(1);
}
const { createFlags } = await import(distIndex);
const { createMemoryStorage } = await import(join(here, '..', 'dist', 'adapters', 'memory.js'));
if (typeof global.gc !== 'function') {
  console.error('bench: run with node --expose-gc');
  process.exit(1);
}

const experiment = {
  key: 'pricing-test',
  environment: 'production',
  enabled: true,
  variants: [
    { key: 'control', weight: 34 },
    { key: 'variant-a', weight: 33 },
    { key: 'variant-b', weight: 33 },
  ],
};
/** A store that accepts event batches and keeps only their count (the SDK's cost, not the store's). */
function countingStore() {
  const inner = createMemoryStorage({ flags: [experiment] });
  const store = { ...inner, stored: 0, subscribe: undefined };
  store.appendEvents = async (batch) => {
    store.stored += batch.length;
  };
  return store;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rounds = 5;
const out = {};

// 1. getVariantSync with tracking on, every call a new user: evaluation + dedupe miss + one event.
{
  const N = 200_000;
  const samples = [];
  for (let r = 0; r < rounds; r++) {
    const storage = countingStore();
    const flags = createFlags({ storage, maxBuffer: N, dedupeMax: N });
    await flags.refresh();
    const ids = Array.from({ length: N }, (_, i) => `user-${r}-${i}`);
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) flags.getVariantSync('pricing-test', ids[i]);
    samples.push(Number(process.hrtime.bigint() - t0) / N);
    await flags.close();
    if (storage.stored !== N) throw new Error(`expected ${N} exposures stored, got ${storage.stored}`);
  }
  out.firstExposureNsPerCall = median(samples);
}

// 2. The same users again: exposures already deduplicated (the steady state of a live app).
{
  const N = 100_000;
  const storage = countingStore();
  const flags = createFlags({ storage, maxBuffer: N, dedupeMax: N });
  await flags.refresh();
  const ids = Array.from({ length: N }, (_, i) => `user-${i}`);
  for (let i = 0; i < N; i++) flags.getVariantSync('pricing-test', ids[i]);
  const samples = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) flags.getVariantSync('pricing-test', ids[i]);
    samples.push(Number(process.hrtime.bigint() - t0) / N);
  }
  out.dedupedExposureNsPerCall = median(samples);
  await flags.close();
}

// 3. track() throughput: conversions accepted per second (buffered, written by batches).
{
  const N = 500_000;
  const samples = [];
  for (let r = 0; r < rounds; r++) {
    const storage = countingStore();
    const flags = createFlags({ storage, maxBuffer: N });
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) flags.track('purchase', `user-${i & 4095}`, { value: 20 });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    await flags.close();
    if (storage.stored !== N) throw new Error(`expected ${N} conversions stored, got ${storage.stored}`);
    samples.push(N / seconds);
  }
  out.trackEventsPerSecond = median(samples);
}

// 4. Memory of 1M deduplicated exposures (the dedupe set), events discarded by the store.
{
  const N = 1_000_000;
  const storage = countingStore();
  const flags = createFlags({ storage, dedupeMax: N, maxBuffer: N, maxBatch: 10_000 });
  await flags.refresh();
  const ids = Array.from({ length: N }, (_, i) => `user-${i}`);
  await flags.flush();
  global.gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < N; i++) {
    flags.getVariantSync('pricing-test', ids[i]);
    if (i % 50_000 === 0) await flags.flush();
  }
  await flags.flush();
  global.gc();
  const after = process.memoryUsage().heapUsed;
  out.dedupeBytesPer1MExposures = after - before;
  out.dedupeBytesPerExposure = (after - before) / N;
  if (flags.stats().exposures !== N) throw new Error('not every exposure was recorded');
  await flags.close();
}

const machine = {
  cpu: os.cpus()[0]?.model,
  cores: os.cpus().length,
  node: process.version,
  platform: `${os.platform()} ${os.arch()}`,
  date: new Date().toISOString(),
};
console.log('| measure | value | target |');
console.log('|---|---:|---|');
console.log(`| getVariantSync, tracking on, first exposure of each user | ${out.firstExposureNsPerCall.toFixed(0)} ns/call | < 1 500 ns |`);
console.log(`| getVariantSync, tracking on, exposure already recorded | ${out.dedupedExposureNsPerCall.toFixed(0)} ns/call | — |`);
console.log(`| track() accepted | ${(out.trackEventsPerSecond / 1e6).toFixed(2)} M events/s | — |`);
console.log(
  `| heap for 1M deduplicated exposures | ${(out.dedupeBytesPer1MExposures / 2 ** 20).toFixed(0)} MiB (${out.dedupeBytesPerExposure.toFixed(0)} B each) | — |`,
);
console.log(`\nMachine: ${machine.cpu}, ${machine.cores} cores, ${machine.platform}, Node ${machine.node}, ${machine.date}`);
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'experiments.json'), `${JSON.stringify({ ...out, machine }, null, 2)}\n`);
