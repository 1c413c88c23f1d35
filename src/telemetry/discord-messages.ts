/**
 * The messages a Discord notifier posts: the periodic window summary and an alert transition,
 * as embeds (green when all is well, red when an alert fires).
 */
import type { DiscordPayload } from './discord-payload.js';
import type { AlertEvent, TelemetrySnapshot } from './types.js';

const GREEN = 0x2ecc71;
const RED = 0xe74c3c;

const percent = (ratio: number) => `${(ratio * 100).toFixed(1)} %`;
// Four decimals under a dollar: an hour of a small model costs cents.
const usd = (value: number) => `$${value < 1 ? value.toFixed(4) : value.toFixed(2)}`;

/** The summary embed of a snapshot: traffic, errors, p95, LLM usage and cost, flag cache, active alerts. */
export function summaryPayload(snapshot: TelemetrySnapshot, title = 'Telemetry summary'): DiscordPayload {
  const quiet = snapshot.activeAlerts.length === 0;
  const alerts = quiet ? 'none' : snapshot.activeAlerts.map((alert) => `🔴 ${alert.name}: ${alert.summary}`).join('\n');
  return {
    embeds: [
      {
        title: `${title} (last ${+(snapshot.windowMs / 60_000).toFixed(2)} min)`,
        color: quiet ? GREEN : RED,
        timestamp: new Date().toISOString(),
        fields: [
          { name: 'Requests', value: String(snapshot.requests), inline: true },
          { name: 'Error rate', value: percent(snapshot.errorRate), inline: true },
          { name: 'p95 latency', value: `${Math.round(snapshot.p95Ms)} ms`, inline: true },
          { name: 'Completions', value: String(snapshot.completions), inline: true },
          { name: 'Tokens', value: String(snapshot.tokens), inline: true },
          { name: 'Cost per hour', value: usd(snapshot.costUsdPerHour), inline: true },
          {
            name: 'Flag cache-hit ratio',
            value: snapshot.flagLookups === 0 ? 'no lookups' : percent(snapshot.cacheHitRatio),
            inline: true,
          },
          { name: 'Active alerts', value: alerts, inline: false },
        ],
      },
    ],
  };
}

/** The message of an alert transition: FIRING in red or RESOLVED in green, with the rule's summary. */
export function alertPayload(event: AlertEvent): DiscordPayload {
  const firing = event.state === 'firing';
  return {
    embeds: [
      {
        title: `${firing ? '🔴 FIRING' : '🟢 RESOLVED'}: ${event.name}`,
        description: event.summary,
        color: firing ? RED : GREEN,
        timestamp: new Date(event.at).toISOString(),
      },
    ],
  };
}
