import type { FlagsClient } from '../flags/client/index.js';
import { targetingKeyOf } from '../flags/evaluate.js';
import { checkTrackInput, type TrackInput } from '../flags/track-input.js';
import type { FlagUser } from '../flags/types.js';
import { EliteError } from '../internal/errors.js';
import { RateLimiter } from './rate-limit.js';
import { readBoundedBody, readTrackingBatch } from './tracking-payload.js';
import { TRACKING_LIMITS } from './wire.js';

/** Why the handler refused a request or dropped an event; the keys of {@link TrackingStats}.rejected. */
export type TrackingRejection =
  | 'method'
  | 'noUser'
  | 'rateLimited'
  | 'tooLarge'
  | 'invalid'
  | 'variantMismatch'
  | 'unknownFlag'
  | 'notExperiment'
  | 'unknownEvent'
  | 'error';

/** What a tracking handler counts (read with `handler.stats()`). */
export interface TrackingStats {
  /** Requests answered. */
  requests: number;
  /** Exposures written through the store. */
  exposures: number;
  /** Conversions written through the store. */
  conversions: number;
  /**
   * Refused requests (`method`, `noUser`, `rateLimited`, `tooLarge`, `invalid`, `variantMismatch`,
   * `error`: nothing of the batch is written) and dropped events (`unknownFlag`, `notExperiment`,
   * `unknownEvent`: the rest of the batch is written).
   */
  rejected: Record<TrackingRejection, number>;
}

/** How often one user may post: `burst` requests at once, then one per `intervalMs`. */
export interface RateLimitOptions {
  /** Requests at once. Default 10. */
  burst?: number;
  /** Milliseconds per further request. Default 2,000. */
  intervalMs?: number;
  /** Users remembered (the least recently seen forgotten first). Default 10,000. */
  maxClients?: number;
}

/** Options of {@link createTrackingHandler}. */
export interface TrackingHandlerOptions {
  /**
   * The server's flags client, made with `trackExposures: false` and the app's store: it checks
   * each reported variant against its own evaluation and writes the events.
   */
  flags: FlagsClient;
  /**
   * Who is reporting: the user the request is from, from what the browser cannot forge or
   * choose freely (a session, a signed or HttpOnly cookie; see `readCookie`). Undefined refuses
   * the request (401). Each user is also the client the rate limit counts.
   */
  user: (request: Request) => FlagUser | undefined | Promise<FlagUser | undefined>;
  /** The conversion events the browser may report; others are dropped. Default: any name. */
  events?: readonly string[];
  /** Requests per user: `burst` at once, then one per `intervalMs`. Default 10 and 2,000 ms, for 10,000 users remembered. */
  rateLimit?: RateLimitOptions;
  /** Largest body in bytes. Default 16,384 (what the browser tracker sends at most). */
  maxBodyBytes?: number;
  /** Takes the write to the store past the response (`after` or `waitUntil`); without it the handler awaits it. */
  waitUntil?: (promise: Promise<unknown>) => void;
}

/** A Web `Request` → `Response` handler (`export const POST = handler` in an App Router route), with its counters. */
export interface TrackingHandler {
  /** Answers one tracking request. Never throws. */
  (request: Request): Promise<Response>;
  /** Counters, for metrics and tests. */
  stats(): TrackingStats;
}

const positive = (value: unknown, fallback: number, field: string): number => {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
  throw new EliteError('INVALID_OPTIONS', `elite/react: createTrackingHandler ${field} must be a positive integer`, { field });
};

const answer = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  Response.json(body, { status, headers: { 'cache-control': 'no-store', ...headers } });

/**
 * The route handler the browser tracker posts to (`FlagsProvider endpoint`). Per request: the
 * method, the user (`options.user`), the user's rate, the body's size and schema; then every
 * reported exposure is checked against the server's own evaluation for that user — a variant
 * the server does not serve (a tampered snapshot or payload) refuses the whole batch (409) —
 * and unknown flags or events are dropped. Only then is anything written, through the flags
 * client and its store. Refusals are counted in `stats().rejected` and write nothing.
 */
export function createTrackingHandler(options: TrackingHandlerOptions): TrackingHandler {
  const { flags, user: identify, events: allowed, waitUntil } = options ?? ({} as TrackingHandlerOptions);
  if (typeof flags?.evaluate !== 'function' || typeof flags.expose !== 'function') {
    throw new EliteError('INVALID_OPTIONS', 'elite/react: createTrackingHandler needs `flags`, a flags client (createFlags)', {
      field: 'flags',
    });
  }
  if (typeof identify !== 'function') {
    throw new EliteError(
      'INVALID_OPTIONS',
      'elite/react: createTrackingHandler needs `user: (request) => userId | undefined`, read from a session or an HttpOnly cookie',
      { field: 'user' },
    );
  }
  if (allowed !== undefined && !(Array.isArray(allowed) && allowed.every((e) => typeof e === 'string'))) {
    throw new EliteError('INVALID_OPTIONS', 'elite/react: createTrackingHandler `events` must be an array of event names', {
      field: 'events',
    });
  }
  const maxBodyBytes = positive(options.maxBodyBytes, TRACKING_LIMITS.maxBodyBytes, 'maxBodyBytes');
  const limiter = new RateLimiter(
    positive(options.rateLimit?.burst, 10, 'rateLimit.burst'),
    positive(options.rateLimit?.intervalMs, 2_000, 'rateLimit.intervalMs'),
    positive(options.rateLimit?.maxClients, 10_000, 'rateLimit.maxClients'),
  );
  const allowedEvents = allowed && new Set(allowed);
  const stats: TrackingStats = {
    requests: 0,
    exposures: 0,
    conversions: 0,
    rejected: {
      method: 0,
      noUser: 0,
      rateLimited: 0,
      tooLarge: 0,
      invalid: 0,
      variantMismatch: 0,
      unknownFlag: 0,
      notExperiment: 0,
      unknownEvent: 0,
      error: 0,
    },
  };
  const refuse = (reason: TrackingRejection, status: number, error: string, headers?: Record<string, string>) => {
    stats.rejected[reason]++;
    return answer(status, { error }, headers);
  };
  const retryAfter = String(Math.ceil((options.rateLimit?.intervalMs ?? 2_000) / 1000));

  const handle = async (request: Request): Promise<Response> => {
    if (request.method !== 'POST') return refuse('method', 405, 'POST a tracking batch', { allow: 'POST' });
    let user: FlagUser | undefined;
    try {
      user = await identify(request);
    } catch {
      user = undefined;
    }
    const client = user === undefined ? undefined : targetingKeyOf(user);
    if (user === undefined || client === undefined) return refuse('noUser', 401, 'no user for this request');
    if (!limiter.take(client)) return refuse('rateLimited', 429, 'too many tracking requests', { 'retry-after': retryAfter });
    const text = await readBoundedBody(request, maxBodyBytes);
    if (text === undefined) return refuse('tooLarge', 413, `the body is over ${maxBodyBytes} bytes`);
    const items = readTrackingBatch(text);
    if (typeof items === 'string') return refuse('invalid', 400, items);

    // Everything is checked before anything is written: a batch is refused whole or kept.
    const exposures: string[] = [];
    const conversions: [string, TrackInput][] = [];
    let dropped = 0;
    for (const item of items) {
      if (item.type === 'conversion') {
        const input = checkTrackInput(item.event, user, { value: item.value, properties: item.properties });
        if (Array.isArray(input)) return refuse('invalid', 400, `${input[0]}: ${input[1]}`);
        if (allowedEvents !== undefined && !allowedEvents.has(item.event)) {
          stats.rejected.unknownEvent++;
          dropped++;
        } else conversions.push([item.event, input]);
        continue;
      }
      const details = await flags.evaluate(item.flag, user);
      if (details.errorCode === 'FLAG_NOT_FOUND') {
        stats.rejected.unknownFlag++;
        dropped++;
      } else if (details.variant !== item.variant) {
        return refuse('variantMismatch', 409, `flag "${item.flag}": the server does not serve this user "${item.variant}"`);
      } else exposures.push(item.flag);
    }
    let accepted = 0;
    for (const flagKey of new Set(exposures)) {
      if ((await flags.expose(flagKey, user)) === undefined) {
        stats.rejected.notExperiment++;
        dropped++;
      } else accepted++;
    }
    for (const [event, input] of conversions) {
      const extra: { value?: number; properties?: TrackInput['properties'] } = {};
      if (input.value !== undefined) extra.value = input.value;
      if (input.properties !== undefined) extra.properties = input.properties;
      flags.track(event, user, extra);
    }
    stats.exposures += accepted;
    stats.conversions += conversions.length;
    if (waitUntil !== undefined) waitUntil(flags.flush());
    else await flags.flush();
    return answer(202, { exposures: accepted, conversions: conversions.length, dropped });
  };

  const handler = async (request: Request) => {
    stats.requests++;
    try {
      return await handle(request);
    } catch {
      // A store or `user` failure: the browser learns nothing about the server's insides.
      return refuse('error', 500, 'tracking failed');
    }
  };
  return Object.assign(handler, { stats: () => structuredClone(stats) });
}
