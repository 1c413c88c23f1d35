/**
 * The one check every forecast function runs on its options argument before reading it: an
 * options object that is `null` or not an object (a number, a string, a function) is a typed
 * `INVALID_OPTIONS` error naming the argument, not a `TypeError` from deep inside the function.
 * `undefined` never reaches it: the functions default a missing argument to `{}`.
 * @packageDocumentation
 */
import { EliteError } from '../internal/errors.js';

/**
 * Returns `value` when it is an object; otherwise throws `EliteError` `INVALID_OPTIONS` with
 * `field` set to the argument's name (default `options`), e.g.
 * `elite/forecast: options must be an object, got null`.
 */
export function checkOptionsObject<T>(value: T, field = 'options'): T {
  if (value === null || typeof value !== 'object') {
    const shown = typeof value === 'function' ? 'a function' : String(value);
    throw new EliteError('INVALID_OPTIONS', `elite/forecast: ${field} must be an object, got ${shown}`, { field });
  }
  return value;
}
