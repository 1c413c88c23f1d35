/**
 * The `GET /metrics` handlers of a telemetry instance: one for Node's `http` module, one for Web
 * `Request → Response` runtimes. Both serve the registry's exposition, and answer 500 with a short
 * text (the cause goes to the logger) when prom-client cannot load or a metric fails.
 */
import { messageOf } from '../internal/errors.js';
import type { SafeLogger } from '../internal/logger.js';
import type { PromRegistryLike } from './registry.js';
import type { NodeMetricsHandler, WebMetricsHandler } from './telemetry-api.js';

const UNAVAILABLE_BODY = 'metrics unavailable\n';
const TEXT_PLAIN = 'text/plain; charset=utf-8';

/** A Node `http` handler serving `registry()`'s exposition; never rejects. */
export function createNodeMetricsHandler(registry: () => Promise<PromRegistryLike>, logger: SafeLogger): NodeMetricsHandler {
  return async (_req, res) => {
    try {
      const resolved = await registry();
      const body = await resolved.metrics();
      res.statusCode = 200;
      res.setHeader('content-type', resolved.contentType);
      res.end(body);
    } catch (error) {
      logger.error(`elite/telemetry: /metrics failed: ${messageOf(error)}`);
      res.statusCode = 500;
      res.setHeader('content-type', TEXT_PLAIN);
      res.end(UNAVAILABLE_BODY);
    }
  };
}

/** A Web handler serving `registry()`'s exposition; never rejects. */
export function createWebMetricsHandler(registry: () => Promise<PromRegistryLike>, logger: SafeLogger): WebMetricsHandler {
  return async () => {
    try {
      const resolved = await registry();
      return new Response(await resolved.metrics(), { status: 200, headers: { 'content-type': resolved.contentType } });
    } catch (error) {
      logger.error(`elite/telemetry: /metrics failed: ${messageOf(error)}`);
      return new Response(UNAVAILABLE_BODY, { status: 500, headers: { 'content-type': TEXT_PLAIN } });
    }
  };
}
