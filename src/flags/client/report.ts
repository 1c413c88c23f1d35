import type { StorageAdapter } from '../../adapters/types.js';
import { EliteError, messageOf } from '../../internal/errors.js';
import { createWarnOnce, type WarnOnce } from '../../internal/warn-once.js';
import type { ClientSettings } from './options.js';

/** The counters of `stats()` that the parts of a client bump; sizes are read when asked. */
export interface Counters {
  cacheHits: number;
  cacheMisses: number;
  staleServes: number;
  errors: number;
  storageErrors: number;
  exposures: number;
  onExposureErrors: number;
}

/** Counters at zero. */
export const newCounters = (): Counters => ({
  cacheHits: 0,
  cacheMisses: 0,
  staleServes: 0,
  errors: 0,
  storageErrors: 0,
  exposures: 0,
  onExposureErrors: 0,
});

/** Where the failures of a client go: the log, `onError`, and the counters. */
export interface Reporter {
  /** Logs a background failure and passes it to `onError` (whose own failure is swallowed). */
  report(error: unknown): void;
  /** A `STORAGE_ERROR` for a failed store call (`what`: "reading flag …"), counted in `storageErrors`. */
  storageError(what: string, cause: unknown): EliteError;
  /** One warning per kind of dropped input, not one per call. */
  warnOnce: WarnOnce;
}

/** Creates the {@link Reporter} of one client. */
export function createReporter(settings: ClientSettings, storage: StorageAdapter, counters: Counters): Reporter {
  const { log, onError } = settings;
  return {
    report(error) {
      log.warn(messageOf(error));
      try {
        onError?.(error instanceof Error ? error : new Error(messageOf(error)));
      } catch {
        // onError must not throw; the failure is in the log already.
      }
    },
    storageError(what, cause) {
      counters.storageErrors++;
      return new EliteError('STORAGE_ERROR', `elite/flags: ${what} failed on ${storage.metadata.name} storage: ${messageOf(cause)}`, {
        cause,
      });
    },
    warnOnce: createWarnOnce(log),
  };
}
