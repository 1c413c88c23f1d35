/**
 * Delivery of a Discord notifier: one message at a time, in order, each request under its own
 * deadline; 429s waited out (up to `maxRetryAfterMs`), 5xx and network errors retried with backoff,
 * and a 401/403/404 stops the notifier for good (the webhook is gone or its token is wrong).
 * Uses only `fetch` (Edge-safe). Nothing here rejects: every outcome is a {@link DeliveryResult}.
 * @see https://discord.com/developers/docs/topics/rate-limits
 */
import { EliteError, messageOf } from '../internal/errors.js';
import type { SafeLogger } from '../internal/logger.js';
import type { ResolvedDiscordOptions } from './discord-options.js';
import { type DiscordPayload, fitToDiscordLimits } from './discord-payload.js';

/** What a delivery resolved to; it never rejects. */
export type DeliveryResult =
  | {
      /** Discord accepted the message. */
      ok: true;
      /** The message's id, when the notifier asked Discord to answer with it (`wait: true`). */
      messageId?: string;
    }
  | {
      /** The message was not delivered. */
      ok: false;
      /** Why: code `DELIVERY_FAILED`, with the webhook token redacted from the message. */
      error: EliteError;
    };

/** Counters of a notifier. */
export interface DiscordStats {
  /** Messages Discord accepted. */
  sent: number;
  /** Messages given up on (after their retries, or refused), each reported to the logger and `onError`. */
  failed: number;
  /** Messages dropped because the queue was full, the notifier had stopped, or `close()` ran out of time. */
  dropped: number;
  /** Retries after a 429 or a 5xx. */
  retries: number;
}

/** The queue of a notifier; {@link createDiscordSender} builds it. */
export interface DiscordSender {
  /** Queues `payload` (cut to Discord's limits when sent); resolves when it was delivered or given up. */
  enqueue(payload: DiscordPayload): Promise<DeliveryResult>;
  /** Resolves when every queued message was delivered or given up. */
  flush(): Promise<void>;
  /** Waits for the queue at most `maxWaitMs`, then aborts the request under way and drops the rest. */
  close(maxWaitMs: number): Promise<void>;
  /** True after a 401/403/404. */
  readonly stopped: boolean;
  /** A copy of the counters. */
  stats(): DiscordStats;
}

/** The fields of Discord's JSON answer the sender reads. */
interface DiscordAnswer {
  message?: string;
  retry_after?: number;
  code?: number;
  id?: string;
}

/** Backoff after a 5xx or a network error: 1 s, 2 s, 4 s, … up to 30 s. */
const backoffMs = (attempt: number) => Math.min(30_000, 500 * 2 ** attempt);

/** The wait a 429 asks for, ms: the body's `retry_after`, else the `retry-after` header, else 1 s. */
function retryAfter(response: Response, answer: DiscordAnswer): { seconds: number; waitMs: number } {
  const header = Number(response.headers.get('retry-after'));
  const seconds = typeof answer.retry_after === 'number' ? answer.retry_after : Number.isFinite(header) ? header : 1;
  return { seconds, waitMs: Math.ceil(seconds * 1000) };
}

/**
 * One POST with its own deadline: a webhook that accepts the connection and never answers would
 * otherwise hold the queue for the runtime's default (about 5 minutes in Node) on every attempt.
 * The deadline covers the body too, which is read under the same signal. `controller` is aborted
 * at the deadline, or by `close()`; the rejection is then the abort reason.
 */
async function postWithDeadline(
  options: Pick<ResolvedDiscordOptions, 'fetch' | 'target' | 'requestTimeoutMs'>,
  body: string,
  controller: AbortController,
): Promise<{ response: Response; answer: DiscordAnswer }> {
  const { requestTimeoutMs } = options;
  const timer = setTimeout(
    () => controller.abort(new EliteError('TIMEOUT', `no answer within requestTimeoutMs (${requestTimeoutMs} ms)`)),
    requestTimeoutMs,
  );
  // Raced as well as passed: a custom `fetch` may ignore the signal.
  const aborted = new Promise<never>((_resolve, reject) => {
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
  });
  aborted.catch(() => undefined);
  try {
    const response = await Promise.race([
      options.fetch(options.target, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: controller.signal }),
      aborted,
    ]);
    const answer =
      response.status === 204 ? {} : await Promise.race([response.json().catch(() => ({})) as Promise<DiscordAnswer>, aborted]);
    if (controller.signal.aborted) throw controller.signal.reason;
    return { response, answer: answer ?? {} };
  } catch (error) {
    throw controller.signal.aborted ? controller.signal.reason : error;
  } finally {
    clearTimeout(timer);
  }
}

/** Builds the delivery queue of a notifier; `logger` gets one warning per failed message. */
export function createDiscordSender(options: ResolvedDiscordOptions, logger: SafeLogger): DiscordSender {
  const { where, scrub, maxAttempts, maxRetryAfterMs, maxQueue } = options;
  const stats: DiscordStats = { sent: 0, failed: 0, dropped: 0, retries: 0 };
  let stopped = false;
  // Set when close() ran out of time: the request under way is aborted, queued messages are dropped.
  let closed = false;
  const aborters = new Set<AbortController>();
  const wakers = new Set<() => void>();
  let queued = 0;
  let tail: Promise<unknown> = Promise.resolve();

  const fail = (message: string): DeliveryResult => {
    stats.failed++;
    const error = new EliteError('DELIVERY_FAILED', `elite/telemetry: Discord webhook ${where}: ${scrub(message)}`);
    logger.warn(error.message);
    try {
      options.onError?.(error);
    } catch (thrown) {
      logger.warn(`elite/telemetry: discord onError threw: ${scrub(messageOf(thrown))}`);
    }
    return { ok: false, error };
  };

  const droppedAtClose = (): DeliveryResult => {
    stats.dropped++;
    return { ok: false, error: new EliteError('DELIVERY_FAILED', `elite/telemetry: Discord webhook ${where}: dropped at close()`) };
  };

  // A backoff that close() can cut short.
  const sleep = (delayMs: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, delayMs);
      wakers.add(wake);
    });

  const post = async (body: string) => {
    const controller = new AbortController();
    aborters.add(controller);
    try {
      return await postWithDeadline(options, body, controller);
    } finally {
      aborters.delete(controller);
    }
  };

  async function deliver(payload: DiscordPayload): Promise<DeliveryResult> {
    if (closed) return droppedAtClose();
    const body = JSON.stringify(fitToDiscordLimits(options.username ? { username: options.username, ...payload } : payload));
    for (let attempt = 1; ; attempt++) {
      if (closed) return droppedAtClose();
      if (stopped) return fail('stopped after an earlier 401/403/404; message not sent');
      let response: Response;
      let answer: DiscordAnswer;
      try {
        ({ response, answer } = await post(body));
      } catch (error) {
        if (closed) return droppedAtClose();
        if (attempt >= maxAttempts) return fail(`network error after ${attempt} attempts: ${messageOf(error)}`);
        stats.retries++;
        await sleep(backoffMs(attempt));
        continue;
      }
      if (response.status === 204 || response.ok) {
        stats.sent++;
        return typeof answer.id === 'string' ? { ok: true, messageId: answer.id } : { ok: true };
      }
      const detail = `${response.status}${answer.message ? ` ${answer.message}` : ''}${answer.code ? ` (code ${answer.code})` : ''}`;
      if (response.status === 401 || response.status === 403 || response.status === 404) {
        // The webhook was deleted or its token is wrong: retrying cannot help and would hammer Discord.
        stopped = true;
        return fail(`${detail}; the notifier stopped, fix webhookUrl and create a new one`);
      }
      if (response.status === 429) {
        const { seconds, waitMs } = retryAfter(response, answer);
        if (attempt >= maxAttempts || waitMs > maxRetryAfterMs)
          return fail(`${detail} (rate limited, retry_after ${seconds} s); message dropped`);
        stats.retries++;
        await sleep(waitMs);
        continue;
      }
      if (response.status >= 500 && attempt < maxAttempts) {
        stats.retries++;
        await sleep(backoffMs(attempt));
        continue;
      }
      return fail(`${detail}; message not sent`);
    }
  }

  return {
    enqueue(payload) {
      if (stopped || queued >= maxQueue) {
        stats.dropped++;
        return Promise.resolve(
          fail(stopped ? 'stopped after an earlier 401/403/404; message dropped' : `queue full (${maxQueue}); message dropped`),
        );
      }
      queued++;
      // One message at a time, in order: Discord's per-webhook rate limit is shared by all of them.
      // A payload that is not what the type says (a number as a title) fails here, never as a rejection.
      const result = tail
        .then(() => deliver(payload))
        .catch((error: unknown) => fail(`message not sent: ${messageOf(error)}`))
        .finally(() => queued--);
      tail = result.catch(() => undefined);
      return result;
    },
    flush: async () => {
      await tail;
    },
    async close(maxWaitMs) {
      let deadline: ReturnType<typeof setTimeout> | undefined;
      const timedOut = await Promise.race([
        tail.then(() => false),
        new Promise<boolean>((resolve) => {
          deadline = setTimeout(() => resolve(true), Math.max(0, maxWaitMs));
        }),
      ]);
      clearTimeout(deadline);
      if (!timedOut) return;
      const before = stats.dropped;
      closed = true;
      for (const controller of aborters) controller.abort(new EliteError('CLOSED', 'dropped at close()'));
      for (const wake of [...wakers]) wake();
      // Everything left now settles at once: aborted, or dropped without a request.
      await tail;
      logger.warn(
        `elite/telemetry: Discord webhook ${where}: close() waited ${maxWaitMs} ms; ${stats.dropped - before} message(s) dropped (counted in stats().dropped)`,
      );
    },
    get stopped() {
      return stopped;
    },
    stats: () => ({ ...stats }),
  };
}
