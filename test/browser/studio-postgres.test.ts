/**
 * `tiqology studio` on the real PostgreSQL in Chromium: the flows of studio-flows.ts (kill switch,
 * rollout through the editor, field errors, conflicts between two pages, the experiment's numbers
 * against `results --json`), the history the database keeps, and no secret on any page.
 * Needs DATABASE_URL (npm run db:start; .ci/run starts one before this suite).
 * Screenshots in test/artifacts/studio-postgres-*.png.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, removeCli, root, spawnCli } from '../cli/build.js';
import { PRICING } from '../cli/events.js';
import { launch, runFlows, type ServedStudio, screenshot, serveStudio } from './studio-flows.js';

const url = process.env.DATABASE_URL;
if (url === undefined) throw new Error('studio-postgres.test.ts needs DATABASE_URL: start one with npm run db:start');
// An environment of this run only: the database may hold other suites' flags.
const env = `studio-${process.pid}-${Date.now().toString(36)}`;

let browser: Browser;
let bin: string;
let reader: string;
let cwd: string;
let studio: ServedStudio;

beforeAll(async () => {
  [bin, reader, browser] = await Promise.all([buildCli(), buildCli(join(root, 'test/browser/studio-sdk.ts')), launch()]);
  cwd = mkdtempSync(join(tmpdir(), 'elite-studio-pg-'));
  const dbEnv = { DATABASE_URL: url };
  expect(spawnCli(bin, ['migrate'], { cwd, env: dbEnv }).code).toBe(0);
  const flags = [
    { key: 'checkout', environment: env, enabled: true, rollout: 10, description: 'Checkout <script>alert("x")</script>' },
    { ...PRICING, environment: env },
    { key: 'search', environment: env, enabled: false, rules: [{ condition: { country: { $in: ['DE', 'FR'] } }, rollout: 50 }] },
  ];
  const set = spawnCli(bin, ['flags', 'set', '-', '--env', env], { cwd, env: dbEnv, input: JSON.stringify(flags) });
  expect(set.stderr).toBe('');
  expect(spawnCli(reader, ['seed', env, '--database-url', url], { cwd }).code).toBe(0);
  // The URL comes from the environment, as users are told to pass it: never on the command line.
  studio = await serveStudio(bin, ['--env', env], cwd, dbEnv);
});
afterAll(async () => {
  await studio?.stop();
  await browser?.close();
  if (bin !== undefined)
    for (const key of ['checkout', 'pricing', 'search'])
      spawnCli(bin, ['flags', 'delete', key, '--env', env], { cwd, env: { DATABASE_URL: url } });
  removeCli(bin);
  removeCli(reader);
});

describe('tiqology studio in Chromium: PostgreSQL', () => {
  it('toggles, edits with a diff, shows field errors and conflicts, and the experiment numbers of results --json', async () => {
    await runFlows({ browser, studio, reader, bin, store: ['--database-url', url], env, cwd, name: 'postgres' });
  });

  it('shows the history the database recorded, and no database URL or password anywhere', async () => {
    const page = await browser.newPage();
    await page.goto(`${studio.url}flags/checkout?env=${env}`);
    const rows = await page.locator('#history tbody tr').allTextContents();
    expect(rows.length).toBeGreaterThanOrEqual(4);
    expect(rows[0]).toContain('rollout 10 → 40');
    expect(rows.some((r) => r.includes('enabled true → false'))).toBe(true);
    await screenshot(page, 'studio-postgres-history');
    const { password, host } = new URL(url);
    for (const path of ['flags', `flags/checkout?env=${env}`, `experiments/pricing?env=${env}`, 'forecast', 'nowhere']) {
      await page.goto(`${studio.url}${path}`);
      const content = await page.content();
      expect(content).not.toContain(password);
      expect(content).not.toContain('postgres://');
      expect(content).toContain(`postgres ${host}`);
    }
    await page.close();
  });
});
