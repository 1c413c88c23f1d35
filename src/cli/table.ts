/**
 * Text tables for the terminal: a generic renderer, and the experiment results table that
 * `tiqology results` and the demo print.
 * @packageDocumentation
 */
import type { ExperimentResults } from '@tiqology/elite';
import type { Colors } from './output.js';

/** A column of {@link renderTable}. */
export interface Column {
  /** Text of the header row. */
  header: string;
  /** Default `left`; numbers read better `right`. */
  align?: 'left' | 'right';
}

// SGR sequences do not take room on screen.
const ANSI = /\u001b\[[0-9;]*m/g;
const visibleLength = (text: string) => text.replace(ANSI, '').length;
const pad = (text: string, width: number, align: 'left' | 'right' = 'left') => {
  const fill = ' '.repeat(Math.max(0, width - visibleLength(text)));
  return align === 'right' ? fill + text : text + fill;
};

/**
 * Renders rows under headers, columns two spaces apart, each as wide as its widest cell
 * (ANSI colour codes in cells are not counted). A rule of `─` separates header and rows.
 * Returns the lines joined with `\n`, without a trailing newline.
 */
export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[], colors?: Colors): string {
  const widths = columns.map((c, i) => Math.max(visibleLength(c.header), ...rows.map((r) => visibleLength(r[i] ?? ''))));
  const line = (cells: readonly string[]) =>
    columns
      .map((c, i) => pad(cells[i] ?? '', widths[i] ?? 0, c.align))
      .join('  ')
      .trimEnd();
  const header = line(columns.map((c) => c.header));
  return [colors ? colors.bold(header) : header, widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** `0.1234` → `12.34%`. */
export const percent = (x: number, digits = 2): string => `${(100 * x).toFixed(digits)}%`;

/** A signed percentage: `+8.1%`, `−2.0%` (a true minus sign lines up with `+`). */
export const signedPercent = (x: number, digits = 1): string => {
  const text = percent(Math.abs(x), digits);
  return x > 0 ? `+${text}` : x < 0 ? `−${text}` : text;
};

/** A p-value: four decimals, `<0.0001` below that. */
export const formatPValue = (p: number): string => (p < 0.0001 ? '<0.0001' : p.toFixed(4));

/** A probability in percent, one decimal; `>99.9%` and `<0.1%` rather than a rounded certainty. */
export const formatProbability = (p: number): string => (p > 0.999 ? '>99.9%' : p < 0.001 ? '<0.1%' : percent(p, 1));

const DASH = '—';

/** Options of {@link renderResultsTable}. */
export interface ResultsTableOptions {
  /** Colours (picocolors); plain text when unset. */
  colors?: Colors;
  /** A first line, e.g. the flag key and the event counted. */
  title?: string;
}

/**
 * The experiment results table: one row per variant with users exposed, conversions, the
 * conversion rate and its 95% interval, the uplift against control with its interval, the
 * p-value and the probability to beat control (`—` on the control row and where a statistic is
 * undefined); then the sample-ratio check, the verdict, the summary and any warnings.
 * Pure: returns the text (no trailing newline), prints nothing.
 *
 * @example
 * const results = await client.results('pricing-test');
 * console.log(renderResultsTable(results, { title: 'pricing-test', colors: createColors(true) }));
 */
export function renderResultsTable(results: ExperimentResults, options: ResultsTableOptions = {}): string {
  const c = options.colors;
  const paint = (fn: keyof Colors, text: string) => (c ? (c[fn] as (s: string) => string)(text) : text);
  const rows = results.variants.map((v) => {
    const isControl = v.variant === results.control;
    const [low, high] = v.conversionRateInterval;
    const uplift =
      v.uplift === undefined
        ? DASH
        : `${signedPercent(v.uplift)}${v.upliftInterval ? ` [${signedPercent(v.upliftInterval[0])}, ${signedPercent(v.upliftInterval[1])}]` : ''}`;
    const winner = results.verdict === 'WINNER' && results.winner === v.variant;
    const name = `${v.variant}${isControl && v.variant !== 'control' ? ' (control)' : ''}${winner ? ' ★' : ''}`;
    return [
      winner ? paint('green', name) : name,
      String(v.exposures),
      String(v.conversions),
      `${percent(v.conversionRate)} [${percent(low)}, ${percent(high)}]`,
      v.uplift === undefined ? uplift : paint(v.uplift >= 0 ? 'green' : 'red', uplift),
      v.pValue === undefined ? DASH : formatPValue(v.pValue),
      v.probabilityToBeatControl === undefined ? DASH : formatProbability(v.probabilityToBeatControl),
    ];
  });
  const table = renderTable(
    [
      { header: 'Variant' },
      { header: 'Users', align: 'right' },
      { header: 'Conv.', align: 'right' },
      { header: 'Rate [95% CI]', align: 'right' },
      { header: 'Uplift [95% CI]', align: 'right' },
      { header: 'p-value', align: 'right' },
      { header: 'P(beat ctrl)', align: 'right' },
    ],
    rows,
    c,
  );
  const { srm } = results;
  const srmLine = srm.mismatch
    ? paint(
        'red',
        `SRM: MISMATCH (χ² ${srm.chiSquare.toFixed(2)}, df ${srm.degreesOfFreedom}, p ${formatPValue(srm.pValue)}): assignment or exposure logging is broken; do not trust the comparison`,
      )
    : `SRM: ok (χ² ${srm.chiSquare.toFixed(2)}, df ${srm.degreesOfFreedom}, p ${formatPValue(srm.pValue)})`;
  const verdict =
    results.verdict === 'WINNER'
      ? paint('green', `Verdict: WINNER ${results.winner ?? ''}`.trimEnd())
      : paint('yellow', `Verdict: ${results.verdict}`);
  const lines = [...(options.title === undefined ? [] : [paint('bold', options.title), '']), table, '', srmLine, verdict, results.summary];
  for (const warning of results.warnings) lines.push(paint('yellow', `warning: ${warning}`));
  return lines.join('\n');
}
