/**
 * The Edge build's stand-in for ./rollouts-loader.ts (swapped in by tsup.config.ts for the
 * `edge-light` export condition): `guard()` rejects with `UNSUPPORTED_RUNTIME`, so the controller
 * never lands in a middleware bundle. A guard runs where timers and the store live: Node.js.
 */
import { EliteError } from '../internal/errors.js';
import type { GuardModule } from './rollouts-loader.js';

/** Rejects with `UNSUPPORTED_RUNTIME`: the Edge build has no rollout controller. */
export const loadGuard = (): Promise<GuardModule> =>
  Promise.reject(new EliteError('UNSUPPORTED_RUNTIME', 'elite/flags: guard() runs on Node.js, not in the Edge build'));
