/**
 * The studio's end-to-end flows in real Chromium, shared by the file-store and PostgreSQL suites:
 * the `tiqology` executable serves the studio in a child process; the page is driven with the
 * keyboard; what it changed is read back by the SDK in another child process; axe-core checks
 * every page; screenshots go to test/artifacts/studio-<store>-*.png.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { root, spawnCli } from '../cli/build.js';

export const ARTIFACTS = join(root, 'test/artifacts');
const AXE = readFileSync(join(root, 'node_modules/axe-core/axe.min.js'), 'utf8');

export const launch = (): Promise<Browser> =>
  chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });

/** A studio served by the executable in a child process. */
export interface ServedStudio {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `tiqology studio <args> --json` and resolves with its address once it prints it. */
export function serveStudio(bin: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<ServedStudio> {
  const child = spawn(process.execPath, [bin, 'studio', ...args, '--json'], { cwd, env: { PATH: process.env.PATH, ...env } });
  let stdout = '';
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`studio did not start: ${stderr}`)), 30_000);
    child.stderr.on('data', (c) => (stderr += c));
    child.on('exit', (code) => reject(new Error(`studio exited ${code}: ${stderr}`)));
    child.stdout.on('data', (c) => {
      stdout += c;
      try {
        const info = JSON.parse(stdout) as { url: string; loopback: boolean };
        clearTimeout(timer);
        expect(info.loopback).toBe(true);
        resolve({
          url: info.url,
          child,
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      } catch {
        // Not the whole document yet.
      }
    });
  });
}

/** What the SDK in another process answers for a flag: version, state, rollout and the share of 2,000 users it includes. */
export function sdkRead(reader: string, key: string, env: string, store: string[], cwd: string) {
  const run = spawnCli(reader, ['read', key, env, ...store], { cwd });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as { version: number; enabled: boolean; rollout?: number; share: number };
}

/** Presses Tab until `target` has the focus (at most 80 times): the page is used from the keyboard only. */
export async function tabTo(page: Page, target: Locator): Promise<void> {
  const handle = await target.elementHandle();
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((el) => document.activeElement === el, handle)) return;
  }
  throw new Error(`Tab never reached ${target}`);
}

/** Runs axe-core on the page (WCAG 2 A and AA rules, labels included) and expects no violation. */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  // Evaluated through the DevTools protocol: the page's content security policy allows no inline script.
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: { run(context: Document, options: unknown): Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> };
      }
    ).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  expect(violations, `axe on ${name}`).toEqual([]);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** The flows every store runs. `store` is the store options of the CLI and the SDK reader. */
export async function runFlows(options: {
  browser: Browser;
  studio: ServedStudio;
  reader: string;
  bin: string;
  store: string[];
  env: string;
  cwd: string;
  name: string;
}): Promise<void> {
  const { browser, studio, reader, store, env, cwd, name } = options;
  const context = await browser.newContext();
  const page = await context.newPage();
  const dialogs: string[] = [];
  // A refusal by the content security policy (an inline style or script) shows on the console.
  const refused: string[] = [];
  context.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) refused.push(m.text());
  });
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });

  // The list: escaped description, search, axe.
  await page.goto(`${studio.url}flags?env=${env}`);
  await expect.poll(() => page.locator('#flag-table tbody tr').count()).toBe(3);
  expect(await page.locator('tr[data-flag="checkout"] .muted').textContent()).toBe('Checkout <script>alert("x")</script>');
  await expectAccessible(page, 'flags list');
  await screenshot(page, `studio-${name}-flags`);
  await tabTo(page, page.locator('#flag-search'));
  await page.keyboard.type('pric');
  await expect.poll(() => page.locator('#flag-table tbody tr:not([hidden])').count()).toBe(1);
  await page.keyboard.press('Enter');
  await page.waitForURL(/q=pric/);
  expect(await page.locator('#search-status').textContent()).toBe('1 flag shown');

  // The kill switch, from the keyboard; the SDK in another process sees the flag off.
  await page.goto(`${studio.url}flags?env=${env}`);
  expect(sdkRead(reader, 'checkout', env, store, cwd)).toMatchObject({ enabled: true, rollout: 10 });
  await tabTo(page, page.getByRole('button', { name: 'Turn off checkout' }));
  await Promise.all([page.waitForURL(/saved=checkout%20off/), page.keyboard.press('Enter')]);
  expect(await page.locator('tr[data-flag="checkout"] [data-field="enabled"]').textContent()).toBe('off');
  expect(sdkRead(reader, 'checkout', env, store, cwd)).toMatchObject({ enabled: false, share: 0 });
  await tabTo(page, page.getByRole('button', { name: 'Turn on checkout' }));
  await Promise.all([page.waitForURL(/saved=checkout%20on/), page.keyboard.press('Enter')]);
  expect(await page.locator('tr[data-flag="checkout"] [data-field="enabled"]').textContent()).toBe('on');

  // Rollout 10 → 40 through the editor: review shows the diff, save writes; the SDK includes ~40 % of users.
  await page.goto(`${studio.url}flags/checkout?env=${env}`);
  await expectAccessible(page, 'flag page');
  await tabTo(page, page.getByLabel(/^Rollout/));
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type('40');
  await tabTo(page, page.getByRole('button', { name: 'Review changes' }));
  await Promise.all([page.waitForURL(/\/edit/), page.keyboard.press('Enter')]);
  expect(await page.locator('#diff tr[data-field="rollout"] td').allTextContents()).toEqual(['10', '40']);
  await expectAccessible(page, 'review');
  await screenshot(page, `studio-${name}-review`);
  await tabTo(page, page.getByRole('button', { name: /^Save version/ }));
  await Promise.all([page.waitForURL(/saved=/), page.keyboard.press('Enter')]);
  expect(await page.locator('#flag-rollout').textContent()).toBe('40%');
  const after = sdkRead(reader, 'checkout', env, store, cwd);
  expect(after).toMatchObject({ enabled: true, rollout: 40, version: 4 });
  expect(after.share).toBeGreaterThan(0.35);
  expect(after.share).toBeLessThan(0.45);

  // An invalid weight: the field's error, announced and linked; nothing written.
  await page.goto(`${studio.url}flags/pricing?env=${env}`);
  const before = sdkRead(reader, 'pricing', env, store, cwd);
  await tabTo(page, page.getByLabel('Variant 1 weight (%)'));
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type('abc');
  await tabTo(page, page.getByRole('button', { name: 'Review changes' }));
  await Promise.all([page.waitForLoadState('load'), page.keyboard.press('Enter')]);
  await expect
    .poll(() => page.locator('[data-error-for="variants[0].weight"]').textContent())
    .toMatch(/variants\[0\]\.weight must be .*"abc"/);
  expect(await page.getByLabel('Variant 1 weight (%)').getAttribute('aria-invalid')).toBe('true');
  expect(await page.locator('#error-summary').getAttribute('role')).toBe('alert');
  await expectAccessible(page, 'form with errors');
  await screenshot(page, `studio-${name}-field-error`);
  expect(sdkRead(reader, 'pricing', env, store, cwd).version).toBe(before.version);

  // Two pages edit the same flag: the second save is a conflict, and the first change stays.
  const other = await context.newPage();
  await Promise.all([page.goto(`${studio.url}flags/pricing?env=${env}`), other.goto(`${studio.url}flags/pricing?env=${env}`)]);
  for (const [p, rollout] of [
    [page, '30'],
    [other, '70'],
  ] as const) {
    await p.getByLabel(/^Rollout/).fill(rollout);
    await Promise.all([p.waitForURL(/\/edit/), p.getByRole('button', { name: 'Review changes' }).click()]);
  }
  await Promise.all([page.waitForURL(/saved=/), page.getByRole('button', { name: /^Save version/ }).click()]);
  await other.getByRole('button', { name: /^Save version/ }).click();
  await expect.poll(() => other.locator('[role=alert]').first().textContent()).toMatch(/Conflict: nothing was saved/);
  await expectAccessible(other, 'conflict');
  await screenshot(other, `studio-${name}-conflict`);
  expect(sdkRead(reader, 'pricing', env, store, cwd)).toMatchObject({ rollout: 30, version: before.version + 1 });
  await other.close();

  // The experiment page shows the numbers of `tiqology results --json`.
  const cli = spawnCli(options.bin, ['results', 'pricing', '--event', 'purchase', '--env', env, '--json', ...store], { cwd });
  expect(cli.stderr).toBe('');
  const json = JSON.parse(cli.stdout) as { verdict: string; summary: string; variants: Record<string, number | string | number[]>[] };
  await page.goto(`${studio.url}experiments?env=${env}`);
  await tabTo(page, page.getByRole('link', { name: 'pricing' }));
  await Promise.all([page.waitForURL(/experiments\/pricing/), page.keyboard.press('Enter')]);
  await tabTo(page, page.getByLabel(/^Conversion event/));
  await page.keyboard.type('purchase');
  await tabTo(page, page.getByRole('button', { name: 'Compute' }));
  await Promise.all([page.waitForURL(/event=purchase/), page.keyboard.press('Enter')]);
  for (const v of json.variants) {
    const row = page.locator(`#results tr[data-variant="${v.variant}"]`);
    for (const field of ['exposures', 'conversions', 'conversionRate', 'uplift', 'pValue', 'probabilityToBeatControl', 'valueMean']) {
      expect(await row.locator(`[data-field="${field}"]`).getAttribute('data-raw'), `${v.variant} ${field}`).toBe(
        v[field] === undefined ? '' : String(v[field]),
      );
    }
    expect(await row.locator('[data-field="conversionRateInterval"]').getAttribute('data-raw')).toBe(
      (v.conversionRateInterval as number[]).join(','),
    );
  }
  expect(await page.locator('#verdict').getAttribute('data-verdict')).toBe(json.verdict);
  expect(await page.locator('#verdict').textContent()).toContain(json.summary);
  expect(await page.locator('figure.chart svg line.interval').count()).toBe(json.variants.length);
  await expectAccessible(page, 'experiment');
  await screenshot(page, `studio-${name}-experiment`);

  expect(dialogs).toEqual([]);
  expect(refused).toEqual([]);
  await context.close();
}
