/**
 * The Discord notifier of `telemetry.discord()`: window summaries every `intervalMs` and alert
 * transitions, posted to a webhook. Assembled from its parts: options (discord-options.ts), the
 * messages (discord-messages.ts) cut to Discord's limits (discord-payload.ts), and the delivery
 * queue with its deadline, retries and rate-limit handling (discord-sender.ts).
 * The webhook URL is a secret: it never reaches a log or an error.
 * @see https://discord.com/developers/docs/resources/webhook#execute-webhook
 */
import type { SafeLogger } from '../internal/logger.js';
import { alertPayload, summaryPayload } from './discord-messages.js';
import { resolveDiscordOptions } from './discord-options.js';
import type { DiscordPayload } from './discord-payload.js';
import { createDiscordSender, type DeliveryResult, type DiscordStats } from './discord-sender.js';
import type { AlertEvent, AlertNotifier, DiscordOptions, TelemetrySnapshot } from './types.js';

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
  /** A copy of the notifier's counters. */
  stats(): DiscordStats;
}

/** Checks the options and builds a notifier; `snapshot` feeds the summaries. Throws `INVALID_OPTIONS`. */
export function createDiscordNotifier(options: DiscordOptions, snapshot: () => TelemetrySnapshot, logger: SafeLogger): DiscordNotifier {
  const resolved = resolveDiscordOptions(options);
  const sender = createDiscordSender(resolved, logger);
  const { intervalMs, closeTimeoutMs } = resolved;
  const timer = intervalMs > 0 ? setInterval(() => void sender.enqueue(summaryPayload(snapshot())), intervalMs) : undefined;
  (timer as { unref?: () => void } | undefined)?.unref?.();

  return {
    notify: (event) => sender.enqueue(alertPayload(event)),
    sendSummary: () => sender.enqueue(summaryPayload(snapshot())),
    send: (payload) => sender.enqueue(payload),
    flush: () => sender.flush(),
    close: async (maxWaitMs = closeTimeoutMs) => {
      if (timer !== undefined) clearInterval(timer);
      await sender.close(maxWaitMs);
    },
    get stopped() {
      return sender.stopped;
    },
    stats: () => sender.stats(),
  };
}
