/**
 * Spans of a test file kept in memory: a NodeTracerProvider with an in-memory exporter is
 * registered before the file's tests, emptied before each one, and shut down (and the global
 * tracer provider unset) after them. Call once at the top of a test file.
 */
import { trace as otel } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeAll, beforeEach } from 'vitest';

/** Registers the hooks and returns the exporter the spans land in. */
export function captureSpans(): InMemorySpanExporter {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  beforeAll(() => {
    provider.register();
  });
  afterAll(async () => {
    await provider.shutdown();
    otel.disable();
  });
  beforeEach(() => exporter.reset());
  return exporter;
}
