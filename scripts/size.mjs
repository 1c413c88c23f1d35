#!/usr/bin/env node
// Size budget per Edge-facing entry: the built file bundled with its dependencies for a
// worker/browser target (the conditions Next.js middleware resolves), minified, gzipped.
// Usage: node scripts/size.mjs [--json]   (run `npm run build` first)
import { existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const BUDGETS = [
  { name: '@tiqology/elite/flags', entry: 'dist/flags.js', limitBytes: 13_000 },
  { name: '@tiqology/elite', entry: 'dist/index.js', limitBytes: 13_000 },
];

async function measure({ name, entry, limitBytes }) {
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run npm run build first`);
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    conditions: ['edge-light', 'worker', 'browser'],
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].contents;
  const gzipBytes = gzipSync(code, { level: 9 }).length;
  return { name, entry, minifiedBytes: code.length, gzipBytes, limitBytes, ok: gzipBytes <= limitBytes };
}

const rows = await Promise.all(BUDGETS.map(measure));
if (process.argv.includes('--json')) {
  console.log(JSON.stringify(rows));
} else {
  for (const r of rows) {
    console.log(
      `${r.ok ? 'ok  ' : 'OVER'} ${r.name}: ${(r.gzipBytes / 1000).toFixed(2)} kB min+gz (${(r.minifiedBytes / 1000).toFixed(1)} kB min), budget ${(r.limitBytes / 1000).toFixed(1)} kB`,
    );
  }
}
if (rows.some((r) => !r.ok)) process.exit(1);
