/**
 * The `--supabase-url` store without a server: option and key checks, and that a failure never
 * prints the service_role key. The real exchange (supabase-js against the PostgREST-protocol
 * server on PostgreSQL) is test/postgres/cli-supabase.test.ts.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../test/cli/in-process.js';
import { EXIT } from './io.js';

const cwd = mkdtempSync(join(tmpdir(), 'elite-cli-sb-'));
const KEY = 'service-role-key-that-must-never-be-printed';

describe('tiqology --supabase-url', () => {
  it('needs SUPABASE_SERVICE_ROLE_KEY (usage error, exit 2)', async () => {
    const run = await runCli(['flags', 'list', '--supabase-url', 'http://127.0.0.1:1'], { cwd });
    expect(run.code).toBe(EXIT.USAGE);
    expect(run.stderr).toBe(
      'tiqology: --supabase-url needs the service_role key in SUPABASE_SERVICE_ROLE_KEY; run tiqology flags --help\n',
    );
  });

  it('needs an http(s) URL', async () => {
    const run = await runCli(['flags', 'list', '--supabase-url', 'postgres://h/db'], { cwd, env: { SUPABASE_SERVICE_ROLE_KEY: KEY } });
    expect(run.code).toBe(EXIT.USAGE);
    expect(run.stderr).toMatch(/--supabase-url must be an http:\/\/ or https:\/\/ URL/);
  });

  it('SUPABASE_URL from the environment selects the store; an unreachable project is one line without the key', async () => {
    const run = await runCli(['flags', 'list', '--debug'], {
      cwd,
      env: { SUPABASE_URL: 'http://127.0.0.1:1', SUPABASE_SERVICE_ROLE_KEY: KEY },
    });
    expect(run.code).toBe(EXIT.FAILURE);
    expect(run.stderr.split('\n')[0]).toMatch(/^tiqology: .*(fetch failed|ECONNREFUSED)/);
    expect(run.stderr).not.toContain(KEY);
  });

  it('--supabase-url and --database-url together are refused', async () => {
    const run = await runCli(['flags', 'list', '--supabase-url', 'http://127.0.0.1:1', '--database-url', 'postgres://h/db'], { cwd });
    expect(run.code).toBe(EXIT.USAGE);
    expect(run.stderr).toMatch(/^tiqology: choose one store: --database-url or --supabase-url/);
  });
});
