import { EliteError } from '../internal/errors.js';

/**
 * The `VERSION_CONFLICT` every store raises when a conditional write or delete finds another
 * version than the caller read (`found` is 0 when the flag does not exist). Same wording in every
 * adapter, so switching stores changes no message.
 */
export function versionConflict(key: string, environment: string, found: number, expected: number): EliteError {
  return new EliteError(
    'VERSION_CONFLICT',
    `elite/flags: flag "${key}" (${environment}) is at version ${found}, expected ${expected}; read it again and retry`,
  );
}
