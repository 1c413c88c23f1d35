import { EliteError } from '../internal/errors.js';
import { redactConnectionSecrets as redactSecrets } from '../internal/redact.js';
import type { PostgrestErrorLike } from './supabase-client.js';

/** PostgreSQL's unique_violation: another writer inserted the same (key, environment) first. */
export const UNIQUE_VIOLATION = '23505';
/** PostgreSQL's insufficient_privilege, also raised when a row fails a row-level security policy. */
export const INSUFFICIENT_PRIVILEGE = '42501';

/**
 * The PostgREST error with every text field passed through `redactSecrets`: a fetch failure
 * quotes the request URL, which may carry credentials (`https://user:password@…`, `?apikey=…`).
 */
export const redactPostgrestError = (error: PostgrestErrorLike): PostgrestErrorLike => ({
  ...error,
  message: redactSecrets(String(error.message ?? '')),
  ...(typeof error.details === 'string' ? { details: redactSecrets(error.details) } : {}),
  ...(typeof error.hint === 'string' ? { hint: redactSecrets(error.hint) } : {}),
});

/** A `STORAGE_ERROR` for a failed request (`what`: "reading a flag"…), its message and cause free of credentials. */
export function supabaseFailure(what: string, error: PostgrestErrorLike): EliteError {
  const safe = redactPostgrestError(error);
  const code = safe.code ? ` (${safe.code})` : '';
  return new EliteError('STORAGE_ERROR', `elite/supabase: ${what} failed: ${safe.message}${code}`, { cause: safe });
}
