/** The logging surface the SDK writes to. `console` fits. */
export interface Logger {
  debug?(message: string, ...args: unknown[]): void;
  info?(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string, ...args: unknown[]): void;
}

/** The safe form every module uses: each method exists and never throws. */
export interface SafeLogger {
  debug(message: string, ...args: unknown[]): void;
  info(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string, ...args: unknown[]): void;
}

const noop = (): void => {};

/**
 * Wraps a user-supplied logger so that a missing method or a logger that throws can
 * never break evaluation (STYLE section 4.3). Without a logger, warnings and errors go to
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
