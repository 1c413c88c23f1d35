#!/usr/bin/env node
// Wall-clock of `tiqology demo` (6000 users, defaults) as a child process, after the build.
// Target: under a minute. Usage: npm run bench:demo  (or, after a build: node bench/demo.mjs [--runs 5])
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../dist/cli/index.js', import.meta.url));
if (!existsSync(bin)) throw new Error(`${bin} is missing: run npm run build first`);
const runsArg = process.argv.indexOf('--runs');
const runs = runsArg === -1 ? 5 : Number(process.argv[runsArg + 1]);
const cwd = mkdtempSync(join(tmpdir(), 'elite-demo-bench-'));
const times = [];
for (let i = 0; i < runs; i++) {
  const started = process.hrtime.bigint();
  const child = spawnSync(process.execPath, [bin, 'demo'], { cwd, encoding: 'utf8' });
  times.push(Number(process.hrtime.bigint() - started) / 1e6);
  if (child.status !== 0) throw new Error(`tiqology demo exited with ${child.status}: ${child.stderr}`);
}
rmSync(cwd, { recursive: true, force: true });
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
console.log(`node ${process.version}, tiqology demo (6000 users), ${runs} runs`);
console.log(`median ${(median / 1000).toFixed(2)} s  min ${(times[0] / 1000).toFixed(2)} s  max ${(times.at(-1) / 1000).toFixed(2)} s`);
console.log(median < 60_000 ? 'ok: under a minute' : 'OVER BUDGET: a minute or more');
if (median >= 60_000) process.exitCode = 1;
