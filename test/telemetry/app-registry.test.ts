/**
 * An app that already uses prom-client: its default metrics on prom-client's global `register`, its
 * own metrics, and ours, scraped as ONE exposition with no family twice, whether it merges
 * registries or hands us its registry. And a late `configure({ defaultMetrics: false })` takes effect.
 */
import { Counter, collectDefaultMetrics, Registry, register } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createTelemetry, telemetry } from '../../src/telemetry/index.js';

/** The families of a Prometheus text exposition (`# TYPE` lines) and every sample line's name and labels. */
function parseExposition(text: string) {
  const families: string[] = [];
  const samples: string[] = [];
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) families.push(type[1] as string);
    else if (line !== '' && !line.startsWith('#')) {
      const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
      if (!sample) throw new Error(`not an exposition line: ${line}`);
      samples.push(sample[1] as string);
    }
  }
  return { families, samples };
}

const duplicates = (list: string[]) => list.filter((item, index) => list.indexOf(item) !== index);

afterEach(() => {
  register.clear();
  telemetry.configure({});
});

describe('an app with its own prom-client registry', () => {
  it('a late configure({ defaultMetrics: false }) removes the process metrics from the shared registry at once', async () => {
    telemetry.recordRequest({ route: '/a', status: 200, durationMs: 5 });
    expect(await telemetry.metrics()).toContain('process_cpu_user_seconds_total');
    telemetry.configure({ defaultMetrics: false });
    const registry = await telemetry.registry();
    // Effective before any new load: the registry the app may hold already lost them.
    expect(registry.getSingleMetric('process_cpu_user_seconds_total')).toBeUndefined();
    const text = await telemetry.metrics();
    expect(text).not.toMatch(/^process_|^nodejs_/m);
    expect(text).toContain('# TYPE http_server_request_duration_seconds histogram');
    // And back on: added again, once.
    telemetry.configure({ defaultMetrics: true });
    const again = parseExposition(await telemetry.metrics());
    expect(again.families).toContain('process_cpu_user_seconds_total');
    expect(duplicates(again.families)).toEqual([]);
  });

  it('Registry.merge of prom-client global register (collectDefaultMetrics) and ours: one exposition, no family twice', async () => {
    collectDefaultMetrics();
    const appCounter = new Counter({ name: 'app_orders_total', help: 'Orders.', registers: [register] });
    appCounter.inc(3);
    telemetry.recordRequest({ method: 'POST', route: '/api/chat', status: 200, durationMs: 120 });
    // Threw "process_cpu_user_seconds_total has already been registered" when ours added them too.
    const merged = Registry.merge([register, (await telemetry.registry()) as Registry]);
    const { families, samples } = parseExposition(await merged.metrics());
    expect(duplicates(families)).toEqual([]);
    expect(duplicates(samples)).toEqual([]);
    expect(families).toEqual(
      expect.arrayContaining(['process_cpu_user_seconds_total', 'app_orders_total', 'http_server_request_duration_seconds']),
    );
    expect(samples).toContain('app_orders_total');
  });

  it('telemetry.configure({ registry: register }): our families in the app registry, its default metrics once', async () => {
    collectDefaultMetrics();
    new Counter({ name: 'app_orders_total', help: 'Orders.', registers: [register] }).inc();
    telemetry.configure({ registry: register });
    telemetry.recordCompletion({ provider: 'openai', model: 'gpt-4o', inputTokens: 100, outputTokens: 20, durationMs: 900, status: 'ok' });
    expect(await telemetry.registry()).toBe(register);
    const { families, samples } = parseExposition(await register.metrics());
    expect(duplicates(families)).toEqual([]);
    expect(duplicates(samples)).toEqual([]);
    expect(families).toEqual(
      expect.arrayContaining([
        'process_cpu_user_seconds_total',
        'app_orders_total',
        'llm_tokens_total',
        'http_server_request_duration_seconds',
      ]),
    );
    expect(samples).toContain('llm_tokens_total{provider="openai",model="gpt-4o",type="input"}');
    // The app calling collectDefaultMetrics() after us still works: we added none.
    register.clear();
    telemetry.configure({ registry: register });
    await telemetry.registry();
    expect(() => collectDefaultMetrics()).not.toThrow();
  });

  it('createTelemetry({ registry }) with a registry of the app; defaultMetrics: true adds them only where missing', async () => {
    const app = new Registry();
    collectDefaultMetrics({ register: app });
    const t = createTelemetry({ registry: app, defaultMetrics: true });
    t.recordRequest({ route: '/x', status: 503, durationMs: 2 });
    expect(await t.registry()).toBe(app);
    const { families } = parseExposition(await app.metrics());
    expect(duplicates(families)).toEqual([]);
    expect(families).toEqual(expect.arrayContaining(['process_cpu_user_seconds_total', 'http_server_errors_total']));

    const bare = new Registry();
    const withDefaults = createTelemetry({ registry: bare, defaultMetrics: true });
    await withDefaults.registry();
    expect(bare.getSingleMetric('process_cpu_user_seconds_total')).toBeDefined();
    const none = new Registry();
    await createTelemetry({ registry: none }).registry();
    expect(none.getSingleMetric('process_cpu_user_seconds_total')).toBeUndefined();
    expect(none.getSingleMetric('llm_chat_completions_total')).toBeDefined();
  });

  it('rejects a registry that is not one, or that comes with globalRegistry: true', () => {
    expect(() => createTelemetry({ registry: {} as never })).toThrow(/registry must be a prom-client Registry/);
    expect(() => createTelemetry({ registry: new Registry(), globalRegistry: true })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS', message: expect.stringMatching(/pass one of them/) }),
    );
  });
});
