/**
 * No collector: `shutdown()` with spans and metrics pending returns within the final export's
 * deadline, warns once, throws nothing, and counts what was lost. A port with nothing listening
 * (connection refused), and a collector that accepts the connection and never answers.
 */
import { createServer as createTcpServer, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createTelemetry } from '../../src/telemetry/index.js';

/** A port on 127.0.0.1 with nothing listening: bound, then released. */
async function deadPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function recordingLogger() {
  const warnings: string[] = [];
  const errors: string[] = [];
  return { warnings, errors, logger: { warn: (m: string) => warnings.push(m), error: (m: string) => errors.push(m) } };
}

describe('shutdown() with no collector', () => {
  it('connection refused: returns well within a second, one warning, nothing thrown, losses counted', async () => {
    const port = await deadPort();
    const { warnings, errors, logger } = recordingLogger();
    const t = createTelemetry({ logger });
    const result = await t.init({ otlp: { endpoint: `http://127.0.0.1:${port}` }, otlpMetrics: { intervalMs: 60_000 } });
    expect(result).toMatchObject({ tracing: 'registered', otlpMetrics: true });
    for (let i = 0; i < 5; i++) t.trace(`work-${i}`, () => i);
    t.recordRequest({ route: '/api/chat', status: 200, durationMs: 30 });
    const started = performance.now();
    await expect(t.shutdown()).resolves.toBeUndefined();
    const elapsed = performance.now() - started;
    // The default final export deadline is 500 ms; a refused connection fails at once. 8–9 s before (retries).
    console.log(`shutdown with nothing listening: ${elapsed.toFixed(0)} ms`);
    expect(elapsed).toBeLessThan(1_000);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/OTLP export of (spans|metrics) failed: .*ECONNREFUSED/);
    expect(errors).toEqual([]);
    expect(t.stats()).toMatchObject({ droppedSpans: 5, failedMetricExports: 1 });
    expect(await t.metrics()).toContain('elite_telemetry_dropped_total{reason="span_export_failed"} 5');
  });

  it('a collector that never answers: shutdown waits no longer than otlp.finalExportTimeoutMs', async () => {
    const sockets = new Set<Socket>();
    const silent = createTcpServer((socket) => {
      sockets.add(socket);
      socket.on('data', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    const { warnings, logger } = recordingLogger();
    const t = createTelemetry({ logger });
    try {
      const finalExportTimeoutMs = 300;
      await t.init({ otlp: { endpoint: `http://127.0.0.1:${port}`, finalExportTimeoutMs }, otlpMetrics: true });
      t.trace('pending', () => undefined);
      t.recordRequest({ route: '/', status: 200, durationMs: 1 });
      const started = performance.now();
      await t.shutdown();
      const elapsed = performance.now() - started;
      console.log(`shutdown with a silent collector, finalExportTimeoutMs ${finalExportTimeoutMs}: ${elapsed.toFixed(0)} ms`);
      // It did wait for the answer (a connection was made), then gave up at the deadline; the margin is for a loaded 2-core machine.
      expect(sockets.size).toBeGreaterThan(0);
      expect(elapsed).toBeGreaterThanOrEqual(finalExportTimeoutMs - 50);
      expect(elapsed).toBeLessThan(finalExportTimeoutMs + 700);
      expect(warnings).toHaveLength(1);
      expect(t.stats().droppedSpans).toBe(1);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('an outage warns once; an export that succeeds again re-arms the warning', async () => {
    const { warnings, logger } = recordingLogger();
    const t = createTelemetry({ logger });
    let fail = true;
    const exporter = {
      export: (_spans: unknown[], done: (r: { code: number; error?: Error }) => void) =>
        done(fail ? { code: 1, error: new Error('collector down') } : { code: 0 }),
      shutdown: async () => undefined,
    };
    await t.init({ exporter, batch: { scheduledDelayMs: 60_000 } });
    for (const round of [1, 2]) {
      t.trace(`a${round}`, () => undefined);
      await t.flush();
    }
    expect(warnings).toHaveLength(1);
    fail = false;
    t.trace('ok', () => undefined);
    await t.flush();
    fail = true;
    t.trace('b', () => undefined);
    await t.flush();
    expect(warnings).toHaveLength(2);
    expect(t.stats().droppedSpans).toBe(3);
    await t.shutdown();
  });
});
