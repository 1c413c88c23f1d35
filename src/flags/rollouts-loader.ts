/**
 * Loads the guarded-rollout controller behind `flags.guard()` on first use, through a dynamic
 * `import()`: bundlers that split chunks keep it out of the code that evaluates flags. The Edge
 * build swaps this module for ./rollouts-loader.edge.ts (see tsup.config.ts), as it does the
 * experiments loader.
 */
import type { startGuard } from '../rollouts/guard.js';

/** The part of the rollouts module that `guard()` calls. */
export interface GuardModule {
  /** Starts a guard on the client's store and environment. */
  startGuard: typeof startGuard;
}

/** Loads the guard on first use (a dynamic `import()`, cached by the runtime). */
export const loadGuard = (): Promise<GuardModule> => import('../rollouts/guard.js');
