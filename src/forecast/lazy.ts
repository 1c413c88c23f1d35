/**
 * The `forecast` namespace of the root entry: every method loads `@tiqology/elite/forecast` with a
 * dynamic `import()` on first call and forwards to it, so the root entry stays within its Edge size
 * budget (the forecast code is about 10 kB min+gz and most requests never forecast). The methods
 * therefore return promises; import `@tiqology/elite/forecast` for the synchronous functions.
 * `autoscale` too resolves to the autoscaler (the subpath returns it directly); its `decide`
 * option may be async, so it can call this namespace's `decide`.
 * @packageDocumentation
 */

import { type AsyncNamespace, forwardOnLoad, once } from '../internal/lazy-namespace.js';
import type * as ForecastModule from './index.js';

type Module = typeof ForecastModule;

/**
 * The root entry's forecast namespace: the functions of the subpath's `forecast` object (same
 * names, arguments and errors), each resolving to its result, plus `load()`.
 */
export interface LazyForecast extends AsyncNamespace<Module['forecast']> {
  /** Loads the forecast module (once) and resolves to it. */
  load(): Promise<Module>;
}

const load = once((): Promise<Module> => import('./index.js'));

/**
 * `forecast` on the root entry. Errors are the same `EliteError`s as the subpath's, as rejections.
 * @example
 * import { forecast } from '@tiqology/elite';
 * const result = await forecast.traffic(points, { horizon: '24h' });
 * const spend = await forecast.cost(hourlyCost, { horizonDays: 7 });
 * const d = await forecast.decide({ forecast: result, capacity: 5000 });
 * const scaler = await forecast.autoscale({ decide: () => forecast.decide({ history, capacity: 5000 }), execute, cooldownMs: 600_000, minReplicas: 2, maxReplicas: 20 });
 */
export const forecast: LazyForecast = {
  load,
  // Every function of the subpath's `forecast` object, and only those (checked at compile time).
  ...forwardOnLoad<Module['forecast']>(() => load().then((m) => m.forecast), {
    traffic: true,
    cost: true,
    decide: true,
    autoscale: true,
    trainScalingPolicy: true,
    toSVG: true,
    toSeries: true,
    fromColumns: true,
    parseCsv: true,
    parseCsvSeries: true,
    resample: true,
    fillGaps: true,
    detectStep: true,
    detectSeasonality: true,
    scoreForecast: true,
    detector: true,
  }),
};
