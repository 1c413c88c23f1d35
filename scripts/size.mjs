#!/usr/bin/env node
// Size budget per Edge-facing entry (and the experiments entry, marked edge: false): the built file bundled with its dependencies for a
// worker/browser target (the conditions Next.js middleware resolves), minified, gzipped.
// Code behind a dynamic import() (the experiment statistics) is split off, as an app's
// bundler does, and reported apart: it loads only when results() is called.
// Usage: node scripts/size.mjs [--json]   (run `npm run build` first)
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

// The promised budget is the flags entry's (13 kB: what middleware imports). It was 13 kB until the
// hostile-input hardening (definitions checked on every read, regex safety, event limits at the entry,
// refused-batch isolation, coalesced reloads) added 2.5 kB, then 15 kB until flag metadata, onExposure and
// the strict environment options added 0.3 kB, then 15.5 kB until prerequisites, layers and scheduled
// steps added 1.8 kB; docs/benchmarks.md has the breakdown. Then `results()`, event delivery, the change feed's
// handler and the default memory store moved to first use (15.91 kB with development overrides, budgets 16.3 / 17.2 kB),
// and then the store reads with the detailed validator of definitions (`./flags/validate`; bootstrap definitions
// get a compact check) and an LRU of our own instead of toad-cache: 13.32 kB, budgets 13.6 / 14.5 kB. Then
// 12.78 kB, back under the 13 kB budget: the entry no longer imports esbuild's CommonJS helper chunk (used by
// the statistics alone), the store-read timeout moved to the lazy store reads, and the messages about
// refused regexes to validation (docs/benchmarks.md). The root entry adds the ~1 kB stand-ins of the
// `telemetry` and `forecast` namespaces, which load their modules on first call.
const BUDGETS = [
  { name: '@tiqology/elite/flags', entry: 'dist/flags.js', limitBytes: 13_000 },
  { name: '@tiqology/elite', entry: 'dist/index.js', limitBytes: 14_500 },
  // What Next.js middleware and Vercel Edge resolve (export condition "edge-light"): no lazy part.
  { name: '@tiqology/elite/flags [edge-light]', entry: 'dist/edge/flags.js', limitBytes: 13_000 },
  { name: '@tiqology/elite [edge-light]', entry: 'dist/edge/index.js', limitBytes: 14_500 },
  // Not Edge-facing: the statistics alone, as a job or a notebook imports them (and as results() loads them).
  // Almost all of it is the @stdlib distributions; the budget catches a dependency change, not our code.
  { name: '@tiqology/elite/experiments', entry: 'dist/experiments.js', limitBytes: 50_000, edge: false },
  // What client components ship to the browser: the provider, hooks and tracker, no evaluation
  // engine. React itself is the app's (a peer), so it is not counted.
  { name: '@tiqology/elite/react', entry: 'dist/browser/react.js', limitBytes: 6_000, edge: false, external: ['react'] },
];

async function measure({ name, entry, limitBytes, edge = true, external = [] }) {
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run npm run build first`);
  const outdir = mkdtempSync(join(tmpdir(), 'elite-size-'));
  try {
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      minify: true,
      splitting: true,
      outdir,
      metafile: true,
      external,
      format: 'esm',
      platform: 'browser',
      conditions: ['edge-light', 'worker', 'browser'],
      logLevel: 'silent',
    });
    const outputs = result.metafile.outputs;
    // The output of `entry` itself: targets of a dynamic import() have an entryPoint too.
    const entryOut = Object.keys(outputs).find((file) => outputs[file].entryPoint === entry);
    // The entry and everything it imports statically: what loads before the first evaluation.
    const eager = new Set();
    const visit = (file) => {
      if (eager.has(file)) return;
      eager.add(file);
      for (const imported of outputs[file].imports) if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
    };
    visit(entryOut);
    const js = (files) => files.filter((f) => f.endsWith('.js'));
    const gzip = (files) => gzipSync(Buffer.concat(files.map((f) => readFileSync(f))), { level: 9 }).length;
    const eagerFiles = js([...eager]);
    const lazyFiles = js(Object.keys(outputs).filter((f) => !eager.has(f)));
    const minifiedBytes = eagerFiles.reduce((sum, f) => sum + outputs[f].bytes, 0);
    const gzipBytes = gzip(eagerFiles);
    const lazyGzipBytes = lazyFiles.length > 0 ? gzip(lazyFiles) : 0;
    return { name, entry, edge, minifiedBytes, gzipBytes, lazyGzipBytes, limitBytes, ok: gzipBytes <= limitBytes };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

const rows = await Promise.all(BUDGETS.map(measure));

// `tiqology studio`: what a browser loads besides the HTML (the stylesheet and the script), and the
// studio's server code in the CLI (not in any app bundle: only the `tiqology` executable loads it).
const STUDIO_ASSETS_BUDGET = 4_000;
async function measureStudio() {
  const entry = 'dist/cli/studio/assets.js';
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run npm run build first`);
  const { STUDIO_CSS, STUDIO_JS } = await import(new URL(`../${entry}`, import.meta.url).href);
  const gz = (text) => gzipSync(Buffer.from(text), { level: 9 }).length;
  // The CLI chunks that hold the studio's pages (each starts with the source path comments tsup writes).
  const chunks = readdirSync('dist/cli')
    .filter((f) => f.endsWith('.js'))
    .map((f) => readFileSync(join('dist/cli', f), 'utf8'));
  const server = chunks.filter((code) => code.includes('src/cli/studio/')).join('\n');
  return {
    name: 'tiqology studio assets (css + js)',
    entry,
    edge: false,
    minifiedBytes: STUDIO_CSS.length + STUDIO_JS.length,
    gzipBytes: gz(STUDIO_CSS) + gz(STUDIO_JS),
    serverGzipBytes: gz(server),
    lazyGzipBytes: 0,
    limitBytes: STUDIO_ASSETS_BUDGET,
    ok: gz(STUDIO_CSS) + gz(STUDIO_JS) <= STUDIO_ASSETS_BUDGET,
  };
}
const studio = await measureStudio();
rows.push(studio);
if (process.argv.includes('--json')) {
  console.log(JSON.stringify(rows));
} else {
  for (const r of rows) {
    console.log(
      r === studio
        ? `${r.ok ? 'ok  ' : 'OVER'} ${r.name}: ${(r.gzipBytes / 1000).toFixed(2)} kB gz (${(r.minifiedBytes / 1000).toFixed(1)} kB as served), budget ${(r.limitBytes / 1000).toFixed(1)} kB; its server code in the CLI: ${(r.serverGzipBytes / 1000).toFixed(2)} kB gz`
        : `${r.ok ? 'ok  ' : 'OVER'} ${r.name}: ${(r.gzipBytes / 1000).toFixed(2)} kB min+gz (${(r.minifiedBytes / 1000).toFixed(1)} kB min), budget ${(r.limitBytes / 1000).toFixed(1)} kB; loaded on demand: ${(r.lazyGzipBytes / 1000).toFixed(2)} kB`,
    );
  }
}
if (rows.some((r) => !r.ok)) process.exit(1);
