/**
 * The experiment chart (`experimentToSVG`) in headless Chromium (Debian's `chromium`, driven by
 * playwright-core): the browser's XML parser accepts it, it holds one interval per compared variant
 * per metric, and every label drawn stays inside the chart at narrow and wide widths, long names
 * and summaries included (screenshots in test/artifacts/experiment-svg-*.png).
 * Run with `npm run test:browser` (CHROMIUM_PATH overrides /usr/bin/chromium).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeExperiment, experimentToSVG, type VariantMetricStats } from '../../src/experiments/index.js';

let browser: Browser;
beforeAll(async () => {
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
});
afterAll(async () => {
  await browser?.close();
});

const arm = (variant: string, revenue: number, errors: number): VariantMetricStats => ({
  variant,
  units: 5000,
  metrics: {
    revenue: { kind: 'mean', units: 5000, sum: revenue, sumSquares: 2.2e6 },
    'checkout errors <5xx> & timeouts': { kind: 'binomial', units: 5000, sum: errors, sumSquares: errors },
  },
});
const analysis = analyzeExperiment(
  [arm('control', 50000, 100), arm('b', 56000, 98), arm('a-variant-with-a-very-long-name & "quotes"', 49000, 160)],
  {
    metrics: [
      { key: 'revenue', kind: 'mean', source: { event: 'purchase' } },
      { key: 'checkout errors <5xx> & timeouts', kind: 'binomial', source: { event: 'error' }, direction: 'decrease' },
    ],
    goal: 'revenue',
    guardrails: ['checkout errors <5xx> & timeouts'],
  },
);

describe('experimentToSVG in Chromium', () => {
  it('parses as XML and keeps every label inside the chart', async () => {
    const dir = join(import.meta.dirname, '../artifacts');
    mkdirSync(dir, { recursive: true });
    for (const width of [320, 640, 1000]) {
      const svg = experimentToSVG(analysis, { width, title: 'checkout-test <production> & a long title that needs room' });
      const page = await browser.newPage({ viewport: { width: width + 20, height: 800 } });
      await page.setContent('<!doctype html><html><body style="margin:0"></body></html>');
      const parsed = await page.evaluate((text) => {
        const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
        document.body.append(document.importNode(doc.documentElement, true));
        const root = document.querySelector('svg') as SVGSVGElement;
        return {
          errors: doc.getElementsByTagName('parsererror').length,
          intervals: Array.from(doc.querySelectorAll('g.metric')).map((g) => g.querySelectorAll('line.interval').length),
          size: { width: root.width.baseVal.value, height: root.height.baseVal.value },
          texts: Array.from(root.querySelectorAll('text')).map((t) => {
            const b = t.getBBox();
            return { text: t.textContent, x: b.x, right: b.x + b.width, y: b.y, bottom: b.y + b.height };
          }),
        };
      }, svg);
      writeFileSync(join(dir, `experiment-svg-${width}.png`), await page.locator('svg').screenshot({ type: 'png' }));
      await page.close();
      expect(parsed.errors).toBe(0);
      expect(parsed.intervals).toEqual([2, 2]);
      expect(parsed.size.width).toBe(width);
      for (const box of parsed.texts) {
        const where = `${width}px: ${JSON.stringify(box)}`;
        expect(box.x, where).toBeGreaterThanOrEqual(0);
        expect(box.right, where).toBeLessThanOrEqual(width);
        expect(box.y, where).toBeGreaterThanOrEqual(0);
        expect(box.bottom, where).toBeLessThanOrEqual(parsed.size.height);
      }
    }
  });
});
