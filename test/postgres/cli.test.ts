/**
 * The `tiqology` executable against the real PostgreSQL (DATABASE_URL from scripts/db-start.sh):
 * migrate, every flags subcommand, results over events written by the SDK, and failures that
 * must not echo the password.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresStorage } from '../../src/adapters/postgres.js';
import { MIGRATIONS } from '../../src/sql/migrations.js';
import { buildCli, removeCli, root, spawnCli } from '../cli/build.js';
import { experimentEvents, PRICING } from '../cli/events.js';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL is not set: run `npm run db:start` and export the URL it prints');
const password = decodeURIComponent(new URL(url).password);

let bin: string;
const pool = new pg.Pool({ connectionString: url, max: 2 });
const run = (args: string[], env: NodeJS.ProcessEnv = {}, input?: string) =>
  spawnCli(bin, args, { cwd: root, env, ...(input === undefined ? {} : { input }) });

beforeAll(async () => {
  bin = await buildCli();
  await pool.query('drop table if exists feature_flags, feature_flag_events, feature_flag_history, elite_migrations cascade');
});
afterAll(async () => {
  removeCli(bin);
  await pool.end();
});

describe('tiqology on PostgreSQL (subprocess)', () => {
  it('migrate applies the migrations once, then reports up to date', () => {
    const first = run(['migrate', '--database-url', url]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^127\.0\.0\.1:\d+\/postgres: applied /);
    expect(first.stdout.trim().split(': applied ')[1]?.split(', ')).toEqual(MIGRATIONS.map((m) => m.name));
    const second = run(['migrate', '--json'], { DATABASE_URL: url });
    expect(JSON.parse(second.stdout)).toEqual({ database: expect.stringMatching(/^127\.0\.0\.1:\d+\/postgres$/), applied: [] });
    expect(`${first.stdout}${first.stderr}${second.stdout}`).not.toContain(password);
  });

  it('flags set, list, get, rollout, disable, enable, delete through DATABASE_URL', async () => {
    await pool.query('truncate feature_flags, feature_flag_events');
    const env = { DATABASE_URL: url, USER: 'ops' };
    expect(run(['flags', 'set', '-'], env, JSON.stringify({ key: 'new-checkout', enabled: true, rollout: 10 })).code).toBe(0);
    expect(run(['flags', 'rollout', 'new-checkout', '50'], env).stdout).toMatch(
      /version 2, enabled, rollout 50% \[postgres 127\.0\.0\.1:\d+\/postgres\]/,
    );
    expect(run(['flags', 'disable', 'new-checkout'], env).code).toBe(0);
    expect(run(['flags', 'enable', 'new-checkout'], env).code).toBe(0);
    const get = JSON.parse(run(['flags', 'get', 'new-checkout', '--json'], env).stdout);
    expect(get).toMatchObject({ key: 'new-checkout', environment: 'production', enabled: true, rollout: 50, version: 4 });
    const row = await pool.query('select version, updated_by from feature_flags where key = $1', ['new-checkout']);
    expect(row.rows[0]).toMatchObject({ version: 4, updated_by: 'ops via tiqology' });

    expect(run(['flags', 'set', JSON.stringify({ key: 'beta', enabled: false }), '--env', 'staging'], env).code).toBe(0);
    const list = JSON.parse(run(['flags', 'list', '--json'], env).stdout) as { key: string }[];
    expect(list.map((f) => f.key)).toEqual(['new-checkout']);
    expect(run(['flags', 'list', '--env', 'staging'], env).stdout).toMatch(/\nbeta\s+off\s+100%\s+toggle\s+1\s/);

    const conflict = run(['flags', 'set', '{"key":"new-checkout","enabled":false}', '--if-version', '3'], env);
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toMatch(/is at version 4, expected 3.*\(VERSION_CONFLICT\)\n$/);

    expect(run(['flags', 'delete', 'new-checkout'], env).code).toBe(0);
    expect(run(['flags', 'get', 'new-checkout'], env)).toMatchObject({ code: 1, stderr: expect.stringMatching(/not found/) });
    // Every change is in the history, newest first, the delete included, each naming who made it.
    const history = JSON.parse(run(['flags', 'history', 'new-checkout', '--json'], env).stdout) as Record<string, unknown>[];
    expect(history.map((c) => [c.action, c.version, c.updatedBy, c.changes])).toEqual([
      ['delete', 4, 'ops via tiqology', ['enabled', 'environment', 'key', 'rollout']],
      ['update', 4, 'ops via tiqology', ['enabled']],
      ['update', 3, 'ops via tiqology', ['enabled']],
      ['update', 2, 'ops via tiqology', ['rollout']],
      ['create', 1, 'ops via tiqology', ['enabled', 'environment', 'key', 'rollout']],
    ]);
    expect(history[3]).toMatchObject({ before: { rollout: 10 }, after: { rollout: 50 } });
    const table = run(['flags', 'history', 'new-checkout', '--limit', '2'], env).stdout.split('\n');
    expect(table.slice(2, 4)).toEqual([
      expect.stringMatching(/^\s+4\s+delete\s+\S+Z\s+ops via tiqology\s+deleted$/),
      expect.stringMatching(/^\s+4\s+update\s+\S+Z\s+ops via tiqology\s+enabled false → true$/),
    ]);
    const invalid = run(['flags', 'set', '{"key":"x","enabled":true,"variants":[{"key":"a","weight":90}]}'], env);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/\(INVALID_FLAG\)\n$/);
  });

  it('results reads the aggregates of events written by the SDK adapter', async () => {
    await pool.query('truncate feature_flags, feature_flag_events');
    const storage = createPostgresStorage({ pool });
    await storage.writeFlag(PRICING);
    await storage.appendEvents(experimentEvents(400, { control: 40, 'variant-b': 80 }));
    const r = run(['results', 'pricing', '--event', 'purchase', '--since', '2026-01-01'], { DATABASE_URL: url });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/control\s+400\s+40\s+10\.00%/);
    expect(r.stdout).toMatch(/variant-b ★\s+400\s+80\s+20\.00%/);
    expect(r.stdout).toMatch(/Verdict: WINNER variant-b/);
    const none = JSON.parse(run(['results', 'pricing', '--json', '--until', '2026-01-01'], { DATABASE_URL: url }).stdout);
    expect(none.variants.map((v: { exposures: number }) => v.exposures)).toEqual([0, 0]);
  });

  it('a wrong password fails in one line naming the store, never printing a password', () => {
    const wrong = new URL(url);
    wrong.password = 'not-the-password-42';
    for (const args of [
      ['flags', 'list', '--database-url', wrong.toString()],
      ['migrate', '--database-url', wrong.toString()],
    ]) {
      const r = run(args, { DATABASE_URL: url });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^tiqology: postgres 127\.0\.0\.1:\d+\/postgres: password authentication failed .*\n$/);
      expect(r.stderr).not.toContain('not-the-password-42');
      expect(r.stderr).not.toContain(password);
    }
  });
});
