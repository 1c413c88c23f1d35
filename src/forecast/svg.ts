/**
 * `toSVG()`: a self-contained SVG chart of a traffic forecast (history, forecast mean, one band per
 * interval level, optional decision markers) for the CLI, reports and dashboards. A string, built
 * without a DOM, so it runs in Node, Edge runtimes and browsers alike.
 * @packageDocumentation
 */

import { checkOptionsObject } from './options.js';
import type { TrafficForecast } from './types.js';

/** A vertical marker on the chart, such as a scaling decision. */
export interface ChartMarker {
  /** Where the marker stands: a `Date` or epoch ms. */
  timestamp: Date | number;
  /** Short text drawn next to the marker (`SCALE_UP 0.82`). */
  label?: string;
  /** Colour by kind: up red, down blue, an anomaly alert orange, anything else grey. */
  kind?: 'SCALE_UP' | 'SCALE_DOWN' | 'MAINTAIN' | 'ANOMALY' | string;
}

/** Options of {@link toSVG}. */
export interface SvgOptions {
  /** Pixel width. Default 800. */
  width?: number;
  /** Pixel height. Default 320. */
  height?: number;
  /** History steps drawn before the forecast. Default: one week of steps, or all the history kept. */
  historySteps?: number;
  /** Title at the top left. Default: `Forecast (<model>)`. */
  title?: string;
  /** Vertical markers, such as decisions from `forecast.decide`. */
  markers?: ChartMarker[];
  /** Colour of the forecast line and bands (any CSS colour). Default `#2563eb`. */
  color?: string;
}

const escapeXml = (text: string): string =>
  text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] as string);

/** Axis labels: 3 significant digits, k/M/G suffixes for large values (80k rather than 8.0e+4). */
function fmt(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e9) return `${Number((v / 1e9).toPrecision(3))}G`;
  if (a >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (a >= 1e4) return `${Number((v / 1e3).toPrecision(3))}k`;
  return a < 1e-2 && v !== 0 ? v.toExponential(1) : String(Number(v.toPrecision(3)));
}

/**
 * A width no 11 px label is wider than, per character: an upper bound (wide capitals, digits) for
 * common sans-serif fonts, since a string renderer cannot measure text. Overestimating only moves
 * or shortens a label a little; underestimating would let it run off the chart.
 */
const LABEL_CHAR_PX = 7.2;

/**
 * Where a marker's label goes: in the plot area (never in the header, where the title and the
 * legend are), right of the marker when it fits, else left of it, else shortened with an ellipsis
 * on the wider side. Returns the text, its x and its anchor.
 */
function placeLabel(label: string, mx: number, left: number, right: number): [text: string, x: number, anchor: 'start' | 'end'] {
  const gap = 4;
  const fits = (room: number) => label.length * LABEL_CHAR_PX <= room;
  const roomRight = right - mx - gap;
  const roomLeft = mx - gap - left;
  if (fits(roomRight)) return [label, mx + gap, 'start'];
  if (fits(roomLeft)) return [label, mx - gap, 'end'];
  const rightSide = roomRight >= roomLeft;
  const chars = Math.max(1, Math.floor(Math.max(roomRight, roomLeft) / LABEL_CHAR_PX) - 1);
  return [`${label.slice(0, chars)}…`, rightSide ? mx + gap : mx - gap, rightSide ? 'start' : 'end'];
}

function niceTicks(lo: number, hi: number, count: number): number[] {
  const span = hi - lo || Math.abs(hi) || 1;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/**
 * Draws a traffic forecast as an SVG document (a string starting with `<svg`). Never throws for a
 * result of `forecast.traffic`; empty histories and flat series draw a flat chart.
 * @example
 * const svg = forecast.toSVG(result, { markers: [{ timestamp: Date.now(), kind: 'SCALE_UP', label: 'SCALE_UP 0.82' }] });
 */
export function toSVG(result: TrafficForecast, options: SvgOptions = {}): string {
  checkOptionsObject(options);
  const width = options.width ?? 800;
  const height = options.height ?? 320;
  const color = options.color ?? '#2563eb';
  const pad = { left: 56, right: 16, top: 28, bottom: 28 };
  const stepMs = result.stepMs;
  const weekSteps = Math.max(1, Math.round((7 * 86_400_000) / stepMs));
  const hist = result.history.values;
  const keep = Math.max(0, Math.min(hist.length, options.historySteps ?? weekSteps));
  const histStart = result.history.startMs + (hist.length - keep) * stepMs;
  const history = hist.slice(hist.length - keep);
  const steps = result.steps;
  const levels = [...result.levels].sort((a, b) => b - a);

  const t0 = keep > 0 ? histStart : (steps[0]?.timestamp.getTime() ?? 0);
  const t1 = steps.length > 0 ? steps[steps.length - 1]!.timestamp.getTime() : histStart + Math.max(0, keep - 1) * stepMs;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  const see = (v: number) => {
    if (Number.isFinite(v)) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  };
  for (const v of history) see(v);
  for (const s of steps) {
    see(s.mean);
    for (const l of levels) {
      see(s.bounds[l]?.lower ?? s.mean);
      see(s.bounds[l]?.upper ?? s.mean);
    }
  }
  if (!Number.isFinite(lo)) {
    lo = 0;
    hi = 1;
  }
  if (hi === lo) {
    hi += Math.abs(hi) * 0.1 || 1;
    lo -= Math.abs(lo) * 0.1 || 1;
  }
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const x = (ms: number) => pad.left + (t1 === t0 ? 0 : ((ms - t0) / (t1 - t0)) * plotW);
  const y = (v: number) => pad.top + (1 - (v - lo) / (hi - lo)) * plotH;
  const pt = (ms: number, v: number) => `${x(ms).toFixed(1)},${y(v).toFixed(1)}`;

  // The title is shortened (full text as its tooltip) rather than run under the legend on a narrow chart.
  const legend = `${[...levels]
    .reverse()
    .map((l) => `${l}%`)
    .join(' / ')} intervals`;
  const title = options.title ?? `Forecast (${result.model})`;
  const titleChars = Math.max(
    1,
    Math.floor((width - pad.right - legend.length * LABEL_CHAR_PX - 12 - pad.left) / ((LABEL_CHAR_PX * 13) / 11)),
  );
  const shownTitle =
    title.length <= titleChars ? escapeXml(title) : `<title>${escapeXml(title)}</title>${escapeXml(title.slice(0, titleChars - 1))}…`;

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text class="title" x="${pad.left}" y="18" font-size="13" fill="#111827">${shownTitle}</text>`,
  );
  for (const tick of niceTicks(lo, hi, 5)) {
    const ty = y(tick).toFixed(1);
    parts.push(
      `<line x1="${pad.left}" x2="${width - pad.right}" y1="${ty}" y2="${ty}" stroke="#e5e7eb"/>`,
      `<text x="${pad.left - 6}" y="${ty}" text-anchor="end" dominant-baseline="middle" fill="#6b7280">${fmt(tick)}</text>`,
    );
  }
  // Day boundaries (UTC) as light ticks with the date, at most ~10 labels.
  const day = 86_400_000;
  const dayStride = Math.max(1, Math.ceil((t1 - t0) / day / 10));
  for (let d = Math.ceil(t0 / day) * day, i = 0; d <= t1; d += day, i++) {
    if (i % dayStride !== 0) continue;
    const dx = x(d).toFixed(1);
    parts.push(
      `<line x1="${dx}" x2="${dx}" y1="${pad.top}" y2="${height - pad.bottom}" stroke="#f3f4f6"/>`,
      `<text x="${dx}" y="${height - 10}" text-anchor="middle" fill="#6b7280">${new Date(d).toISOString().slice(5, 10)}</text>`,
    );
  }
  levels.forEach((level, i) => {
    if (steps.length === 0) return;
    const upper = steps.map((s) => pt(s.timestamp.getTime(), s.bounds[level]?.upper ?? s.mean));
    const lower = steps.map((s) => pt(s.timestamp.getTime(), s.bounds[level]?.lower ?? s.mean)).reverse();
    const opacity = (0.15 + 0.15 * i).toFixed(2);
    parts.push(
      `<polygon class="band" data-level="${level}" points="${[...upper, ...lower].join(' ')}" fill="${escapeXml(color)}" fill-opacity="${opacity}"/>`,
    );
  });
  if (history.length > 0) {
    const line = history.map((v, i) => pt(histStart + i * stepMs, v)).join(' ');
    parts.push(`<polyline class="history" points="${line}" fill="none" stroke="#374151" stroke-width="1.5"/>`);
  }
  if (steps.length > 0) {
    const line = steps.map((s) => pt(s.timestamp.getTime(), s.mean)).join(' ');
    parts.push(`<polyline class="mean" points="${line}" fill="none" stroke="${escapeXml(color)}" stroke-width="2"/>`);
    const nowX = x(steps[0]!.timestamp.getTime() - stepMs).toFixed(1);
    parts.push(`<line x1="${nowX}" x2="${nowX}" y1="${pad.top}" y2="${height - pad.bottom}" stroke="#9ca3af" stroke-dasharray="4 3"/>`);
  }
  // Labels go in rows at the top of the plot area, one row per marker in turn (at most as many
  // rows as fit), so neighbouring markers do not print over each other.
  const labelRows = Math.max(1, Math.min(3, Math.floor((plotH - 4) / 14)));
  let drawn = 0;
  for (const m of options.markers ?? []) {
    const ms = m.timestamp instanceof Date ? m.timestamp.getTime() : m.timestamp;
    if (!Number.isFinite(ms) || ms < t0 || ms > t1) continue;
    const mx = x(ms);
    const c = m.kind === 'SCALE_UP' ? '#dc2626' : m.kind === 'SCALE_DOWN' ? '#2563eb' : m.kind === 'ANOMALY' ? '#ea580c' : '#6b7280';
    const label = String(m.label ?? m.kind ?? '');
    parts.push(
      `<line class="marker" x1="${mx.toFixed(1)}" x2="${mx.toFixed(1)}" y1="${pad.top}" y2="${height - pad.bottom}" stroke="${c}" stroke-width="1.5"/>`,
    );
    if (label !== '') {
      const [text, lx, anchor] = placeLabel(label, mx, pad.left, width - pad.right);
      const ly = pad.top + 12 + 14 * (drawn++ % labelRows);
      // A white halo keeps the label readable over the lines and bands it crosses; the full text is
      // the tooltip when it had to be shortened.
      parts.push(
        `<text class="marker-label" x="${lx.toFixed(1)}" y="${ly}" text-anchor="${anchor}" fill="${c}" stroke="#ffffff" stroke-width="3" stroke-linejoin="round" paint-order="stroke">${text === label ? '' : `<title>${escapeXml(label)}</title>`}${escapeXml(text)}</text>`,
      );
    }
  }
  parts.push(`<text class="legend" x="${width - pad.right}" y="18" text-anchor="end" fill="#6b7280">${legend}</text>`, '</svg>');
  return parts.join('');
}
