/**
 * The flags client, in parts a reader can open one at a time:
 *
 * - options.ts: `FlagsOptions` checked, defaults filled in, options read from the environment
 * - cache.ts: the flag cache (TTL, last known good, one store read per key, timeouts, change feed)
 * - answers.ts: cache lookup → evaluation → answer, sync and async, on a fast and a full path
 * - exposures.ts: exposure dedupe, buffered as events · track.ts: `track()` input → events
 * - results.ts: `results()` · report.ts: counters, the log and `onError`
 * - flags-client.ts: the `FlagsClient` contract, and the factory that wires the parts
 *
 * Why stateful parts are classes and the client is a plain object. The parts hold state that
 * lives as long as the client: a class names it (`FlagCache`, `Answers`, `Exposures`), keeps it
 * in `#private` fields that no caller can reach, and lets a test construct one part alone. Its
 * methods sit once on a prototype, and every instance has one shape, so the evaluation path
 * stays monomorphic and allocates nothing per call; the minifier shortens `#names`, so they
 * cost no more bundle than closure variables. Before the split, one 490-line closure held all
 * of this: any helper could touch any state. The client itself stays an object of arrow
 * functions, as before: its methods are own properties, so `const { isEnabledSync } = client`
 * keeps working, the ready-made `flags` forwards to them by name, and no caller has to care
 * about `this`. Each method is one line that hands over to a part.
 *
 * @module
 */
export { type Answer, type Answers, createAnswers } from './answers.js';
export { type CacheHooks, type Entry, type Failure, FlagCache, type RefreshResult } from './cache.js';
export { Exposures } from './exposures.js';
export { createFlagsClient, type FlagsClient } from './flags-client.js';
export { type ClientSettings, optionsFromEnv, readOptions } from './options.js';
export { type Counters, createReporter, newCounters, type Reporter } from './report.js';
