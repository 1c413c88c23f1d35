/**
 * Runs once per server process, before the first request (Next.js `register()` hook).
 *
 * Telemetry starts in the Node.js runtime only: the Edge runtime has no OpenTelemetry SDK to
 * register and no Prometheus registry anyone could scrape (each isolate is its own realm). The
 * middleware therefore records nothing; the page, the route handlers and the chat client do.
 *
 * Tracing is on when an OTLP endpoint is configured (`OTEL_EXPORTER_OTLP_ENDPOINT`, or
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`: Jaeger, an OpenTelemetry Collector, Honeycomb…); the
 * exporter, batch and sampler read the other standard `OTEL_*` variables. Without one the app
 * serves metrics only, rather than exporting to a localhost:4318 nobody listens on.
 */
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  // A dynamic import inside the runtime check: the Edge build of this file leaves it out.
  const { telemetry } = await import('@tiqology/elite/telemetry');
  const endpoint = process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (endpoint) {
    // The endpoint is read by the exporter from the environment (a `/v1/traces` URL or a base).
    const result = await telemetry.init({ serviceName: process.env.OTEL_SERVICE_NAME ?? 'tiqology-chat-example' });
    console.log(`telemetry: tracing ${result.tracing}, metrics ${result.metrics ? 'on' : 'off'}`);
  } else {
    // Loads prom-client now, so a missing dependency shows at startup and not at the first scrape.
    await telemetry.registry();
    console.log('telemetry: metrics on, tracing off (set OTEL_EXPORTER_OTLP_ENDPOINT to export spans)');
  }
}
