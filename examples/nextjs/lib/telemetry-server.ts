/**
 * Request metrics for route handlers (Node runtime): `withRequestMetrics(route, handler)`
 * times the handler and records `http_server_request_duration_seconds` and
 * `http_server_errors_total` with the route template as label, never the URL (ids in a path
 * would make one series per user).
 *
 * The duration is the time to the response headers: for a streamed answer (the chat route)
 * that is the time to the first byte; the model call's full duration is in
 * `gen_ai_client_operation_duration_seconds`.
 */
import { telemetry } from '@tiqology/elite/telemetry';

// Flag-cache metrics (elite_flags_cache_*) need no call here: the shared `telemetry` reads the
// shared `flags` client that lib/flags-server.ts configures. `telemetry.observeFlags(client)` is
// for clients made with createFlags(); with the shared one it is a no-op (it is already counted).

// One parameter, as the handlers here take: a route with dynamic segments would pass `context` on.
type Handler<R extends Request> = (request: R) => Response | Promise<Response>;

export function withRequestMetrics<R extends Request>(route: string, handler: Handler<R>): (request: R) => Promise<Response> {
  return async (request) => {
    const started = performance.now();
    let status = 500;
    try {
      const response = await handler(request);
      status = response.status;
      return response;
    } finally {
      // A throw becomes Next.js's 500: recorded as one, then rethrown unchanged.
      telemetry.recordRequest({ method: request.method, route, status, durationMs: performance.now() - started });
    }
  };
}

export { telemetry };
