/**
 * The `forecast` namespace of the root entry: every method loads `@tiqology/elite/forecast` with a
 * dynamic `import()` on first call and forwards to it, so the root entry stays within its Edge size
 * budget (the forecast code is about 10 kB min+gz and most requests never forecast). The methods
 * therefore return promises; import `@tiqology/elite/forecast` for the synchronous functions.
 * `autoscale` too resolves to the autoscaler (the subpath returns it directly); its `decide`
 * option may be async, so it can call this namespace's `decide`.
 * @packageDocumentation
 */

import type * as ForecastModule from './index.js';

type Module = typeof ForecastModule;
type Async<F> = F extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;

/** The root entry's forecast namespace: the functions of `@tiqology/elite/forecast`, asynchronous. */
export interface LazyForecast {
  /** Loads the forecast module (once) and resolves to it. */
  load(): Promise<Module>;
  traffic: Async<Module['traffic']>;
  /** `cost(history, options)` of the subpath: resolves to the daily cost forecast. */
  cost: Async<Module['cost']>;
  /** `decide(input, policy)` of the subpath: resolves to the decision, its confidence and reasons. */
  decide: Async<Module['decide']>;
  /** `autoscale(options)` of the subpath: resolves to the autoscaler once the module is loaded (nothing runs before `start`/`tick`). */
  autoscale: Async<Module['autoscale']>;
  /** `trainScalingPolicy(data, options)` of the subpath: resolves to the learned policy for `decide`. */
  trainScalingPolicy: Async<Module['trainScalingPolicy']>;
  toSVG: Async<Module['toSVG']>;
  toSeries: Async<Module['toSeries']>;
  fromColumns: Async<Module['fromColumns']>;
  parseCsvSeries: Async<Module['parseCsvSeries']>;
  resample: Async<Module['resample']>;
  fillGaps: Async<Module['fillGaps']>;
  detectStep: Async<Module['detectStep']>;
  detectSeasonality: Async<Module['detectSeasonality']>;
}

let loading: Promise<Module> | undefined;
const load = (): Promise<Module> => {
  loading ??= import('./index.js');
  return loading;
};

/**
 * `forecast` on the root entry. Errors are the same `EliteError`s as the subpath's, as rejections.
 * @example
 * import { forecast } from '@tiqology/elite';
 * const result = await forecast.traffic(points, { horizon: '24h' });
 * const spend = await forecast.cost(hourlyCost, { horizonDays: 7 });
 * const d = await forecast.decide({ forecast: result, capacity: 5000 });
 * const scaler = await forecast.autoscale({ decide: () => forecast.decide({ history, capacity: 5000 }), execute, cooldownMs: 600_000, minReplicas: 2, maxReplicas: 20 });
 */
export const forecast = { load } as LazyForecast;
// Each method of LazyForecast but `load` forwards to the loaded module (one list, as the
// telemetry stand-in does).
const METHODS = [
  'traffic',
  'cost',
  'decide',
  'autoscale',
  'trainScalingPolicy',
  'toSVG',
  'toSeries',
  'fromColumns',
  'parseCsvSeries',
  'resample',
  'fillGaps',
  'detectStep',
  'detectSeasonality',
] as const satisfies readonly Exclude<keyof LazyForecast, 'load'>[];
// Compile-time check that the list names every method of the interface.
const listsEveryMethod: [Exclude<keyof LazyForecast, 'load' | (typeof METHODS)[number]>] extends [never] ? true : never = true;
void listsEveryMethod;
for (const method of METHODS) {
  (forecast as unknown as Record<string, unknown>)[method] = async (...args: unknown[]) =>
    ((await load())[method] as (...a: unknown[]) => unknown)(...args);
}
