import { EliteError } from '../../internal/errors.js';

/** Throws INVALID_OPTIONS unless `value` is an integer in [min, max]. */
export function checkInt(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in ${min}…${max}`;
    throw new EliteError('INVALID_OPTIONS', `elite/forecast: ${name} must be a whole number ${range}, got ${String(value)}`, {
      field: name,
    });
  }
  return value;
}

/** Throws INVALID_OPTIONS unless `value` is a number in (min, max] (or [min, max] when `closed`). */
export function checkRange(name: string, value: number, min: number, max: number, closed = false): number {
  if (typeof value !== 'number' || !(closed ? value >= min : value > min) || !(value <= max)) {
    throw new EliteError(
      'INVALID_OPTIONS',
      `elite/forecast: ${name} must be in ${closed ? '[' : '('}${min}, ${max}], got ${String(value)}`,
      {
        field: name,
      },
    );
  }
  return value;
}
