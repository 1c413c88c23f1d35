/**
 * The Edge build's stand-in for ./experiments-loader.ts (swapped in by tsup.config.ts for the
 * `edge-light` export condition): `results()` rejects with `UNSUPPORTED_RUNTIME` instead of
 * reaching the ~41 kB gzipped statistics code, which Next.js would otherwise put in every
 * middleware bundle whether results() is called or not. Evaluation, exposures and `track()`
 * are unaffected.
 */
import { EliteError } from '../internal/errors.js';
import type { ExperimentsModule } from './experiments-loader.js';

/** Rejects with `UNSUPPORTED_RUNTIME`: the Edge build has no experiment statistics (see the comment above). */
export const loadExperiments = (): Promise<ExperimentsModule> =>
  Promise.reject(
    new EliteError(
      'UNSUPPORTED_RUNTIME',
      'elite/flags: results() is not available in the Edge build of @tiqology/elite (export condition "edge-light", used by Next.js middleware and Edge routes); call it from the Node.js runtime, e.g. a route handler without `export const runtime = "edge"`',
    ),
  );
