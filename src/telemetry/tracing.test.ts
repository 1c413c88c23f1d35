import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { afterEach, describe, expect, it } from 'vitest';
import { createTelemetry } from './telemetry.js';

// The key under which every copy of @opentelemetry/api 1.x keeps its global registrations.
const GLOBAL = Symbol.for('opentelemetry.js.api.1');
const globals = globalThis as Record<symbol, Record<string, unknown> | undefined>;

afterEach(() => {
  trace.disable();
  delete globals[GLOBAL];
});

describe('getTracer', () => {
  it('reaches a provider registered later through another copy of the API (bundled apps)', () => {
    const exporter = new InMemorySpanExporter();
    const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    // The version this copy writes, so the global looks like a compatible copy's.
    trace.setGlobalTracerProvider(new NodeTracerProvider());
    const version = globals[GLOBAL]?.version;
    trace.disable();
    expect(typeof version).toBe('string');

    const t = createTelemetry({ logger: { warn: () => {}, error: () => {} } });
    t.trace('before', () => 1);
    // Another copy registers: it writes the shared global, never this copy's proxy.
    globals[GLOBAL] = { version, trace: provider };
    t.trace('after', () => 2);
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['after']);
  });
});
