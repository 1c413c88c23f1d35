/**
 * Stable error codes thrown by setup and configuration calls. Hot paths never throw these
 * into app code; they surface as evaluation `errorCode`s or through `onError` instead.
 * Every code is listed in docs/errors.md.
 */
export type EliteErrorCode =
  | 'INVALID_FLAG'
  | 'INVALID_OPTIONS'
  | 'INVALID_EVENT'
  | 'FLAG_NOT_FOUND'
  | 'VERSION_CONFLICT'
  | 'STORAGE_ERROR'
  | 'MIGRATION_LOCKED'
  | 'TIMEOUT'
  | 'CLOSED'
  | 'DELIVERY_FAILED'
  | 'MISSING_DEPENDENCY'
  // Rollout plans (docs/errors.md, "Rollouts").
  | 'INVALID_PLAN'
  // Forecast input the caller controls (docs/errors.md, "Forecast").
  | 'SERIES_TOO_SHORT'
  | 'SERIES_NON_FINITE'
  | 'SERIES_UNSORTED'
  | 'SERIES_DUPLICATE_TIMESTAMP'
  | 'SERIES_IRREGULAR_STEP'
  | 'INVALID_TIMESTAMP'
  | 'INVALID_CSV'
  | 'UNSUPPORTED_RUNTIME'
  // Experiment statistics the caller (or a store) passes to analyzeExperiment (docs/errors.md, "Experiments").
  | 'INVALID_STATS';

/** Options accepted by {@link EliteError}. */
export interface EliteErrorOptions {
  /** The underlying error, kept for logs and `error.cause` chains. */
  cause?: unknown;
  /** The field path the error is about, such as `variants[1].weight`. */
  field?: string;
}

/**
 * The one error class of the SDK. `code` is stable and safe to switch on; `message` says
 * what was wrong and what to do, prefixed with the module (`elite/flags: ...`).
 */
export class EliteError extends Error {
  /** Always `'EliteError'`, so logs and `error.name` checks recognise it across bundles. */
  override readonly name = 'EliteError';
  /** Stable machine-readable code, listed in docs/errors.md; switch on this, not on the message. */
  readonly code: EliteErrorCode;
  /** The option or field path the error is about (`variants[1].weight`), when there is one. */
  readonly field: string | undefined;

  constructor(code: EliteErrorCode, message: string, options: EliteErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.field = options.field;
  }
}

/** The message of anything thrown: never throws itself (no String() on hostile values). */
export const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : typeof error === 'string' ? error : 'unknown error';

/** True when `error` is an {@link EliteError}, optionally with the given code. */
export function isEliteError(error: unknown, code?: EliteErrorCode): error is EliteError {
  return error instanceof EliteError && (code === undefined || error.code === code);
}
