/**
 * `tiqology studio` on a flags file in real Chromium (flows in studio-flows.ts), and the forecast
 * page with the bundled demo series uploaded. Screenshots in test/artifacts/studio-file-*.png.
 * The same flows on PostgreSQL: studio-postgres.test.ts. Run with `npm run test:browser`.
 */
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, removeCli, root } from '../cli/build.js';
import { experimentEvents, PRICING } from '../cli/events.js';
import { expectAccessible, launch, runFlows, type ServedStudio, screenshot, serveStudio, tabTo } from './studio-flows.js';

let browser: Browser;
let bin: string;
let reader: string;
let cwd: string;
let studio: ServedStudio;

beforeAll(async () => {
  [bin, reader, browser] = await Promise.all([buildCli(), buildCli(join(root, 'test/browser/studio-sdk.ts')), launch()]);
  cwd = mkdtempSync(join(tmpdir(), 'elite-studio-browser-'));
  writeFileSync(
    join(cwd, 'flags.json'),
    JSON.stringify({
      flags: [
        { key: 'checkout', environment: 'production', enabled: true, rollout: 10, description: 'Checkout <script>alert("x")</script>' },
        PRICING,
        {
          key: 'search',
          environment: 'production',
          enabled: false,
          rules: [{ condition: { country: { $in: ['DE', 'FR'] } }, rollout: 50 }],
        },
      ],
      events: experimentEvents(300, { control: 30, 'variant-b': 45 }),
    }),
  );
  studio = await serveStudio(bin, ['--file', 'flags.json'], cwd);
});
afterAll(async () => {
  await studio?.stop();
  await browser?.close();
  removeCli(bin);
  removeCli(reader);
});

describe('tiqology studio in Chromium: flags file', () => {
  it('toggles, edits with a diff, shows field errors and conflicts, and the experiment numbers of results --json', async () => {
    await runFlows({ browser, studio, reader, bin, store: ['--file', join(cwd, 'flags.json')], env: 'production', cwd, name: 'file' });
  });

  it('forecasts an uploaded CSV: chart with bands, decision and reasons, 7-day cost', async () => {
    const page = await browser.newPage();
    await page.goto(`${studio.url}forecast`);
    await expectAccessible(page, 'forecast form');
    await page.getByLabel(/^Upload a CSV/).setInputFiles(join(root, 'data/demo/traffic.csv'));
    await page.getByLabel(/^Capacity/).fill('58000');
    await page.getByLabel(/^Cost column/).fill('cost_usd');
    await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: 'Forecast' }).click()]);
    await expect.poll(() => page.locator('#forecast-chart svg polygon.band').count()).toBeGreaterThan(0);
    expect(await page.locator('#decision').getAttribute('data-decision')).toMatch(/^[A-Z_]+$/);
    expect(await page.locator('#reasons li').count()).toBeGreaterThan(0);
    expect(Number(await page.locator('#cost').getAttribute('data-total'))).toBeGreaterThan(0);
    await expectAccessible(page, 'forecast');
    await screenshot(page, 'studio-file-forecast');
    await page.close();
  });

  it('forecasts a CSV named by its path, from the keyboard only', async () => {
    copyFileSync(join(root, 'data/demo/traffic.csv'), join(cwd, 'traffic.csv'));
    const page = await browser.newPage();
    await page.goto(`${studio.url}forecast`);
    await tabTo(page, page.getByLabel(/^Or a CSV path/));
    await page.keyboard.type('traffic.csv');
    await tabTo(page, page.getByLabel(/^Capacity/));
    await page.keyboard.type('58000');
    await tabTo(page, page.getByRole('button', { name: 'Forecast' }));
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#decision').count()).toBe(1);
    expect(await page.locator('#forecast-chart svg polygon.band').count()).toBeGreaterThan(0);
    expect(await page.locator('main > p').first().textContent()).toMatch(/^traffic\.csv: “requests”, \d+ points/);
    await page.close();
  });
});
