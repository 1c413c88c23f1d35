/**
 * `tiqology forecast`, `decide` and `demo` as a user runs them: child processes, exit codes,
 * stdout/stderr separation, and the demo's metrics server answering a scrape while it runs.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, removeCli, root, spawnCli } from './build.js';

const DEMO_CSV = join(root, 'data/demo/traffic.csv');
let bin: string;
let cwd: string;
const run = (args: string[], options: { input?: string } = {}) => spawnCli(bin, args, { cwd, ...options });

beforeAll(async () => {
  bin = await buildCli();
  cwd = mkdtempSync(join(tmpdir(), 'elite-bin-fc-'));
});
afterAll(() => removeCli(bin));

describe('tiqology forecast and decide (subprocess)', () => {
  it('forecast --json on the bundled series: 24 hourly steps after the last row', () => {
    const r = run(['forecast', DEMO_CSV, '--json', '--svg', 'f.svg']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const json = JSON.parse(r.stdout);
    expect(json.column).toBe('requests');
    expect(json.steps).toHaveLength(24);
    expect(json.steps[0].timestamp).toBe('2014-10-27T00:00:00.000Z');
    expect(readFileSync(join(cwd, 'f.svg'), 'utf8')).toMatch(/^<svg/);
  });

  it('an unreadable CSV and a wrong column exit 1 with one line naming the file, column and header', () => {
    expect(run(['forecast', 'nope.csv'])).toMatchObject({ code: 1, stdout: '', stderr: 'tiqology: cannot read nope.csv: no such file\n' });
    const wrong = run(['forecast', DEMO_CSV, '--column', 'rps']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toBe(`tiqology: ${DEMO_CSV}: no column "rps" (--column); the header is: ts, requests, cost_usd\n`);
  });

  it('an unknown option exits 2', () => {
    const r = run(['forecast', DEMO_CSV, '--horizn', '24h']);
    expect(r).toMatchObject({
      code: 2,
      stdout: '',
      stderr: 'tiqology: forecast: unknown option --horizn; did you mean --horizon?; run tiqology forecast --help\n',
    });
  });

  it('decide from stdin prints the decision, the reasons and the 7-day cost line', () => {
    const r = run(['decide', '-', '--capacity', '58000', '--cost-column', 'cost_usd'], { input: readFileSync(DEMO_CSV, 'utf8') });
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^Decision: (SCALE_UP|SCALE_DOWN|MAINTAIN) \(confidence: \d+%\)$/);
    expect(lines.slice(1, -1).every((l) => l.startsWith('Reason: '))).toBe(true);
    expect(lines.at(-1)).toMatch(/^7-Day Forecast: \$[\d,]+\.\d\d \(avg \$[\d,]+\.\d\d\/day\)$/);
  });

  it('decide without --capacity is a usage error', () => {
    const r = run(['decide', DEMO_CSV]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^tiqology: decide: --policy forecast needs --capacity <n>.*; run tiqology decide --help\n$/);
  });
});

describe('tiqology demo (subprocess)', () => {
  it('runs end to end; its metrics endpoint answers while it serves; the SVG is written', async () => {
    const child = spawn(process.execPath, [bin, 'demo', '--users', '500', '--svg', 'demo.svg', '--keep-serving'], {
      cwd,
      env: { PATH: process.env.PATH },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const serving = new Promise<string>((resolve) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const url = /Serving (http:\/\/127\.0\.0\.1:\d+\/metrics) until Ctrl-C/.exec(stdout)?.[1];
        if (url) resolve(url);
      });
    });
    const url = await Promise.race([serving, exited.then((code) => Promise.reject(new Error(`demo exited ${code}: ${stderr}`)))]);
    const response = await fetch(url);
    const body = await response.text();
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(response.status).toBe(200);
    expect(body).toMatch(/^llm_chat_completions_total\{[^}]*model="gpt-4o-mini"[^}]*\} [1-9]\d*$/m);
    expect(body).toMatch(/^http_server_request_duration_seconds_count\{[^}]*route="\/api\/chat"[^}]*\} [1-9]\d*$/m);
    expect(stdout).toContain(`Prometheus metrics while the demo runs: ${url}`);
    expect(stdout).toMatch(/Verdict: /);
    expect(stdout).toMatch(/^Decision: \w+ \(confidence: \d+%\)$/m);
    expect(stdout).toMatch(/^7-Day Forecast: \$/m);
    expect(stderr).toMatch(/Simulating users \[█+\] 100% 500\/500\n/);
    expect(existsSync(join(cwd, 'demo.svg'))).toBe(true);
  });
});
