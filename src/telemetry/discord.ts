/**
 * Discord webhook delivery: summaries and alert messages, within Discord's message limits,
 * one message at a time, waiting out 429s, never retrying a 4xx that cannot succeed.
 * Uses only `fetch` (Edge-safe). The webhook URL is a secret: it never reaches a log or an error.
 * @see https://discord.com/developers/docs/resources/webhook#execute-webhook
 */
import { EliteError, messageOf } from '../internal/errors.js';
import type { SafeLogger } from '../internal/logger.js';
import { redactUrlCredentials } from '../internal/redact.js';
import type { AlertEvent, AlertNotifier, DiscordOptions, TelemetrySnapshot } from './types.js';

/** Discord's documented message limits. */
export const DISCORD_LIMITS = {
  content: 2000,
  embeds: 10,
  embedTotal: 6000,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  author: 256,
  username: 80,
} as const;

export interface DiscordEmbedField {
  name: string;
  value: string;
  inline?: boolean;
}

export interface DiscordEmbed {
  title?: string;
  description?: string;
  color?: number;
  timestamp?: string;
  fields?: DiscordEmbedField[];
  footer?: { text: string };
  author?: { name: string };
}

/** The JSON body of an "execute webhook" call (the parts we send). */
export interface DiscordPayload {
  content?: string;
  username?: string;
  embeds?: DiscordEmbed[];
}

/** What a delivery resolved to; it never rejects. */
export type DeliveryResult = { ok: true; messageId?: string } | { ok: false; error: EliteError };

/** Counters of a notifier. */
export interface DiscordStats {
  sent: number;
  failed: number;
  /** Messages dropped because the queue was full, the notifier had stopped, or `close()` ran out of time. */
  dropped: number;
  /** Retries after a 429 or a 5xx. */
  retries: number;
}

/** A Discord notifier from `telemetry.discord()`. */
export interface DiscordNotifier extends AlertNotifier {
  /** Posts an alert transition. */
  notify(event: AlertEvent): Promise<DeliveryResult>;
  /** Posts the window summary now (the timer calls this every `intervalMs`). */
  sendSummary(): Promise<DeliveryResult>;
  /** Posts any payload, cut to Discord's limits. */
  send(payload: DiscordPayload): Promise<DeliveryResult>;
  /** Resolves when every queued message was delivered or given up. */
  flush(): Promise<void>;
  /**
   * Stops the timer and flushes, waiting at most `maxWaitMs` (default: the `closeTimeoutMs` option).
   * At the deadline the request under way is aborted and every message still queued is dropped and
   * counted in `stats().dropped`, with one warning. Never rejects.
   */
  close(maxWaitMs?: number): Promise<void>;
  /** True after a 401/403/404: the webhook is gone or the token is wrong, so nothing more is sent. */
  readonly stopped: boolean;
  stats(): DiscordStats;
}

const cut = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/**
 * A copy of `payload` within Discord's limits: text cut with "…", embeds past 10 and fields past
 * 25 dropped, empty field values replaced by "—" (Discord rejects them), then fields removed from
 * the last embed backwards until all embeds together hold at most 6,000 characters.
 */
export function fitToDiscordLimits(payload: DiscordPayload): DiscordPayload {
  const L = DISCORD_LIMITS;
  const out: DiscordPayload = {};
  if (payload.content !== undefined) out.content = cut(payload.content, L.content);
  if (payload.username !== undefined) out.username = cut(payload.username, L.username);
  if (payload.embeds === undefined) return out;
  const embeds = payload.embeds.slice(0, L.embeds).map((e) => {
    const embed: DiscordEmbed = { ...e };
    if (e.title !== undefined) embed.title = cut(e.title, L.title);
    if (e.description !== undefined) embed.description = cut(e.description, L.description);
    if (e.footer !== undefined) embed.footer = { text: cut(e.footer.text, L.footer) };
    if (e.author !== undefined) embed.author = { name: cut(e.author.name, L.author) };
    if (e.fields !== undefined) {
      embed.fields = e.fields.slice(0, L.fields).map((f) => ({
        ...f,
        name: cut(f.name || '—', L.fieldName),
        value: cut(f.value || '—', L.fieldValue),
      }));
    }
    return embed;
  });
  const size = (e: DiscordEmbed) =>
    (e.title?.length ?? 0) +
    (e.description?.length ?? 0) +
    (e.footer?.text.length ?? 0) +
    (e.author?.name.length ?? 0) +
    (e.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0);
  let total = embeds.reduce((n, e) => n + size(e), 0);
  for (let i = embeds.length - 1; i >= 0 && total > L.embedTotal; i--) {
    const e = embeds[i] as DiscordEmbed;
    while (total > L.embedTotal && e.fields !== undefined && e.fields.length > 0) {
      const f = e.fields.pop() as DiscordEmbedField;
      total -= f.name.length + f.value.length;
    }
    if (total > L.embedTotal && e.description !== undefined) {
      const keep = Math.max(1, e.description.length - (total - L.embedTotal));
      total -= e.description.length;
      e.description = cut(e.description, keep);
      total += e.description.length;
    }
    if (total > L.embedTotal && i > 0) {
      total -= size(e);
      embeds.pop();
    }
  }
  out.embeds = embeds;
  return out;
}

const WEBHOOK_PATH = /\/webhooks\/(\d+)\/([^/?#]+)/;

/** The webhook URL with its token replaced by `***`, for messages. */
export function redactWebhookUrl(url: string): string {
  const m = WEBHOOK_PATH.exec(url);
  return m ? `…/webhooks/${m[1]}/***` : '…/webhooks/***';
}

const percent = (ratio: number) => `${(ratio * 100).toFixed(1)} %`;
const usd = (value: number) => `$${value < 1 ? value.toFixed(4) : value.toFixed(2)}`;

/** The summary embed of a snapshot. */
export function summaryPayload(s: TelemetrySnapshot, title = 'Telemetry summary'): DiscordPayload {
  const alerts = s.activeAlerts.length === 0 ? 'none' : s.activeAlerts.map((a) => `🔴 ${a.name}: ${a.summary}`).join('\n');
  return {
    embeds: [
      {
        title: `${title} (last ${+(s.windowMs / 60_000).toFixed(2)} min)`,
        color: s.activeAlerts.length === 0 ? 0x2ecc71 : 0xe74c3c,
        timestamp: new Date().toISOString(),
        fields: [
          { name: 'Requests', value: String(s.requests), inline: true },
          { name: 'Error rate', value: percent(s.errorRate), inline: true },
          { name: 'p95 latency', value: `${Math.round(s.p95Ms)} ms`, inline: true },
          { name: 'Completions', value: String(s.completions), inline: true },
          { name: 'Tokens', value: String(s.tokens), inline: true },
          { name: 'Cost per hour', value: usd(s.costUsdPerHour), inline: true },
          { name: 'Flag cache-hit ratio', value: s.flagLookups === 0 ? 'no lookups' : percent(s.cacheHitRatio), inline: true },
          { name: 'Active alerts', value: alerts, inline: false },
        ],
      },
    ],
  };
}

/** The message of an alert transition. */
export function alertPayload(event: AlertEvent): DiscordPayload {
  const firing = event.state === 'firing';
  return {
    embeds: [
      {
        title: `${firing ? '🔴 FIRING' : '🟢 RESOLVED'}: ${event.name}`,
        description: event.summary,
        color: firing ? 0xe74c3c : 0x2ecc71,
        timestamp: new Date(event.at).toISOString(),
      },
    ],
  };
}

/** Default of `DiscordOptions.requestTimeoutMs`: Discord answers in well under a second when it answers at all. */
export const DEFAULT_DISCORD_REQUEST_TIMEOUT_MS = 5_000;
/** Default of `DiscordOptions.closeTimeoutMs`. */
export const DEFAULT_DISCORD_CLOSE_TIMEOUT_MS = 10_000;

const wholeMs = (field: string, value: unknown, min: number): number => {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new EliteError(
      'INVALID_OPTIONS',
      `elite/telemetry: discord ${field} must be a whole number ≥ ${min}, got ${typeof value === 'number' ? value : typeof value}`,
      {
        field,
      },
    );
  }
  return value;
};

/** Checks the options and builds a notifier; `snapshot` feeds the summaries. Throws `INVALID_OPTIONS`. */
export function createDiscordNotifier(options: DiscordOptions, snapshot: () => TelemetrySnapshot, logger: SafeLogger): DiscordNotifier {
  const url = options?.webhookUrl;
  let parsed: URL | undefined;
  try {
    parsed = typeof url === 'string' ? new URL(url) : undefined;
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || !/^https?:$/.test(parsed.protocol) || !WEBHOOK_PATH.test(parsed.pathname)) {
    // The value is not echoed: it may be a secret pasted in the wrong place.
    throw new EliteError(
      'INVALID_OPTIONS',
      'elite/telemetry: discord webhookUrl must look like https://discord.com/api/webhooks/{id}/{token}',
      {
        field: 'webhookUrl',
      },
    );
  }
  const intervalMs = options.intervalMs ?? 300_000;
  if (!Number.isInteger(intervalMs) || intervalMs < 0) {
    throw new EliteError(
      'INVALID_OPTIONS',
      `elite/telemetry: discord intervalMs must be a whole number ≥ 0 (0: alerts only), got ${String(intervalMs)}`,
      {
        field: 'intervalMs',
      },
    );
  }
  const requestTimeoutMs = wholeMs('requestTimeoutMs', options.requestTimeoutMs ?? DEFAULT_DISCORD_REQUEST_TIMEOUT_MS, 1);
  const closeTimeoutMs = wholeMs('closeTimeoutMs', options.closeTimeoutMs ?? DEFAULT_DISCORD_CLOSE_TIMEOUT_MS, 0);
  const maxAttempts = wholeMs('maxAttempts', options.maxAttempts ?? 3, 1);
  const maxRetryAfterMs = wholeMs('maxRetryAfterMs', options.maxRetryAfterMs ?? 60_000, 0);
  const maxQueue = wholeMs('maxQueue', options.maxQueue ?? 50, 1);
  if (options.username !== undefined && typeof options.username !== 'string') {
    throw new EliteError('INVALID_OPTIONS', 'elite/telemetry: discord username must be a string', { field: 'username' });
  }
  if (options.fetch !== undefined && typeof options.fetch !== 'function') {
    throw new EliteError('INVALID_OPTIONS', 'elite/telemetry: discord fetch must be a function', { field: 'fetch' });
  }
  if (options.onError !== undefined && typeof options.onError !== 'function') {
    throw new EliteError('INVALID_OPTIONS', 'elite/telemetry: discord onError must be a function', { field: 'onError' });
  }
  const doFetch = options.fetch ?? globalThis.fetch;
  const secret = parsed.href;
  const token = WEBHOOK_PATH.exec(parsed.pathname)?.[2] as string;
  const where = redactWebhookUrl(secret);
  const target = new URL(secret);
  if (options.wait) target.searchParams.set('wait', 'true');
  const scrub = (text: string) => redactUrlCredentials(text.split(token).join('***'));

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
    } catch (e) {
      logger.warn(`elite/telemetry: discord onError threw: ${scrub(messageOf(e))}`);
    }
    return { ok: false, error };
  };

  const droppedAtClose = (): DeliveryResult => {
    stats.dropped++;
    return { ok: false, error: new EliteError('DELIVERY_FAILED', `elite/telemetry: Discord webhook ${where}: dropped at close()`) };
  };

  // A backoff that close() can cut short.
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      wakers.add(wake);
    });

  /**
   * One POST with its own deadline: a webhook that accepts the connection and never answers would
   * otherwise hold the queue for the runtime's default (about 5 minutes in Node) on every attempt.
   * The deadline covers the body too, which is read under the same signal.
   */
  async function post(body: string): Promise<{ response: Response; answer: Record<string, unknown> }> {
    const controller = new AbortController();
    aborters.add(controller);
    const timer = setTimeout(
      () => controller.abort(new EliteError('TIMEOUT', `no answer within requestTimeoutMs (${requestTimeoutMs} ms)`)),
      requestTimeoutMs,
    );
    // Raced as well as passed: a custom `fetch` may ignore the signal.
    const aborted = new Promise<never>((_, reject) => {
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
    });
    aborted.catch(() => undefined);
    try {
      const response = await Promise.race([
        doFetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: controller.signal }),
        aborted,
      ]);
      const answer =
        response.status === 204 ? {} : await Promise.race([response.json().catch(() => ({})) as Promise<Record<string, unknown>>, aborted]);
      if (controller.signal.aborted) throw controller.signal.reason;
      return { response, answer: answer ?? {} };
    } catch (error) {
      throw controller.signal.aborted ? controller.signal.reason : error;
    } finally {
      clearTimeout(timer);
      aborters.delete(controller);
    }
  }

  async function deliver(payload: DiscordPayload): Promise<DeliveryResult> {
    if (closed) return droppedAtClose();
    const body = JSON.stringify(fitToDiscordLimits(options.username ? { username: options.username, ...payload } : payload));
    for (let attempt = 1; ; attempt++) {
      if (closed) return droppedAtClose();
      if (stopped) return fail('stopped after an earlier 401/403/404; message not sent');
      let response: Response;
      let answer: { message?: string; retry_after?: number; code?: number; id?: string };
      try {
        ({ response, answer } = await post(body));
      } catch (error) {
        if (closed) return droppedAtClose();
        if (attempt >= maxAttempts) return fail(`network error after ${attempt} attempts: ${messageOf(error)}`);
        stats.retries++;
        await sleep(Math.min(30_000, 500 * 2 ** attempt));
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
        const header = Number(response.headers.get('retry-after'));
        const seconds = typeof answer.retry_after === 'number' ? answer.retry_after : Number.isFinite(header) ? header : 1;
        const waitMs = Math.ceil(seconds * 1000);
        if (attempt >= maxAttempts || waitMs > maxRetryAfterMs)
          return fail(`${detail} (rate limited, retry_after ${seconds} s); message dropped`);
        stats.retries++;
        await sleep(waitMs);
        continue;
      }
      if (response.status >= 500 && attempt < maxAttempts) {
        stats.retries++;
        await sleep(Math.min(30_000, 500 * 2 ** attempt));
        continue;
      }
      return fail(`${detail}; message not sent`);
    }
  }

  const enqueue = (payload: DiscordPayload): Promise<DeliveryResult> => {
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
  };

  const timer = intervalMs > 0 ? setInterval(() => void enqueue(summaryPayload(snapshot())), intervalMs) : undefined;
  (timer as { unref?: () => void } | undefined)?.unref?.();

  return {
    notify: (event) => enqueue(alertPayload(event)),
    sendSummary: () => enqueue(summaryPayload(snapshot())),
    send: (payload) => enqueue(payload),
    flush: async () => {
      await tail;
    },
    close: async (maxWaitMs = closeTimeoutMs) => {
      if (timer !== undefined) clearInterval(timer);
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
