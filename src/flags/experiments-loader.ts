/**
 * Loads the experiment statistics behind `results()` (`@tiqology/elite/experiments`): on first
 * use, through a dynamic `import()`, so bundlers that split chunks (tsup, esbuild, Vite, webpack
 * on Node) keep them out of the code that evaluates flags.
 *
 * The Edge build (the `edge-light` export condition, see tsup.config.ts) replaces this module
 * with ./experiments-loader.edge.ts: Next.js bundles middleware into one file, lazy chunks
 * included, so only a build that does not reach ../experiments/index.js at all keeps them out of it.
 */
import type { analyzeExperiment, computeResults } from '../experiments/index.js';

/** The part of the experiments module that `results()` calls. */
export interface ExperimentsModule {
  computeResults: typeof computeResults;
  /** The metric analysis of `results({ analysis })`. */
  analyzeExperiment: typeof analyzeExperiment;
}

/** Loads the experiment statistics on first use (a dynamic `import()`, cached by the runtime). */
export const loadExperiments = (): Promise<ExperimentsModule> => import('../experiments/index.js');
