/**
 * Loads the experiment statistics behind `results()`: on first use, through a dynamic
 * `import()`, so bundlers that split chunks (tsup, esbuild, Vite, webpack on Node) keep them
 * out of the code that evaluates flags.
 *
 * The Edge build (the `edge-light` export condition, see tsup.config.ts) replaces this module
 * with ./stats-loader.edge.ts: Next.js bundles middleware into one file, lazy chunks included,
 * so only a build that does not reach ./stats.js at all keeps them out of it.
 */
import type { computeResults } from './stats.js';

/** The part of ./stats.js that `results()` calls. */
export interface StatsModule {
  computeResults: typeof computeResults;
}

export const loadStats = (): Promise<StatsModule> => import('./stats.js');
