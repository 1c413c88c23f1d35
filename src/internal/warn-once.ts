import type { SafeLogger } from './logger.js';

/**
 * A warning printed once per kind, for hot paths that drop bad input (one line per kind of
 * problem, not one per call). At most `maxKinds` kinds are remembered: past that, new kinds
 * are not printed, so hostile input cannot grow the set without bound.
 */
export type WarnOnce = (kind: string, message: string) => void;

/** Creates a {@link WarnOnce} over `log`, remembering at most `maxKinds` kinds (default 200). */
export function createWarnOnce(log: Pick<SafeLogger, 'warn'>, maxKinds = 200): WarnOnce {
  const warned = new Set<string>();
  return (kind, message) => {
    if (warned.has(kind) || warned.size >= maxKinds) return;
    warned.add(kind);
    log.warn(message);
  };
}
