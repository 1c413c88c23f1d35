/** The logging surface the SDK writes to. `console` fits. */
export interface Logger {
  /** Detail for troubleshooting; optional, dropped when absent. */
  debug?(message: string, ...args: unknown[]): void;
  /** Lifecycle notes; optional, dropped when absent. */
  info?(message: string, ...args: unknown[]): void;
  /** Something went wrong and was handled (a default served, a value dropped). */
  warn(message: string, ...args: unknown[]): void;
  /** A failure the app should look at (a store or delivery that keeps failing). */
  error(message: string, ...args: unknown[]): void;
}

/** The safe form every module uses: each method exists and never throws. */
export interface SafeLogger {
  /** {@link Logger.debug}, or nothing. */
  debug(message: string, ...args: unknown[]): void;
  /** {@link Logger.info}, or nothing. */
  info(message: string, ...args: unknown[]): void;
  /** {@link Logger.warn}; a throw inside it is swallowed. */
  warn(message: string, ...args: unknown[]): void;
  /** {@link Logger.error}; a throw inside it is swallowed. */
  error(message: string, ...args: unknown[]): void;
}

const noop = (): void => {};

/**
 * Wraps a user-supplied logger so that a missing method or a logger that throws can
 * never break evaluation: hot paths must not throw into app code. Without a logger, warnings and errors go to
 * `console`, debug and info are dropped.
 */
export function toSafeLogger(logger: Logger | undefined): SafeLogger {
  const target: Partial<Logger> = logger ?? { warn: console.warn, error: console.error };
  const wrap =
    (method: keyof Logger) =>
    (message: string, ...args: unknown[]): void => {
      const fn = target[method];
      if (typeof fn !== 'function') return;
      try {
        fn.call(target, message, ...args);
      } catch {
        // A broken logger must not break the caller; there is nowhere left to report it.
      }
    };
  return {
    debug: logger?.debug ? wrap('debug') : noop,
    info: logger?.info ? wrap('info') : noop,
    warn: wrap('warn'),
    error: wrap('error'),
  };
}
