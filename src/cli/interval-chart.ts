/**
 * A text interval chart for the terminal: one line per row with its interval drawn in characters
 * on a shared scale that always includes 0, and a scale line under them. Pure: returns lines.
 * @packageDocumentation
 */
import { signedPercent } from './table.js';

/** One line of {@link renderIntervalChart}. */
export interface ChartRow {
  /** Text at the left (a variant key). */
  label: string;
  /** The point estimate, drawn `o`. */
  estimate?: number;
  /** The interval, drawn `[---]`; an infinite end runs to the edge as `<` or `>`. */
  interval?: [number, number];
  /** Shown instead of a drawing when there is no interval (`not enough data: NO_UNITS`). */
  note?: string;
}

/** 1, 2 or 5 times a power of ten, at least `raw`. */
function niceStep(raw: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 5, 10].find((m) => m * magnitude >= raw) ?? 10) * magnitude;
}

/**
 * The rows' intervals on one scale, `width` characters wide (default 40), with `|` at 0. The scale's ends are
 * round values a little beyond the data. An infinite end is drawn `<` or `>`; the scale line prints its two ends and `0`. Values are
 * relative effects, labelled as signed percentages. A row without a finite estimate prints its
 * `note`, so the chart never shows NaN.
 */
export function renderIntervalChart(rows: readonly ChartRow[], width = 40): string[] {
  const labelWidth = Math.max(0, ...rows.map((r) => r.label.length));
  let lo = 0;
  let hi = 0;
  for (const r of rows) {
    for (const v of [r.estimate, ...(r.interval ?? [])]) {
      if (v !== undefined && Number.isFinite(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
  }
  // Ends rounded outward to a round step, with a little room so that 0 and an interval's end
  // that sits at 0 do not share the first or last column.
  const span = hi - lo || 0.01;
  const step = niceStep(span / 8);
  lo = Math.floor((lo - span * 0.04) / step) * step;
  hi = Math.ceil((hi + span * 0.04) / step) * step;
  const digits = step >= 0.01 ? 0 : step >= 0.001 ? 1 : 2;
  const col = (v: number) => Math.round(((v - lo) / (hi - lo)) * (width - 1));
  const zero = col(0);
  const lines = rows.map((r) => {
    const prefix = `${r.label.padEnd(labelWidth)}  `;
    if (r.estimate === undefined || !Number.isFinite(r.estimate) || r.interval === undefined) {
      return `${prefix}${r.note ?? 'no interval'}`;
    }
    const cells = Array.from({ length: width }, () => ' ');
    const [low, high] = r.interval;
    const a = Number.isFinite(low) ? col(low) : 0;
    const b = Number.isFinite(high) ? col(high) : width - 1;
    for (let i = a; i <= b; i++) cells[i] = '-';
    cells[zero] = '|';
    cells[a] = Number.isFinite(low) ? '[' : '<';
    cells[b] = Number.isFinite(high) ? ']' : '>';
    cells[col(r.estimate)] = 'o';
    return `${prefix}${cells.join('')}`.trimEnd();
  });
  if (!rows.some((r) => r.interval !== undefined && r.estimate !== undefined && Number.isFinite(r.estimate))) return lines;
  const scale = Array.from({ length: width }, () => ' ');
  const put = (text: string, at: number) => {
    for (let i = 0; i < text.length; i++) scale[at + i] = text[i] as string;
  };
  const left = signedPercent(lo, digits);
  const right = signedPercent(hi, digits);
  put(left, 0);
  put(right, width - right.length);
  // 0 is labelled when it clears both ends' labels by a space.
  if (zero > left.length && zero < width - right.length - 1) put('0', zero);
  lines.push(`${' '.repeat(labelWidth + 2)}${scale.join('')}`);
  return lines;
}
