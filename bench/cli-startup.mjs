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

function spawnMs(args) {
  const started = process.hrtime.bigint();
  const child = spawnSync(process.execPath, args, { encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (child.status !== 0) throw new Error(`${args.join(' ')} exited with ${child.status}: ${child.stderr}`);
  return ms;
}

const cases = [
  { name: 'node -e 0 (baseline)', args: ['-e', '0'], times: [] },
  { name: 'tiqology --help', args: [bin, '--help'], times: [] },
  { name: 'tiqology flags --help', args: [bin, 'flags', '--help'], times: [] },
  { name: 'tiqology --version', args: [bin, '--version'], times: [] },
];
// One warm-up round (the first start after a build reads files from disk), then the cases in
// turn, so a busy machine slows them alike and the difference to the baseline stays meaningful.
for (const c of cases) spawnMs(c.args);
for (let i = 0; i < runs; i++) for (const c of cases) c.times.push(spawnMs(c.args));
const results = cases.map(({ name, times }) => {
  times.sort((a, b) => a - b);
  const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  return { name, medianMs: at(0.5), p90Ms: at(0.9), minMs: times[0] };
});
if (json) console.log(JSON.stringify({ node: process.version, runs, results }, null, 2));
else {
  console.log(`node ${process.version}, ${runs} runs each (wall-clock of a child process)`);
  for (const r of results) {
    console.log(`${r.name.padEnd(24)} median ${r.medianMs.toFixed(1)} ms  p90 ${r.p90Ms.toFixed(1)} ms  min ${r.minMs.toFixed(1)} ms`);
  }
  const help = results[1];
  console.log(
    `--help over node's own startup: median ${(help.medianMs - results[0].medianMs).toFixed(1)} ms, min ${(help.minMs - results[0].minMs).toFixed(1)} ms`,
  );
  console.log(help.medianMs <= 150 ? 'ok: --help median within 150 ms' : 'OVER BUDGET: --help median above 150 ms');
  if (help.medianMs > 150) process.exitCode = 1;
}
