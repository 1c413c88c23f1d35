/**
 * Renders a forecast chart in headless Chromium (Debian's `chromium`, driven by playwright-core)
 * and checks the PNG: the right size, not blank, with the forecast colour and band tints present;
 * and measures the decision labels in the rendered page: inside the chart, clear of the legend and
 * the title (screenshot in test/artifacts/forecast-svg-labels.png).
 * Run with `npm run test:browser` (CHROMIUM_PATH overrides /usr/bin/chromium).
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toSVG, traffic } from '../../src/forecast/index.js';

let browser: Browser;
beforeAll(async () => {
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
});
afterAll(async () => {
  await browser?.close();
});

/** Decodes an 8-bit RGB(A) non-interlaced PNG (what Chromium writes) into RGBA pixels. */
function decodePng(png: Buffer): { width: number; height: number; rgba: Uint8Array } {
  expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  let offset = 8;
  let width = 0;
  let height = 0;
  let colorType = 0;
  const idat: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('ascii', offset + 4, offset + 8);
    const data = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect(data[8]).toBe(8);
      colorType = data[9]!;
      expect(data[12]).toBe(0);
    } else if (type === 'IDAT') idat.push(data);
    offset += 12 + length;
  }
  const channels = colorType === 6 ? 4 : 3;
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const out = new Uint8Array(width * height * 4);
  const prev = new Uint8Array(stride);
  const cur = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    for (let i = 0; i < stride; i++) {
      const x = raw[y * (stride + 1) + 1 + i]!;
      const a = i >= channels ? cur[i - channels]! : 0;
      const b = prev[i]!;
      const c = i >= channels ? prev[i - channels]! : 0;
      const p = a + b - c;
      const pa = Math.abs(p - a);
      const pb = Math.abs(p - b);
      const pc = Math.abs(p - c);
      const paeth = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      cur[i] = (x + [0, a, b, (a + b) >> 1, paeth][filter]!) & 255;
    }
    for (let px = 0; px < width; px++) {
      for (let k = 0; k < 3; k++) out[(y * width + px) * 4 + k] = cur[px * channels + k]!;
      out[(y * width + px) * 4 + 3] = channels === 4 ? cur[px * channels + 3]! : 255;
    }
    prev.set(cur);
  }
  return { width, height, rgba: out };
}

describe('toSVG in Chromium', () => {
  it('renders to a PNG that is not blank', async () => {
    const values = Float64Array.from({ length: 24 * 21 }, (_, i) => 100 + 40 * Math.sin((2 * Math.PI * i) / 24) + ((i * 7919) % 13));
    const result = traffic({ startMs: Date.UTC(2026, 0, 5), stepMs: 3_600_000, values });
    const svg = toSVG(result, {
      width: 800,
      height: 320,
      markers: [{ timestamp: result.steps[6]!.timestamp, kind: 'SCALE_UP', label: 'SCALE_UP 0.82' }],
    });
    const page = await browser.newPage({ viewport: { width: 800, height: 320 } });
    await page.setContent(`<!doctype html><html><body style="margin:0">${svg}</body></html>`);
    const png = await page.locator('svg').screenshot({ type: 'png' });
    await page.close();
    const { width, height, rgba } = decodePng(png);
    expect([width, height]).toEqual([800, 320]);
    let nonWhite = 0;
    let forecastBlue = 0;
    let markerRed = 0;
    const colours = new Set<number>();
    for (let i = 0; i < rgba.length; i += 4) {
      const [r, g, b] = [rgba[i]!, rgba[i + 1]!, rgba[i + 2]!];
      if (r < 250 || g < 250 || b < 250) nonWhite++;
      if (b > 180 && r < 90 && g < 140) forecastBlue++;
      if (r > 180 && g < 80 && b < 80) markerRed++;
      colours.add((r << 16) | (g << 8) | b);
    }
    expect(nonWhite / (width * height)).toBeGreaterThan(0.02);
    expect(forecastBlue).toBeGreaterThan(50);
    expect(markerRed).toBeGreaterThan(50);
    expect(colours.size).toBeGreaterThan(20);
  });

  it('a blank page fails the same check (the test can fail)', async () => {
    const page = await browser.newPage({ viewport: { width: 200, height: 100 } });
    await page.setContent(
      '<!doctype html><html><body style="margin:0;background:#fff"><div style="width:200px;height:100px"></div></body></html>',
    );
    const { rgba } = decodePng(await page.screenshot({ type: 'png' }));
    await page.close();
    let nonWhite = 0;
    for (let i = 0; i < rgba.length; i += 4) if (rgba[i]! < 250 || rgba[i + 1]! < 250 || rgba[i + 2]! < 250) nonWhite++;
    expect(nonWhite).toBe(0);
  });

  it('decision labels stay inside the chart and clear of the legend and title, wherever the marker is', async () => {
    const values = Float64Array.from({ length: 24 * 14 }, (_, i) => 100 + 40 * Math.sin((2 * Math.PI * i) / 24));
    const result = traffic({ startMs: Date.UTC(2026, 0, 5), stepMs: 3_600_000, values });
    const first = result.history.startMs + (result.history.values.length - 24 * 7) * result.stepMs;
    const last = result.steps[result.steps.length - 1]!.timestamp.getTime();
    const labels = [
      'scale up: +3 instances, confidence 87%',
      // The longest the CLI writes (`tiqology demo`: decision and confidence), and a label of any length.
      'SCALE_DOWN 0.87',
      `scale up: ${'+3 instances '.repeat(30)}`,
    ];
    const pngs: Buffer[] = [];
    for (const width of [800, 360]) {
      for (const label of labels) {
        const markers = [first, (first + last) / 2, last].map((timestamp, i) => ({
          timestamp,
          kind: ['SCALE_UP', 'MAINTAIN', 'SCALE_DOWN'][i],
          label,
        }));
        const svg = toSVG(result, { width, height: 240, markers, title: 'requests: forecast (seasonal-naive-day)' });
        const page = await browser.newPage({ viewport: { width, height: 240 } });
        await page.setContent(`<!doctype html><html><body style="margin:0">${svg}</body></html>`);
        const boxes = await page.evaluate(() => {
          const box = (e: Element) => {
            const b = (e as SVGGraphicsElement).getBBox();
            return { x: b.x, y: b.y, right: b.x + b.width, bottom: b.y + b.height };
          };
          return {
            labels: Array.from(document.querySelectorAll('.marker-label')).map(box),
            legend: box(document.querySelector('.legend') as Element),
            title: box(document.querySelector('.title') as Element),
          };
        });
        pngs.push(await page.locator('svg').screenshot({ type: 'png' }));
        await page.close();
        expect(boxes.labels).toHaveLength(3);
        const overlap = (a: typeof boxes.legend, b: typeof boxes.legend) =>
          a.x < b.right && b.x < a.right && a.y < b.bottom && b.y < a.bottom;
        for (const box of boxes.labels) {
          const where = `${width}px, "${label.slice(0, 30)}", ${JSON.stringify(box)}`;
          expect(box.x, where).toBeGreaterThanOrEqual(0);
          expect(box.right, where).toBeLessThanOrEqual(width);
          expect(box.y, where).toBeGreaterThanOrEqual(0);
          expect(box.bottom, where).toBeLessThanOrEqual(240);
          expect(overlap(box, boxes.legend), `${where} overlaps the legend ${JSON.stringify(boxes.legend)}`).toBe(false);
          expect(overlap(box, boxes.title), `${where} overlaps the title ${JSON.stringify(boxes.title)}`).toBe(false);
        }
        expect(overlap(boxes.title, boxes.legend), `${width}px: the title runs under the legend`).toBe(false);
        // Labels of neighbouring markers do not print over each other.
        const [a, b, c] = boxes.labels as [typeof boxes.legend, typeof boxes.legend, typeof boxes.legend];
        expect(overlap(a, b) || overlap(b, c) || overlap(a, c)).toBe(false);
      }
    }
    // The rendered charts, for a look: test/artifacts/ (CI keeps it as an artifact).
    const dir = join(import.meta.dirname, '../artifacts');
    mkdirSync(dir, { recursive: true });
    for (const [i, png] of pngs.entries()) writeFileSync(join(dir, `forecast-svg-labels-${i}.png`), png);
  });
});
