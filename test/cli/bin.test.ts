/**
 * The `tiqology` executable as a user runs it: a child process per command, on a flags file,
 * checking exit codes, stdout/stderr separation, stdin, and that failures are one line.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, removeCli, spawnCli } from './build.js';
import { experimentEvents, PRICING } from './events.js';

let bin: string;
let cwd: string;
const run = (args: string[], options: { env?: NodeJS.ProcessEnv; input?: string } = {}) => spawnCli(bin, args, { cwd, ...options });

beforeAll(async () => {
  bin = await buildCli();
  cwd = mkdtempSync(join(tmpdir(), 'elite-bin-'));
});
afterAll(() => removeCli(bin));

describe('tiqology (subprocess)', () => {
  it('--help exits 0 with the command list on stdout', () => {
    const r = run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Commands:\n {2}flags .*\n {2}results .*\n {2}migrate /);
    expect(r.stderr).toBe('');
  });

  it('a usage error exits 2 with one line on stderr and nothing on stdout', () => {
    const r = run(['flags', 'list', '--nope']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('tiqology: flags: unknown option --nope; run tiqology flags --help\n');
  });

  it('set from stdin, rollout, list --json and get on a flags file', () => {
    expect(run(['flags', 'set', '-', '--file', 'flags.json'], { input: '{"key":"new-checkout","enabled":true,"rollout":5}' }).code).toBe(0);
    const rollout = run(['flags', 'rollout', 'new-checkout', '25', '--file', 'flags.json']);
    expect(rollout).toMatchObject({ code: 0, stderr: '' });
    const list = run(['flags', 'list', '--file', 'flags.json', '--json']);
    expect(JSON.parse(list.stdout)).toMatchObject([{ key: 'new-checkout', rollout: 25, version: 2 }]);
    const saved = JSON.parse(readFileSync(join(cwd, 'flags.json'), 'utf8'));
    expect(saved.flags[0]).toMatchObject({ key: 'new-checkout', rollout: 25, version: 2 });
  });

  it('invalid JSON exits 1 with one line; --debug adds the stack', () => {
    const r = run(['flags', 'set', '{"key"', '--file', 'flags.json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^tiqology: invalid JSON in the argument: .+\n$/);
    const d = run(['flags', 'set', '{"key"', '--file', 'flags.json', '--debug']);
    expect(d.code).toBe(1);
    expect(d.stderr.split('\n').length).toBeGreaterThan(3);
    expect(d.stderr).toMatch(/\n\s+at /);
  });

  it('an unknown flag exits 1', () => {
    const r = run(['flags', 'get', 'nope', '--file', 'flags.json']);
    expect(r).toMatchObject({ code: 1, stdout: '', stderr: 'tiqology: flag "nope" not found in environment "production"\n' });
  });

  it('results prints the table of a flags file with events; --json parses', () => {
    writeFileSync(
      join(cwd, 'exp.json'),
      JSON.stringify({ flags: [PRICING], events: experimentEvents(500, { control: 50, 'variant-b': 90 }) }),
    );
    const r = run(['results', 'pricing', '--file', 'exp.json']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/control\s+500\s+50\s+10\.00%/);
    expect(r.stdout).toMatch(/variant-b ★\s+500\s+90\s+18\.00%/);
    expect(r.stdout).toMatch(/Verdict: WINNER variant-b/);
    // Not a terminal: no colour codes in a pipe.
    expect(r.stdout).not.toContain('\u001b[');
    const j = run(['results', 'pricing', '--file', 'exp.json', '--json']);
    expect(JSON.parse(j.stdout)).toMatchObject({ flagKey: 'pricing', verdict: 'WINNER', winner: 'variant-b' });
  });

  it('DATABASE_URL from the environment is used, and its password is never printed', () => {
    // Nothing listens on port 1: the connection fails fast.
    const r = run(['flags', 'list'], { env: { DATABASE_URL: 'postgres://app:hunter2-secret@127.0.0.1:1/app' } });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^tiqology: /);
    expect(r.stderr).not.toContain('hunter2-secret');
    const d = run(['flags', 'list', '--debug', '--database-url', 'postgres://app:hunter2-secret@127.0.0.1:1/app']);
    expect(d.code).toBe(1);
    expect(d.stderr).not.toContain('hunter2-secret');
  });
});

/** `tiqology studio` until its text says it is up, then SIGTERM: its output and exit code. */
function studioUntilUp(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ stdout: string; code: number | null }> {
  const child = spawn(process.execPath, [bin, 'studio', ...args], { cwd, env: { PATH: process.env.PATH, ...env } });
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
    if (stdout.includes('Ctrl-C stops it.')) child.kill('SIGTERM');
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ stdout, code })));
}

describe('tiqology studio (subprocess)', () => {
  it('says where it serves and that it is loopback only, and stops on SIGTERM with exit 0', async () => {
    writeFileSync(join(cwd, 'studio.json'), JSON.stringify({ flags: [PRICING] }));
    const local = await studioUntilUp(['--file', 'studio.json']);
    expect(local.code).toBe(0);
    expect(local.stdout).toMatch(
      /^tiqology studio on http:\/\/127\.0\.0\.1:\d+\/ \[no token\]\nReachable from this machine only\.\nCtrl-C stops it\.\n$/,
    );
    const wide = await studioUntilUp(['--file', 'studio.json', '--host', '0.0.0.0']);
    expect(wide.code).toBe(0);
    expect(wide.stdout).toMatch(
      /\[token required\]\nBound beyond loopback: every request needs the access token\. Open http:\/\/0\.0\.0\.0:\d+\/\?token=[\w-]{32}\n/,
    );
  });
});
