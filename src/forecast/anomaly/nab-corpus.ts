import { EliteError } from '../../internal/errors.js';

const NAB_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;

/**
 * Parses a timestamp as the NAB corpus writes it (`2014-04-10 07:15:00`, windows with a
 * `.000000` fraction) to epoch milliseconds, read as UTC (NAB's timestamps carry no zone).
 * @throws EliteError `INVALID_TIMESTAMP` for any other shape.
 */
export function parseNabTimestamp(text: string): number {
  const m = NAB_TIMESTAMP.exec(text.trim());
  if (m === null) {
    throw new EliteError('INVALID_TIMESTAMP', `elite/forecast: "${text}" is not a NAB timestamp; expected YYYY-MM-DD HH:MM:SS.`, {
      field: 'timestamp',
    });
  }
  const [, y, mo, d, h, mi, s, frac] = m;
  const ms = frac === undefined ? 0 : Math.floor(Number(frac.padEnd(6, '0')) / 1000);
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
}

/**
 * The anomaly windows of one file from NAB's `labels/combined_windows.json`, as `[startMs, endMs]`
 * pairs for {@link scoreNab}. A file missing from the labels has no windows.
 */
export function nabWindows(labels: Readonly<Record<string, readonly (readonly [string, string])[]>>, file: string): [number, number][] {
  return (labels[file] ?? []).map(([start, end]) => [parseNabTimestamp(start), parseNabTimestamp(end)]);
}
