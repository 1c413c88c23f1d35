/**
 * `tiqology forecast`, `decide` and `demo` in-process: outputs, JSON, and the exit codes and
 * one-line messages of bad input (unreadable CSV, wrong column, bad option values).
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../test/cli/in-process.js';
import { seededRandom } from '../internal/seeded-random.js';
import { EXIT } from './io.js';

const DEMO_CSV = new URL('../../data/demo/traffic.csv', import.meta.url).pathname;

let cwd: string;
const cli = (args: string[], options: { stdin?: string } = {}) => runCli(args, { cwd, ...options });

/** Three weeks of hourly load with a daily cycle, `ts,load,usd` columns. */
function syntheticCsv(days = 21): string {
  const lines = ['ts,load,usd'];
  const start = Date.UTC(2026, 0, 5);
  for (let h = 0; h < days * 24; h++) {
    const load = 1000 + 600 * Math.sin((2 * Math.PI * (h % 24)) / 24) + 40 * Math.cos(h * 1.7);
    lines.push(`${new Date(start + h * 3_600_000).toISOString()},${load.toFixed(1)},${(load * 0.001).toFixed(3)}`);
  }
  return `${lines.join('\n')}\n`;
}

beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'elite-cli-fc-'));
  writeFileSync(join(cwd, 'load.csv'), syntheticCsv());
});

describe('tiqology forecast', () => {
  it('prints a table of the next 24 hours and writes the SVG', async () => {
    const run = await cli(['forecast', 'load.csv', '--svg', 'out.svg']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(EXIT.OK);
    expect(run.stdout).toContain('load.csv: "load", 24 steps ahead');
    // The first forecast hour follows the last row (2026-01-25 23:00).
    expect(run.stdout).toMatch(/\n2026-01-26 00:00 +[\d,.]+ +[\d,.]+ – [\d,.]+/);
    expect(run.stdout).toContain('Chart: out.svg');
    expect(readFileSync(join(cwd, 'out.svg'), 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
  });

  it('--json: every step with ordered bounds; --horizon and --model are applied', async () => {
    const run = await cli(['forecast', 'load.csv', '--horizon', '6h', '--model', 'seasonal-naive-day', '--json']);
    expect(run.code).toBe(EXIT.OK);
    const json = JSON.parse(run.stdout);
    expect(json).toMatchObject({ file: 'load.csv', column: 'load', model: 'seasonal-naive-day', levels: [80, 95], svg: null });
    expect(json.steps).toHaveLength(6);
    for (const step of json.steps) expect(step.lower[95]).toBeLessThanOrEqual(step.lower[80]);
    for (const step of json.steps) expect(step.upper[80]).toBeLessThanOrEqual(step.upper[95]);
    // seasonal-naive-day repeats the same hour of the last day.
    const lastDay = syntheticCsv().trim().split('\n').slice(-24);
    expect(json.steps[0].mean).toBeCloseTo(Number(lastDay[0]?.split(',')[1]), 6);
  });

  it('long horizons show a subset of rows; --column, --time-column and stdin work', async () => {
    const text = readFileSync(DEMO_CSV, 'utf8').replace(/^ts,requests/, 'hour,rides');
    const run = await cli(['forecast', '-', '--column', 'rides', '--time-column', 'hour', '--horizon', '3d'], { stdin: text });
    expect(run.code).toBe(EXIT.OK);
    expect(run.stdout).toContain('stdin: "rides", 72 steps ahead');
    expect(run.stdout).toContain('(one step in 3 of 72 shown, and the last)');
  });

  it.each([
    [['forecast', 'missing.csv'], /^tiqology: cannot read missing.csv: no such file\n$/],
    [['forecast', '.'], /^tiqology: cannot read \.: it is a directory\n$/],
    [['forecast', 'load.csv', '--column', 'rps'], /^tiqology: load.csv: no column "rps" \(--column\); the header is: ts, load, usd\n$/],
    [['forecast', 'load.csv', '--time-column', 'when'], /no column "when" \(--time-column\); the header is: ts, load, usd/],
  ])('%j fails with exit 1 and one line', async (args, message) => {
    const run = await cli(args);
    expect(run.code).toBe(EXIT.FAILURE);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
  });

  it('a file without a known value column, a non-number, a short row and an empty file exit 1', async () => {
    writeFileSync(join(cwd, 'odd.csv'), 'ts,rps\n2026-01-01T00:00:00Z,1\n');
    expect((await cli(['forecast', 'odd.csv'])).stderr).toBe(
      'tiqology: odd.csv: no "value", "y", "requests", "count", "load" column; pass --column <name>. The header is: ts, rps\n',
    );
    writeFileSync(join(cwd, 'nan.csv'), 'ts,value\n2026-01-01T00:00:00Z,1\n2026-01-01T01:00:00Z,abc\n');
    expect((await cli(['forecast', 'nan.csv'])).stderr).toBe('tiqology: nan.csv: line 3: "abc" in column "value" is not a number\n');
    writeFileSync(join(cwd, 'short.csv'), 'ts,value\n2026-01-01T00:00:00Z\n');
    expect((await cli(['forecast', 'short.csv'])).stderr).toBe('tiqology: short.csv: line 2 has 1 fields, the header has 2\n');
    writeFileSync(join(cwd, 'empty.csv'), '');
    const empty = await cli(['forecast', 'empty.csv']);
    expect(empty).toMatchObject({
      code: EXIT.FAILURE,
      stderr: 'tiqology: empty.csv: the file is empty (a header row and data rows are needed)\n',
    });
    writeFileSync(join(cwd, 'quote.csv'), 'ts,value\n"2026');
    expect((await cli(['forecast', 'quote.csv'])).stderr).toBe('tiqology: quote.csv: the CSV ends inside a quoted field\n');
  });

  it('epoch seconds (Prometheus, with decimals) and epoch milliseconds read as the same times as ISO 8601', async () => {
    const iso = syntheticCsv(14);
    const rows = iso.trim().split('\n').slice(1);
    const seconds = rows.map((r) => `${Date.parse(r.split(',')[0] as string) / 1000}.000,${r.split(',')[1]}`);
    const millis = rows.map((r) => `${Date.parse(r.split(',')[0] as string)},${r.split(',')[1]}`);
    writeFileSync(join(cwd, 'iso.csv'), iso);
    writeFileSync(join(cwd, 's.csv'), `ts,load\n${seconds.join('\n')}\n`);
    writeFileSync(join(cwd, 'ms.csv'), `ts,load\n${millis.join('\n')}\n`);
    const args = ['--horizon', '6h', '--model', 'seasonal-naive-day', '--json'];
    const expected = JSON.parse((await cli(['forecast', 'iso.csv', ...args])).stdout).steps;
    expect(expected[0].timestamp).toBe('2026-01-19T00:00:00.000Z');
    for (const file of ['s.csv', 'ms.csv']) {
      const run = await cli(['forecast', file, ...args]);
      expect(run.stderr).toBe('');
      expect(JSON.parse(run.stdout).steps).toEqual(expected);
    }
  });

  it('bad, repeated and unsorted timestamps name the line of the file, blank lines and quoted line breaks counted', async () => {
    const head = 'ts,value,note\n2026-01-01T00:00:00Z,1,"two\nlines"\n\n2026-01-01T01:00:00Z,2,x\n';
    writeFileSync(join(cwd, 'bad.csv'), `${head}yesterday,3,x\n`);
    expect((await cli(['forecast', 'bad.csv'])).stderr).toBe(
      'tiqology: bad.csv: line 6: "yesterday" in column "ts" is not a timestamp; use ISO 8601 (2026-01-05T12:00:00Z), epoch seconds or epoch milliseconds\n',
    );
    writeFileSync(join(cwd, 'dup.csv'), `${head}2026-01-01T01:00:00Z,3,x\n`);
    expect((await cli(['forecast', 'dup.csv'])).stderr).toBe(
      'tiqology: dup.csv: line 6: "2026-01-01T01:00:00Z" repeats the time of line 5; the rows must be sorted by time, one per timestamp\n',
    );
    writeFileSync(join(cwd, 'unsorted.csv'), 'ts,value\n1767225600,1\n1767229200,2\n1767225600,3\n');
    const run = await cli(['decide', 'unsorted.csv', '--capacity', '5']);
    expect(run).toMatchObject({ code: EXIT.FAILURE, stdout: '' });
    expect(run.stderr).toBe(
      'tiqology: unsorted.csv: line 4: "1767225600" is earlier than line 3; the rows must be sorted by time, one per timestamp\n',
    );
    writeFileSync(join(cwd, 'far.csv'), 'ts,value\n1e400,1\n');
    expect((await cli(['forecast', 'far.csv'])).stderr).toMatch(/^tiqology: far.csv: line 2: "1e400" in column "ts" is not a timestamp/);
  });

  it('a series the forecaster refuses exits 1 with the SDK message and code', async () => {
    writeFileSync(join(cwd, 'two.csv'), 'ts,value\n2026-01-01T00:00:00Z,1\n2026-01-01T01:00:00Z,2\n');
    const run = await cli(['forecast', 'two.csv']);
    expect(run.code).toBe(EXIT.FAILURE);
    expect(run.stderr).toMatch(/^tiqology: elite\/forecast: .+\([A-Z_]+\)\n$/);
  });

  it.each([
    [['forecast'], /forecast: expected one CSV file \(or -\), got none/],
    [['forecast', 'a.csv', 'b.csv'], /forecast: expected one CSV file \(or -\), got "a.csv" "b.csv"/],
    [['forecast', 'load.csv', '--horizon', 'tomorrow'], /--horizon must be like 24h, 90m, 7d, 1w or a number of hours, got "tomorrow"/],
    [['forecast', 'load.csv', '--horizon', '0'], /--horizon must be like/],
    [['forecast', 'load.csv', '--model', 'arima'], /--model must be one of auto, /],
    [['forecast', 'load.csv', '--svg', ''], /--svg must name a file/],
    [['forecast', 'load.csv', '--column', ' '], /--column must not be empty/],
    [
      ['forecast', 'load.csv', '--colum', 'x'],
      /^tiqology: forecast: unknown option --colum; did you mean --column\?; run tiqology forecast --help\n$/,
    ],
  ])('%j is a usage error (exit 2)', async (args, message) => {
    const run = await cli(args);
    expect(run.code).toBe(EXIT.USAGE);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a number of hours is a horizon', async () => {
    const run = await cli(['forecast', 'load.csv', '--horizon', '3', '--json']);
    expect(JSON.parse(run.stdout).steps).toHaveLength(3);
  });
});

describe('tiqology decide', () => {
  it('forecast policy: far above the forecast scales down, far below scales up', async () => {
    const down = await cli(['decide', 'load.csv', '--capacity', '100000']);
    expect(down.code).toBe(EXIT.OK);
    expect(down.stdout).toMatch(/^Decision: SCALE_DOWN \(confidence: \d+%\)\nReason: Forecast peak: [\d,]+ \(\d+% of capacity\)/);
    const up = await cli(['decide', 'load.csv', '--capacity', '1000']);
    expect(up.stdout).toMatch(/^Decision: SCALE_UP \(confidence: \d+%\)\n/);
    // Every reason line has the seed's form.
    for (const line of up.stdout.trim().split('\n').slice(1)) expect(line).toMatch(/^Reason: /);
  });

  it('the confidence comes from the intervals, not from the mean alone', async () => {
    const json = JSON.parse((await cli(['decide', 'load.csv', '--capacity', '1000', '--json'])).stdout);
    const peak = Number(/Forecast peak: ([\d,]+)/.exec(json.reasons[0])?.[1]?.replace(/,/g, ''));
    // A capacity whose 80% sits at the forecast peak leaves the decision uncertain.
    const edge = JSON.parse((await cli(['decide', 'load.csv', '--capacity', String(Math.round(peak / 0.8)), '--json'])).stdout);
    expect(edge.probabilities.SCALE_UP).toBeGreaterThan(0.2);
    expect(edge.probabilities.SCALE_UP).toBeLessThan(0.8);
  });

  it('--cost-column adds the 7-day cost line; --json holds decision, reasons and cost', async () => {
    const text = await cli(['decide', 'load.csv', '--capacity', '2000', '--cost-column', 'usd']);
    expect(text.code).toBe(EXIT.OK);
    expect(text.stdout).toMatch(/\n7-Day Forecast: \$[\d,]+\.\d\d \(avg \$[\d,]+\.\d\d\/day\)\n$/);
    const json = JSON.parse((await cli(['decide', 'load.csv', '--capacity', '2000', '--cost-column', 'usd', '--json'])).stdout);
    expect(json).toMatchObject({ policy: 'forecast', capacity: 2000, column: 'load', cost: { column: 'usd' } });
    expect(json.cost.days).toHaveLength(7);
    expect(json.cost.total).toBeCloseTo(json.cost.averagePerDay * 7, 6);
    // About 24 h × ~$1 a day in the synthetic series.
    expect(json.cost.averagePerDay).toBeGreaterThan(15);
    expect(json.cost.averagePerDay).toBeLessThan(35);
    expect(json.probabilities.SCALE_UP + json.probabilities.SCALE_DOWN + json.probabilities.MAINTAIN).toBeCloseTo(1, 6);
  });

  it('learned policy: trained on the file itself, reasons name the model', async () => {
    const run = await cli(['decide', DEMO_CSV, '--policy', 'learned', '--json']);
    expect(run.code).toBe(EXIT.OK);
    const json = JSON.parse(run.stdout);
    expect(['SCALE_UP', 'SCALE_DOWN', 'MAINTAIN']).toContain(json.decision);
    expect(json.confidence).toBe(json.probabilities[json.decision]);
    expect(json.reasons[0]).toMatch(/random forest/);
    expect(Object.keys(json.featureImportance).length).toBeGreaterThan(0);
  });

  it.each([
    [['decide', 'load.csv'], EXIT.USAGE, /--policy forecast needs --capacity <n>/],
    [['decide', 'load.csv', '--capacity', 'lots'], EXIT.USAGE, /--capacity must be a number > 0, got "lots"/],
    [['decide', 'load.csv', '--capacity=-5'], EXIT.USAGE, /--capacity must be a number > 0/],
    [
      ['decide', 'load.csv', '--capacity', '-5'],
      EXIT.USAGE,
      /^tiqology: --capacity must be a number > 0, got "-5"; run tiqology decide --help\n$/,
    ],
    [['decide', 'load.csv', '--capacity', '-0.5'], EXIT.USAGE, /--capacity must be a number > 0, got "-0.5"/],
    [['decide', 'load.csv', '--capacity'], EXIT.USAGE, /^tiqology: decide: --capacity needs a value \(--capacity <value>;/],
    [['decide', 'load.csv', '--capacty', '5'], EXIT.USAGE, /^tiqology: decide: unknown option --capacty; did you mean --capacity\?/],
    [['decide', 'load.csv', '--policy', 'magic'], EXIT.USAGE, /--policy must be forecast or learned, got "magic"/],
    [['decide', 'load.csv', '--policy', 'learned', '--capacity', '5'], EXIT.USAGE, /--capacity applies to --policy forecast/],
    [['decide', '--capacity', '5'], EXIT.USAGE, /decide: expected one CSV file/],
    [['decide', 'nope.csv', '--capacity', '5'], EXIT.FAILURE, /^tiqology: cannot read nope.csv: no such file\n$/],
    [
      ['decide', 'load.csv', '--capacity', '5', '--cost-column', 'eur'],
      EXIT.FAILURE,
      /no column "eur" \(--cost-column\); the header is: ts, load, usd/,
    ],
  ])('%j exits %i with one line', async (args, code, message) => {
    const run = await cli(args);
    expect(run.code).toBe(code);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('tiqology demo', () => {
  it('runs end to end: results, metrics served while it runs, forecast, decision, cost, SVG', async () => {
    let scrape: Promise<{ status: number; body: string; at: number }> | undefined;
    let stdout = '';
    const { main } = await import('./main.js');
    const code = await main(['demo', '--users', '500', '--svg', 'chart.svg'], {
      stdout: {
        write: (s: string) => {
          stdout += s;
          const url = /http:\/\/127\.0\.0\.1:\d+\/metrics/.exec(s)?.[0];
          if (url && scrape === undefined) {
            scrape = fetch(url).then(async (r) => ({ status: r.status, body: await r.text(), at: performance.now() }));
          }
        },
      },
      stderr: { write: () => true },
      env: {},
      cwd,
      readStdin: async () => '',
    });
    const finished = performance.now();
    expect(code).toBe(EXIT.OK);
    expect(scrape).toBeDefined();
    const answer = await scrape!;
    expect(answer.status).toBe(200);
    expect(answer.body).toMatch(/^# HELP /m);
    expect(answer.at).toBeLessThanOrEqual(finished);
    expect(stdout).toMatch(/Variant\s+Users\s+Conv\./);
    expect(stdout).toMatch(/^control\s+\d+\s+\d+/m);
    expect(stdout).toMatch(/^annual-discount( ★)?\s+\d+/m);
    expect(stdout).toMatch(/^premium\s+\d+/m);
    expect(stdout).toMatch(/^SRM: (ok|MISMATCH)/m);
    expect(stdout).toMatch(/answered 200 with \d+ samples: [\d,]+ chat completions/);
    expect(stdout).toMatch(/^Decision: (SCALE_UP|SCALE_DOWN|MAINTAIN) \(confidence: \d+%\)$/m);
    expect(stdout).toMatch(/^Reason: Forecast peak: /m);
    expect(stdout).toMatch(/^7-Day Forecast: \$[\d,]+\.\d\d \(avg \$[\d,]+\.\d\d\/day\)$/m);
    expect(stdout).toContain('Forecast chart: chart.svg');
    expect(readFileSync(join(cwd, 'chart.svg'), 'utf8')).toMatch(/^<svg[\s\S]*(SCALE_UP|SCALE_DOWN|MAINTAIN)/);
    // The anomaly act: the injected outage fires TrafficAnomaly within an hour, marked on the chart, and resolves later.
    const anomaly = [
      ...stdout.matchAll(
        /^ {2}(\d{4}-\d\d-\d\d \d\d:\d\d) {2}TrafficAnomaly (firing|resolved)\s+\+(\d+) h from the outage: requests ([\d,]+), (.*)$/gm,
      ),
    ];
    expect(anomaly.map((m) => m[2])).toEqual(['firing', 'resolved']);
    expect(Number(anomaly[0]?.[3])).toBeLessThanOrEqual(1);
    expect(anomaly[0]?.[5]).toMatch(/^(below|low in a run, within) the expected/);
    expect(Number(anomaly[1]?.[3])).toBeGreaterThanOrEqual(2);
    expect(readFileSync(join(cwd, 'chart.svg'), 'utf8')).toContain(`TrafficAnomaly ${anomaly[0]?.[4]}`);
    // The guarded-rollout act: the bad release advances, then is rolled back before 25 %.
    const timeline = [...stdout.matchAll(/^\s+\+\d+ min {2}(advance|rollback)\s+(\d+) % → (\d+) %/gm)].map((m) => [
      m[1],
      Number(m[2]),
      Number(m[3]),
    ]);
    expect(timeline[0]).toEqual(['advance', 0, 1]);
    const rollback = timeline.at(-1) as [string, number, number];
    expect(rollback[0]).toBe('rollback');
    expect(rollback[1]).toBeLessThan(25);
    expect(stdout).toMatch(/error rate is worse on the new code/);
    expect(stdout).toMatch(/Caught at \d+ %: [\d,]+ users saw the bad release/);
    const chart = readFileSync(join(cwd, 'tiqology-demo-rollout.svg'), 'utf8');
    expect(chart).toMatch(/^<svg/);
    expect(chart).toContain('>rollback</text>');
    expect(chart.match(/<polyline /g)).toHaveLength(2);
  });

  it('is reproducible: the same seed prints the same numbers; another seed other users', async () => {
    const strip = (text: string) => text.replace(/127\.0\.0\.1:\d+/g, 'HOST').replace(/Done in .*/, '');
    const a = await cli(['demo', '--users', '300', '--seed', '7', '--svg', 'a.svg']);
    const b = await cli(['demo', '--users', '300', '--seed', '7', '--svg', 'a.svg']);
    const c = await cli(['demo', '--users', '300', '--seed', '8', '--svg', 'a.svg']);
    expect(a.code).toBe(EXIT.OK);
    expect(strip(a.stdout)).toBe(strip(b.stdout));
    expect(strip(c.stdout)).not.toBe(strip(a.stdout));
    expect(a.stderr).toMatch(/Simulating users \[█+\] 100% 300\/300\n$/);
  });

  it('--json: one document on stdout, the text on stderr', async () => {
    const run = await cli(['demo', '--users', '200', '--json', '--svg', 'j.svg']);
    expect(run.code).toBe(EXIT.OK);
    const json = JSON.parse(run.stdout);
    expect(json).toMatchObject({ users: 200, seed: 42, svg: 'j.svg', metrics: { status: 200 } });
    expect(json.results.variants).toHaveLength(3);
    expect(json.results.variants.reduce((n: number, v: { exposures: number }) => n + v.exposures, 0)).toBe(200);
    expect(json.cost.summary).toMatch(/^7-Day Forecast: /);
    expect(json.anomalies.transitions.map((t: { name: string; state: string }) => `${t.name} ${t.state}`)).toEqual([
      'TrafficAnomaly firing',
      'TrafficAnomaly resolved',
    ]);
    expect(json.anomalies.transitions[0].value).toBeLessThan(json.anomalies.transitions[0].expected.mean);
    expect(run.stderr).toContain('Decision: ');
    expect(existsSync(join(cwd, 'j.svg'))).toBe(true);
  });

  it.each([
    [['demo', '--users', '10'], /--users must be a whole number from 100 to 1000000, got "10"/],
    [['demo', '--users', '1e4'], /--users must be a whole number/],
    [['demo', '--port', '70000'], /--port must be a whole number from 0 to 65535/],
    [['demo', '--svg', ''], /--svg must name a file/],
    [['demo', 'now'], /demo: takes no arguments, got "now"/],
  ])('%j is a usage error', async (args, message) => {
    const run = await cli(args);
    expect(run.code).toBe(EXIT.USAGE);
    expect(run.stderr).toMatch(message);
  });

  it('a busy port exits 1 naming it', async () => {
    const { createServer } = await import('node:http');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const run = await cli(['demo', '--users', '100', '--port', String(port)]);
      expect(run.code).toBe(EXIT.FAILURE);
      expect(run.stderr).toContain(`tiqology: demo: cannot serve metrics on 127.0.0.1:${port}: EADDRINUSE`);
    } finally {
      server.close();
    }
  });
});

describe('seededRandom', () => {
  it('is uniform enough and reproducible', () => {
    const a = seededRandom(1);
    const b = seededRandom(1);
    const xs = Array.from({ length: 20_000 }, () => a());
    expect(xs.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => b()));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
  });
});
