/**
 * An in-process metrics source for guarded rollouts: the app records each request of a flag under
 * a plan with the group it was served (new code or not), and the controller reads the sums since
 * a step began. Fixed memory: per flag, one bucket of sums per `bucketMs`, at most `maxBuckets`.
 * For several processes, read Prometheus instead (the same figures, summed across instances).
 */
import { EliteError } from '../internal/errors.js';
import type { GroupFigures, RolloutFigures, RolloutMetricsSource } from './types.js';

/** One request's outcome. */
export interface RolloutObservation {
  /** The request failed. */
  error?: boolean;
  /** Its latency, ms. */
  latencyMs?: number;
  /** The LLM cost it incurred, USD. */
  costUsd?: number;
}

/** Options of {@link createRolloutRecorder}. */
export interface RolloutRecorderOptions {
  /** Width of a bucket, ms. Default 10,000. A read leaves out the bucket a step began in (it may hold the previous step's requests). */
  bucketMs?: number;
  /** Buckets kept per flag. Default 8,640 (a day of 10 s buckets). */
  maxBuckets?: number;
  /** Clock, ms since the epoch. Default `Date.now`. */
  now?: () => number;
}

/** A recorder: a metrics source the app feeds. */
export interface RolloutRecorder extends RolloutMetricsSource {
  /** Records one request of `flagKey`; `onNewCode` is whether the user was served the new code. Never throws. */
  record(flagKey: string, onNewCode: boolean, observation?: RolloutObservation): void;
  /** Observations dropped: a non-finite or negative value, or a flag past the 1,000th. */
  readonly dropped: number;
}

/** Most flags one recorder follows. */
const MAX_FLAGS = 1_000;

interface Bucket {
  start: number;
  treatment: GroupFigures;
  control: GroupFigures;
}

const emptyGroup = (): GroupFigures => ({ requests: 0, errors: 0, latencySum: 0, latencySumSquares: 0, costSum: 0, costSumSquares: 0 });

function add(into: GroupFigures, from: GroupFigures): void {
  into.requests += from.requests;
  into.errors += from.errors;
  into.latencySum += from.latencySum;
  into.latencySumSquares += from.latencySumSquares;
  into.costSum += from.costSum;
  into.costSumSquares += from.costSumSquares;
}

const badNumber = (x: number | undefined) => x !== undefined && !(Number.isFinite(x) && x >= 0);

/** Creates an in-process rollout metrics source. Throws `INVALID_OPTIONS` for a bad option. */
export function createRolloutRecorder(options: RolloutRecorderOptions = {}): RolloutRecorder {
  const bucketMs = options.bucketMs ?? 10_000;
  const maxBuckets = options.maxBuckets ?? 8_640;
  if (!Number.isInteger(bucketMs) || bucketMs < 1)
    throw new EliteError('INVALID_OPTIONS', `elite/rollouts: bucketMs must be a whole number of ms ≥ 1, got ${String(bucketMs)}`, {
      field: 'bucketMs',
    });
  if (!Number.isInteger(maxBuckets) || maxBuckets < 1)
    throw new EliteError('INVALID_OPTIONS', `elite/rollouts: maxBuckets must be a whole number ≥ 1, got ${String(maxBuckets)}`, {
      field: 'maxBuckets',
    });
  const now = options.now ?? Date.now;
  const flags = new Map<string, Bucket[]>();
  let dropped = 0;

  return {
    get dropped() {
      return dropped;
    },
    record(flagKey, onNewCode, observation = {}) {
      const { error, latencyMs, costUsd } = observation;
      if (badNumber(latencyMs) || badNumber(costUsd)) {
        dropped++;
        return;
      }
      const start = Math.floor(now() / bucketMs) * bucketMs;
      let buckets = flags.get(flagKey);
      if (buckets === undefined) {
        // Flags under a plan are few; a flood of keys is dropped, not kept.
        if (flags.size >= MAX_FLAGS) {
          dropped++;
          return;
        }
        buckets = [];
        flags.set(flagKey, buckets);
      }
      let bucket = buckets[buckets.length - 1];
      if (bucket === undefined || bucket.start !== start) {
        bucket = { start, treatment: emptyGroup(), control: emptyGroup() };
        buckets.push(bucket);
        if (buckets.length > maxBuckets) buckets.shift();
      }
      const group = onNewCode ? bucket.treatment : bucket.control;
      group.requests++;
      if (error === true) group.errors++;
      if (latencyMs !== undefined) {
        group.latencySum += latencyMs;
        group.latencySumSquares += latencyMs * latencyMs;
      }
      if (costUsd !== undefined) {
        group.costSum += costUsd;
        group.costSumSquares += costUsd * costUsd;
      }
    },
    async read(flagKey, since): Promise<RolloutFigures> {
      const figures = { treatment: emptyGroup(), control: emptyGroup() };
      for (const bucket of flags.get(flagKey) ?? []) {
        // A bucket begun before `since` may hold requests of the previous step: left out.
        if (bucket.start < since) continue;
        add(figures.treatment, bucket.treatment);
        add(figures.control, bucket.control);
      }
      return figures;
    },
  };
}
