// Predictive anomaly alerts from the telemetry a chat API already records: three hours of requests
// (about 1 % failing), then five minutes in which a quarter of them fail. The errors watch scores
// each minute against its forecast and fires ErrorsAnomaly through onAlert (and any notifier, such
// as telemetry.discord()), with the expected range; it resolves once errors are back to normal.
// The clock is simulated so the three hours take a second; `watch.tick()` scores the minute that
// just ended, as the watch's own timer does every minute in a long-running server (call it from a
// scheduled route on serverless platforms, where timers do not run between requests).
// Run: npm run build && node examples/node/anomaly-alerts.mjs
import { createTelemetry } from '@tiqology/elite/telemetry';

let now = Date.UTC(2026, 11, 1, 9);
const telemetry = createTelemetry({
  now: () => now,
  onAlert: (alert) => console.log(`${new Date(alert.at).toISOString().slice(11, 16)} ${alert.state.toUpperCase()} ${alert.name}: ${alert.summary}`),
});
const watch = telemetry.watchAnomalies({ series: 'errors', stepMs: 60_000 });

const SPIKE_FROM = 150;
for (let minute = 0; minute < 180; minute++) {
  const spike = minute >= SPIKE_FROM && minute < SPIKE_FROM + 5;
  for (let i = 0; i < 120; i++) {
    const failed = spike ? i % 4 === 0 : (i + minute) % 90 === 0;
    telemetry.recordRequest({ method: 'POST', route: '/api/chat', status: failed ? 500 : 200, durationMs: 180 + (i % 7) * 20 });
    now += 500;
  }
  watch.tick();
}
console.log(`error spike injected at ${new Date(Date.UTC(2026, 11, 1, 9) + SPIKE_FROM * 60_000).toISOString().slice(11, 16)}`);
await telemetry.shutdown();
