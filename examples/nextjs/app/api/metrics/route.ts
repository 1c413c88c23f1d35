/**
 * Prometheus metrics of this server process (`GET /api/metrics`): HTTP requests of the route
 * handlers, flag-cache counters of the Node flags client, LLM completions, tokens and cost,
 * process metrics. Point a Prometheus scrape job at it (`metrics_path: /api/metrics`), and
 * keep it off the public internet (a network policy or a bearer token check here).
 *
 * Node runtime: the registry lives in this process's memory. Each instance of a serverless
 * deployment has its own, so scrape instances (or push) rather than the load balancer.
 */
import { telemetry } from '@tiqology/elite/telemetry';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const GET = telemetry.webMetricsHandler();
