#!/usr/bin/env node
// Startup time of the `tiqology` executable: wall-clock of `tiqology --help` as a child process,
// against `node -e 0` (Node's own startup) in the same run. Target: `--help` ≤ 150 ms.
// Usage: npm run bench:cli   (or, after a build: node bench/cli-startup.mjs [--runs 30] [--json])
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../dist/cli/index.js', import.meta.url));
if (!existsSync(bin)) throw new Error(`${bin} is missing: run npm run build first`);
const runsArg = process.argv.indexOf('--runs');
const runs = runsArg === -1 ? 30 : Number(process.argv[runsArg + 1]);
const json = process.argv.includes('--json');

function measure(args) {
  const times = [];
  // One warm-up run: the first start after a build reads files from disk.
  for (let i = 0; i <= runs; i++) {
    const started = process.hrtime.bigint();
    const child = spawnSync(process.execPath, args, { encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (child.status !== 0) throw new Error(`${args.join(' ')} exited with ${child.status}: ${child.stderr}`);
    if (i > 0) times.push(ms);
  }
  times.sort((a, b) => a - b);
  const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  return { medianMs: at(0.5), p90Ms: at(0.9), minMs: times[0] };
}

const cases = [
  { name: 'node -e 0 (baseline)', args: ['-e', '0'] },
  { name: 'tiqology --help', args: [bin, '--help'] },
  { name: 'tiqology flags --help', args: [bin, 'flags', '--help'] },
  { name: 'tiqology --version', args: [bin, '--version'] },
];
const results = cases.map((c) => ({ name: c.name, ...measure(c.args) }));
if (json) console.log(JSON.stringify({ node: process.version, runs, results }, null, 2));
else {
  console.log(`node ${process.version}, ${runs} runs each (wall-clock of a child process)`);
  for (const r of results) {
    console.log(`${r.name.padEnd(24)} median ${r.medianMs.toFixed(1)} ms  p90 ${r.p90Ms.toFixed(1)} ms  min ${r.minMs.toFixed(1)} ms`);
  }
  const help = results[1];
  console.log(help.medianMs <= 150 ? 'ok: --help median within 150 ms' : 'OVER BUDGET: --help median above 150 ms');
  if (help.medianMs > 150) process.exitCode = 1;
}
