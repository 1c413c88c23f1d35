/**
 * Two `tiqology rollout run` processes on one flag in the real PostgreSQL: the first holds the
 * lease (a session advisory lock) while it runs, the second only reports that another controller
 * has the flag; once the first stops, a new run takes the lease. And the lease itself across two
 * pools: a holder whose connection is killed frees the flag at once.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/adapters/postgres.js';
import { createPostgresLease, leaseName } from '../../src/rollouts/lease.js';
import { buildCli, removeCli, root, spawnCli } from '../cli/build.js';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL is not set: run `npm run db:start` and export the URL it prints');

let bin: string;
let dir: string;
const pool = new pg.Pool({ connectionString: url, max: 3 });

const closedPort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });

beforeAll(async () => {
  bin = await buildCli();
  await migrate(pool);
  await pool.query("delete from feature_flags where key = 'lease-flag'");
  dir = mkdtempSync(join(tmpdir(), 'elite-lease-'));
  writeFileSync(
    join(dir, 'plan.json'),
    JSON.stringify({
      steps: [5, 100],
      guardrails: [{ metric: 'error_rate' }],
      prometheus: { url: `http://127.0.0.1:${await closedPort()}`, timeoutMs: 1000 },
    }),
  );
});
afterAll(async () => {
  removeCli(bin);
  rmSync(dir, { recursive: true, force: true });
  await pool.end();
});

describe('the rollout lease on PostgreSQL', () => {
  it('two processes: only the first acts; after it stops, another run takes the lease', async () => {
    const env = { DATABASE_URL: url, PATH: process.env.PATH };
    expect(spawnCli(bin, ['flags', 'set', JSON.stringify({ key: 'lease-flag', enabled: true, rollout: 5 })], { cwd: root, env }).code).toBe(
      0,
    );
    const args = ['rollout', 'run', 'lease-flag', '--plan', join(dir, 'plan.json'), '--enable'];
    const first = spawn(process.execPath, [bin, ...args, '--interval', '1s'], { cwd: root, env });
    let firstOut = '';
    first.stdout.on('data', (c: Buffer) => {
      firstOut += c.toString();
    });
    const exited = new Promise<number | null>((resolve) => first.once('exit', resolve));
    try {
      await expect.poll(() => firstOut, { timeout: 30_000, interval: 200 }).toMatch(/hold\s+5 %\s+metrics unavailable/);
      const second = spawnCli(bin, [...args, '--once'], { cwd: root, env });
      expect(second.code).toBe(3);
      expect(second.stdout).toMatch(/another controller holds the lease on lease-flag/);
    } finally {
      first.kill('SIGTERM');
    }
    expect(await exited).toBe(3);
    const third = spawnCli(bin, [...args, '--once'], { cwd: root, env });
    expect(third.code).toBe(3);
    expect(third.stdout).toMatch(/metrics unavailable/);
    expect(third.stdout).not.toMatch(/lease/);
  });

  it('a holder whose connection dies frees the lease at once', async () => {
    const name = leaseName('lease-flag', 'production');
    const other = new pg.Pool({ connectionString: url, max: 2 });
    const a = createPostgresLease({ pool, name });
    const b = createPostgresLease({ pool: other, name });
    try {
      expect(await a.acquire()).toBe(true);
      expect(await a.acquire()).toBe(true);
      expect(await b.acquire()).toBe(false);
      // Kill the holder's session, as a crash would.
      await other.query(
        "select pg_terminate_backend(pid) from pg_locks where locktype = 'advisory' and classid = 1701605999 and objsubid = 2 and pid <> pg_backend_pid()",
      );
      await expect.poll(() => b.acquire(), { timeout: 10_000, interval: 200 }).toBe(true);
    } finally {
      await b.release();
      await a.release();
      await other.end();
    }
  });
});
