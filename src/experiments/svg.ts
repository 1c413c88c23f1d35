/**
 * `experimentToSVG()`: an analysis as a self-contained SVG chart, one panel per metric with one
 * interval of the relative effect per variant around a dashed 0 line. A string built without a
 * DOM (Node, Edge runtimes, browsers), small on purpose: it ships in the experiments entry.
 * @packageDocumentation
 */
import type { ExperimentAnalysis } from './analysis-types.js';

/** Options of {@link experimentToSVG}. */
export interface ExperimentSvgOptions {
  /** Pixel width, at least 320. Default 640. */
  width?: number;
  /** Title at the top. Default: `Experiment: <decision>`. */
  title?: string;
}

const escapeXml = (text: string): string =>
  text.replace(/[<>&'"]/g, (c) => `&${{ '<': 'lt', '>': 'gt', '&': 'amp', "'": 'apos', '"': 'quot' }[c]};`);

/** `+12.3%`; the bounds of the scale and the estimates' labels. */
const pct = (x: number): string => `${x > 0 ? '+' : ''}${Number((100 * x).toPrecision(3))}%`;

/** A text cut to what fits in `px` at 12 px (7 px a character, an upper bound for sans-serif: no text measuring here). */
const clip = (text: string, px: number): string => {
  const chars = Math.max(1, Math.floor(px / 7));
  return escapeXml(text.length <= chars ? text : `${text.slice(0, chars - 1)}…`);
};

const COLORS: Record<string, string> = { BETTER: '#16a34a', NO_HARM: '#16a34a', WORSE: '#dc2626', HARM: '#dc2626' };

/**
 * Draws every metric of an analysis (from `analyzeExperiment` or `results({ analysis })`) as an
 * SVG document: per metric a heading, then per variant other than control its relative effect
 * (`circle`) and interval (`line class="interval"`, the corrected one when a correction applied, coloured by outcome; an infinite end of a
 * guardrail's one-sided interval runs to the edge), on the metric's own scale around a dashed 0
 * line; a variant without an interval (`NOT_ENOUGH_DATA`) gets a note instead. Labels are
 * escaped. Never throws for an analysis `analyzeExperiment` returned.
 * @example
 * ```ts
 * import { analyzeExperiment, experimentToSVG } from '@tiqology/elite/experiments';
 * declare const analysis: ReturnType<typeof analyzeExperiment>;
 * const svg = experimentToSVG(analysis, { title: 'checkout-test' });
 * ```
 */
export function experimentToSVG(analysis: ExperimentAnalysis, options: ExperimentSvgOptions = {}): string {
  const width = Math.max(320, Number.isFinite(options.width) ? (options.width as number) : 640);
  const left = 130;
  const right = width - 60;
  const body: string[] = [];
  let y = 40;
  for (const metric of analysis.metrics) {
    const rows = metric.variants.filter((v) => v.comparison !== undefined);
    let lo = 0;
    let hi = 0;
    for (const v of rows) {
      const r = v.comparison?.relative;
      for (const b of r ? [r.estimate, ...(r.adjustedInterval ?? r.interval)] : []) {
        if (Number.isFinite(b)) {
          lo = Math.min(lo, b);
          hi = Math.max(hi, b);
        }
      }
    }
    const pad = (hi - lo) * 0.1 || 0.01;
    lo -= pad;
    hi += pad;
    const x = (v: number) => (left + ((Math.min(hi, Math.max(lo, v)) - lo) / (hi - lo)) * (right - left)).toFixed(1);
    const top = y + 8;
    body.push(
      `<g class="metric" data-metric="${escapeXml(metric.key)}">`,
      `<text x="8" y="${y}" font-weight="bold">${clip(`${metric.key} (${metric.role}, ${metric.kind}${metric.direction === 'decrease' ? ', lower is better' : ''})`, ((width - 16) * 7) / 8)}</text>`,
    );
    y += 22;
    for (const v of rows) {
      const c = v.comparison!;
      const r = c.relative;
      body.push(
        `<text x="${left - 8}" y="${y + 4}" text-anchor="end"><title>${escapeXml(v.variant)}</title>${clip(v.variant, left - 16)}</text>`,
      );
      if (r === undefined) {
        body.push(
          `<text class="no-data" x="${left}" y="${y + 4}" fill="#6b7280">${escapeXml(`not enough data (${c.problem ?? c.outcome})`)}</text>`,
        );
      } else {
        const color = COLORS[c.outcome] ?? '#6b7280';
        const [low, high] = r.adjustedInterval ?? r.interval;
        body.push(
          `<line class="interval" data-variant="${escapeXml(v.variant)}" x1="${x(low)}" x2="${x(high)}" y1="${y}" y2="${y}" stroke="${color}" stroke-width="4"/>`,
          `<circle cx="${x(r.estimate)}" cy="${y}" r="4" fill="${color}"/>`,
          `<text x="${right + 6}" y="${y + 4}">${pct(r.estimate)}</text>`,
        );
      }
      y += 20;
    }
    body.push(
      `<line class="zero" x1="${x(0)}" x2="${x(0)}" y1="${top}" y2="${y - 8}" stroke="#374151" stroke-dasharray="3 3"/>`,
      `<text x="${left}" y="${y + 4}" fill="#6b7280">${pct(lo)}</text>`,
      `<text x="${x(0)}" y="${y + 4}" text-anchor="middle" fill="#6b7280">0</text>`,
      `<text x="${right}" y="${y + 4}" text-anchor="end" fill="#6b7280">${pct(hi)}</text>`,
      '</g>',
    );
    y += 30;
  }
  const title = options.title ?? `Experiment: ${analysis.decision}`;
  // The summary wraps at word boundaries to the chart's width.
  const summary: string[] = [];
  for (const word of analysis.summary.split(' ')) {
    const last = summary.length - 1;
    if (last >= 0 && ((summary[last] as string).length + word.length + 1) * 7 <= width - 16) summary[last] += ` ${word}`;
    else summary.push(word);
  }
  y += 16 * (summary.length - 1);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y + 10}" viewBox="0 0 ${width} ${y + 10}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text class="title" x="8" y="18" font-size="14">${clip(title, ((width - 16) * 12) / 14)}</text>`,
    ...body,
    ...summary.map(
      (line, i) => `<text class="summary" x="8" y="${y - 16 * (summary.length - 1 - i)}" fill="#374151">${clip(line, width - 16)}</text>`,
    ),
    '</svg>',
  ].join('');
}
