/**
 * The options of a Discord notifier checked and given their defaults, once, in
 * `telemetry.discord()`. The webhook URL is a secret: it is never echoed, and what the notifier
 * logs names it as `…/webhooks/{id}/***`.
 */
import { EliteError } from '../internal/errors.js';
import { redactUrlCredentials } from '../internal/redact.js';
import type { DiscordOptions } from './types.js';

/** Default of `DiscordOptions.requestTimeoutMs`: Discord answers in well under a second when it answers at all. */
export const DEFAULT_DISCORD_REQUEST_TIMEOUT_MS = 5_000;
/** Default of `DiscordOptions.closeTimeoutMs`. */
export const DEFAULT_DISCORD_CLOSE_TIMEOUT_MS = 10_000;

const WEBHOOK_PATH = /\/webhooks\/(\d+)\/([^/?#]+)/;

/** The webhook URL with its token replaced by `***`, for messages. */
export function redactWebhookUrl(url: string): string {
  const match = WEBHOOK_PATH.exec(url);
  return match ? `…/webhooks/${match[1]}/***` : '…/webhooks/***';
}

/** A notifier's options, checked, with their defaults filled in. */
export interface ResolvedDiscordOptions {
  /** The URL to POST to (`?wait=true` added when `wait`). A secret. */
  target: URL;
  /** The webhook as messages show it: `…/webhooks/{id}/***`. */
  where: string;
  /** `text` with the webhook token and any URL credentials replaced by `***`. */
  scrub: (text: string) => string;
  /** Summary period, ms; 0 for alerts only. */
  intervalMs: number;
  /** Deadline of each request, body included, ms. */
  requestTimeoutMs: number;
  /** Longest wait of `close()` by default, ms. */
  closeTimeoutMs: number;
  /** Attempts per message on 429, 5xx and network errors. */
  maxAttempts: number;
  /** Longest `retry_after` waited for, ms. */
  maxRetryAfterMs: number;
  /** Messages kept while Discord is slow. */
  maxQueue: number;
  /** Display name of the messages, if set. */
  username: string | undefined;
  /** The `fetch` to call. */
  fetch: typeof fetch;
  /** Told of each message that could not be delivered. */
  onError: ((error: Error) => void) | undefined;
}

const invalid = (field: string, message: string) =>
  new EliteError('INVALID_OPTIONS', `elite/telemetry: discord ${field} ${message}`, { field });

const wholeMs = (field: string, value: unknown, min: number): number => {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw invalid(field, `must be a whole number ≥ ${min}, got ${typeof value === 'number' ? value : typeof value}`);
  }
  return value;
};

/** The webhook URL parsed, or `undefined` when it is not an http(s) URL with a `/webhooks/{id}/{token}` path. */
function parseWebhookUrl(url: unknown): URL | undefined {
  let parsed: URL | undefined;
  try {
    parsed = typeof url === 'string' ? new URL(url) : undefined;
  } catch {
    parsed = undefined;
  }
  return parsed !== undefined && /^https?:$/.test(parsed.protocol) && WEBHOOK_PATH.test(parsed.pathname) ? parsed : undefined;
}

/** Checks `options` and fills in the defaults. Throws `EliteError('INVALID_OPTIONS')` naming the bad field. */
export function resolveDiscordOptions(options: DiscordOptions): ResolvedDiscordOptions {
  const parsed = parseWebhookUrl(options?.webhookUrl);
  // The value is not echoed: it may be a secret pasted in the wrong place.
  if (parsed === undefined) throw invalid('webhookUrl', 'must look like https://discord.com/api/webhooks/{id}/{token}');
  const intervalMs = options.intervalMs ?? 300_000;
  if (!Number.isInteger(intervalMs) || intervalMs < 0) {
    throw invalid('intervalMs', `must be a whole number ≥ 0 (0: alerts only), got ${String(intervalMs)}`);
  }
  const requestTimeoutMs = wholeMs('requestTimeoutMs', options.requestTimeoutMs ?? DEFAULT_DISCORD_REQUEST_TIMEOUT_MS, 1);
  const closeTimeoutMs = wholeMs('closeTimeoutMs', options.closeTimeoutMs ?? DEFAULT_DISCORD_CLOSE_TIMEOUT_MS, 0);
  const maxAttempts = wholeMs('maxAttempts', options.maxAttempts ?? 3, 1);
  const maxRetryAfterMs = wholeMs('maxRetryAfterMs', options.maxRetryAfterMs ?? 60_000, 0);
  const maxQueue = wholeMs('maxQueue', options.maxQueue ?? 50, 1);
  if (options.username !== undefined && typeof options.username !== 'string') throw invalid('username', 'must be a string');
  if (options.fetch !== undefined && typeof options.fetch !== 'function') throw invalid('fetch', 'must be a function');
  if (options.onError !== undefined && typeof options.onError !== 'function') throw invalid('onError', 'must be a function');
  const secret = parsed.href;
  const token = WEBHOOK_PATH.exec(parsed.pathname)?.[2] as string;
  const target = new URL(secret);
  if (options.wait) target.searchParams.set('wait', 'true');
  return {
    target,
    where: redactWebhookUrl(secret),
    scrub: (text) => redactUrlCredentials(text.split(token).join('***')),
    intervalMs,
    requestTimeoutMs,
    closeTimeoutMs,
    maxAttempts,
    maxRetryAfterMs,
    maxQueue,
    username: options.username,
    fetch: options.fetch ?? globalThis.fetch,
    onError: options.onError,
  };
}
