// The paired timing of bench/postgres-ab/{metric-stats,ab-results}.mjs: a function's definition
// before a migration (installed under another name) against the shipped one, calls alternating
// (before, after, after, before, ...) so both see the same load.
import os from 'node:os';

const start = Date.UTC(2026, 0, 1); // the first day of bench/postgres.bench.mjs's events
const day = 86_400_000;
const iso = (days) => new Date(start + days * day).toISOString();
/** [since, until] of the nine windows these scripts call: all time, open starts, ends, unaligned edges. */
export const metricWindows = [
  [null, null],
  ['2025-12-31T00:00:00Z', null],
  [iso(1), null],
  [iso(16), null],
  [iso(23), null],
  [iso(8), iso(22)],
  [null, iso(15)],
  ['2025-12-31T00:00:00Z', '2100-01-01T00:00:00Z'],
  [new Date(start + 3 * day + 47_820_000).toISOString(), new Date(start + 27 * day + 32_700_000).toISOString()],
];

/**
 * Calls `statement(which)` (which: 'before' or 'after'; it returns [sql, values], or [sql, values, setup]
 * where `setup` is a statement run before the call, outside the clock) `runs` times for each,
 * alternating. Returns each side's median [wall ms, server CPU ms] (by wall time) and whether both
 * returned the same rows.
 */
export async function pairedCalls(client, cpuMs, runs, statement) {
  const samples = { before: [], after: [] };
  const answers = {};
  for (let run = 0; run < runs; run++) {
    for (const which of run % 2 === 0 ? ['before', 'after'] : ['after', 'before']) {
      const [sql, values, setup] = statement(which);
      if (setup) await client.query(setup);
      const cpu = cpuMs();
      const t = performance.now();
      const { rows } = await client.query(sql, values);
      samples[which].push([performance.now() - t, cpuMs() - cpu]);
      answers[which] = JSON.stringify(rows);
    }
  }
  const median = (list) => list.sort((a, b) => a[0] - b[0])[Math.floor(list.length / 2)];
  return { before: median(samples.before), after: median(samples.after), same: answers.before === answers.after };
}

/** Prints a title and one line per side: the medians of every window, wall ms then server CPU ms. */
export function printPaired(title, medians) {
  console.log(`${title} (wall ms / server CPU ms, all its processes):`);
  for (const which of ['before', 'after']) {
    const m = medians[which];
    console.log(`  ${which.padEnd(6)} wall ${m.map((s) => s[0].toFixed(0)).join(' ')}  |  CPU ${m.map((s) => s[1]).join(' ')}`);
  }
}

/** The last line: whether every pair returned the same rows, and the load average. */
export function printSame(identical) {
  console.log(
    `same rows before and after: ${identical}; load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
}
