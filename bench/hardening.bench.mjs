// Figures behind the hostile-input hardening: the slowest accepted `$regex` patterns on the longest
// text a regex sees, and the heap that exposure deduplication holds for 40 experiments × 100,000
// users (one global bound, `dedupeMax`, default 100,000).
// Run: npm run bench:hardening   (builds first; about 30 s)
import { existsSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
if (!existsSync(join(dist, 'flags.js'))) {
  console.error('bench: dist/flags.js is missing — run npm run build first');
  process.exit(1);
}
if (typeof global.gc !== 'function') {
  console.error('bench: run with node --expose-gc (npm run bench:hardening does)');
  process.exit(1);
}
const { createFlags, evalCondition } = await import(pathToFileURL(join(dist, 'flags.js')).href);
const { createMemoryStorage } = await import(pathToFileURL(join(dist, 'adapters', 'memory.js')).href);

// 1. The worst patterns validateFlag accepts, on the longest text a regex is shown (best of 20 runs).
const n = 256; // MAX_REGEX_INPUT_CHARS of src/flags/conditions.ts
const patterns = [
  ['.*.*=', 'a'.repeat(n)],
  ['(.*)(.+)=', 'a'.repeat(n)],
  ['[ab]*[ab]*c', 'ab'.repeat(n / 2)],
  ['\\s*\\s*$', `${' '.repeat(n - 1)}x`],
];
console.log(`| accepted pattern | text (${n} chars) | best of 20 |`);
console.log('|---|---|---:|');
for (const [pattern, text] of patterns) {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 20; i++) {
    const started = performance.now();
    evalCondition({ s: text }, { s: { $regex: pattern } });
    best = Math.min(best, performance.now() - started);
  }
  console.log(`| \`${pattern}\` | ${JSON.stringify(text.slice(0, 6))}… | ${best.toFixed(2)} ms |`);
}

// 2. Exposure dedupe memory: 40 experiments, 100,000 users each, every evaluation a first exposure.
const flags = Array.from({ length: 40 }, (_, i) => ({
  key: `experiment-${i}`,
  environment: 'production',
  enabled: true,
  variants: [
    { key: 'control', weight: 50 },
    { key: 'treatment', weight: 50 },
  ],
}));
const storage = createMemoryStorage({ flags, maxEvents: 1_000 }); // events are not what is measured
const client = createFlags({ storage, logger: { warn() {}, error() {} }, maxBuffer: 20_000 });
await client.refresh();
global.gc();
const before = process.memoryUsage().heapUsed;
for (const flag of flags) {
  for (let u = 0; u < 100_000; u++) {
    client.getVariantSync(flag.key, `user-${u}`);
    if (u % 10_000 === 0) await client.flush();
  }
}
await client.flush();
global.gc();
const grown = process.memoryUsage().heapUsed - before;
console.log(
  `\nheap held after 40 × 100,000 exposures: ${(grown / 2 ** 20).toFixed(1)} MiB (stats().dedupeSize ${client.stats().dedupeSize})`,
);
await client.close();
console.log(
  `Machine: ${os.cpus()[0]?.model ?? 'unknown'}, ${os.cpus().length} cores, Node ${process.version}, ${new Date().toISOString()}`,
);
