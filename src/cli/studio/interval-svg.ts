/**
 * The conversion rate of each variant with its interval, as a small SVG chart: one row per
 * variant, a line for the interval and a dot for the rate, on a shared axis. Text is escaped.
 * @packageDocumentation
 */
import type { VariantResult } from '@tiqology/elite/experiments';
import { escapeHtml } from './html.js';

const pct = (x: number) => `${(100 * x).toFixed(x < 0.1 ? 2 : 1)}%`;

/** The chart as an SVG document; `control` is drawn in grey, the others in blue. */
export function intervalChartSVG(variants: readonly VariantResult[], control: string, width = 640): string {
  const rowHeight = 28;
  const left = 150;
  const right = 70;
  const top = 24;
  const height = top + rowHeight * variants.length + 24;
  const hi = Math.min(1, Math.max(0.01, ...variants.map((v) => v.conversionRateInterval[1])) * 1.1);
  const x = (p: number) => left + ((width - left - right) * p) / hi;
  const ticks = [0, hi / 4, hi / 2, (3 * hi) / 4, hi];
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="interval-title">`,
    `<title id="interval-title">Conversion rate of each variant with its 95% interval</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    ...ticks.map(
      (t) =>
        `<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${top - 6}" y2="${height - 20}" stroke="#e5e7eb"/><text x="${x(t).toFixed(1)}" y="${height - 6}" font-size="11" text-anchor="middle" fill="#4b5563">${pct(t)}</text>`,
    ),
  ];
  variants.forEach((v, i) => {
    const y = top + rowHeight * i + rowHeight / 2;
    const color = v.variant === control ? '#4b5563' : '#1d4ed8';
    const [lo, up] = v.conversionRateInterval;
    parts.push(
      `<text x="${left - 8}" y="${y + 4}" font-size="12" text-anchor="end" fill="#111827">${escapeHtml(v.variant)}${v.variant === control ? ' (control)' : ''}</text>`,
      `<line class="interval" data-variant="${escapeHtml(v.variant)}" x1="${x(lo).toFixed(1)}" x2="${x(up).toFixed(1)}" y1="${y}" y2="${y}" stroke="${color}" stroke-width="3"/>`,
      `<circle cx="${x(v.conversionRate).toFixed(1)}" cy="${y}" r="5" fill="${color}"/>`,
      `<text x="${width - right + 8}" y="${y + 4}" font-size="12" fill="#111827">${pct(v.conversionRate)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}
