/**
 * The `forecast` namespace of the root entry: every method loads `@tiqology/elite/forecast` with a
 * dynamic `import()` on first call and forwards to it, so the root entry stays within its Edge size
 * budget (the forecast code is about 10 kB min+gz and most requests never forecast). The methods
 * therefore return promises; import `@tiqology/elite/forecast` for the synchronous functions.
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
 */
export const forecast: LazyForecast = {
  load,
  traffic: async (...args) => (await load()).traffic(...args),
  toSVG: async (...args) => (await load()).toSVG(...args),
  toSeries: async (...args) => (await load()).toSeries(...args),
  fromColumns: async (...args) => (await load()).fromColumns(...args),
  parseCsvSeries: async (...args) => (await load()).parseCsvSeries(...args),
  resample: async (...args) => (await load()).resample(...args),
  fillGaps: async (...args) => (await load()).fillGaps(...args),
  detectStep: async (...args) => (await load()).detectStep(...args),
  detectSeasonality: async (...args) => (await load()).detectSeasonality(...args),
};
