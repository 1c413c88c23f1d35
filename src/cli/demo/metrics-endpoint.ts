/**
 * The demo's Prometheus endpoint: telemetry's metrics handler served on 127.0.0.1 while the demo
 * runs, and one scrape of it, summed the way a dashboard would, to show that it answers.
 * @packageDocumentation
 */
import type { AddressInfo } from 'node:net';
import type { Telemetry } from '@tiqology/elite/telemetry';
import { CliError } from '../io.js';

/** A running metrics server. */
export interface MetricsEndpoint {
  /** `http://127.0.0.1:<port>/metrics`, with the port actually bound. */
  url: string;
  /** Stops accepting connections; resolves once the server is closed. */
  close(): Promise<void>;
}

/**
 * Serves `telemetry`'s metrics on 127.0.0.1:`port` (0: any free port). A port that cannot be
 * bound (in use, not allowed) fails with a `CliError` naming it.
 */
export async function serveMetrics(telemetry: Telemetry, port: number): Promise<MetricsEndpoint> {
  const { createServer } = await import('node:http');
  const handler = telemetry.metricsHandler();
  const server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new CliError(`demo: cannot serve metrics on 127.0.0.1:${port}: ${error.code ?? error.message}`, 1, { cause: error })),
    );
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** What one scrape of the endpoint showed: its status, sample count and a few summed series. */
export interface MetricsScrape {
  /** HTTP status of the scrape. */
  status: number;
  /** Sample lines in the exposition (comments and blank lines excluded). */
  samples: number;
  /** Sum of `llm_chat_completions_total` over its labels. */
  completions: number;
  /** Sum of `llm_tokens_total`. */
  tokens: number;
  /** Sum of `llm_cost_usd_total`, USD. */
  costUsd: number;
  /** Sum of `http_server_request_duration_seconds_count`. */
  requests: number;
}

/** Fetches `url` once, as Prometheus would, and sums the series the demo reports. */
export async function scrapeMetrics(url: string): Promise<MetricsScrape> {
  const response = await fetch(url);
  const exposition = await response.text();
  const sample = (name: string) => {
    let sum = 0;
    for (const m of exposition.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.eE+-]+)$`, 'gm'))) sum += Number(m[1]);
    return sum;
  };
  return {
    status: response.status,
    samples: exposition.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length,
    completions: sample('llm_chat_completions_total'),
    tokens: sample('llm_tokens_total'),
    costUsd: sample('llm_cost_usd_total'),
    requests: sample('http_server_request_duration_seconds_count'),
  };
}
