/**
 * `telemetry.watchAnomalies()`: a point outside the forecast's expected range fires the series'
 * alert through onAlert, the notifiers and activeAlerts(), with the observed value, the expected
 * range and the probability; it resolves after points back inside; the last point is exported.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isEliteError } from '../internal/errors.js';
import { createTelemetry } from './telemetry.js';
import type { AlertEvent } from './types.js';

const HOUR = 3_600_000;
const START = Date.UTC(2026, 10, 2);
/** Hourly traffic with a daily shape and a little deterministic noise. */
const traffic = (h: number) => 1000 + 600 * Math.sin((2 * Math.PI * (h % 24)) / 24) + 40 * Math.sin(h * 12.9898);

afterEach(() => {
  vi.useRealTimers();
});

describe('telemetry.watchAnomalies', () => {
  it('fires on a traffic drop within two points, with the expected range and probability, and resolves when traffic is back', async () => {
    const events: AlertEvent[] = [];
    const notified: AlertEvent[] = [];
    const t = createTelemetry({ onAlert: (e) => events.push(e), alerts: { evaluateIntervalMs: 3_600_000 } });
    t.addNotifier({ notify: (e) => void notified.push(e) });
    const watch = t.watchAnomalies({ series: 'custom' });
    expect(watch.alert).toBe('MetricAnomaly');
    const hours = 21 * 24;
    for (let h = 0; h < hours; h++) watch.observe(START + h * HOUR, traffic(h));
    expect(events).toEqual([]);

    // A drop to 35 % for 4 hours, then back to normal.
    let firedAt = -1;
    for (let h = hours; h < hours + 16; h++) {
      const value = h < hours + 4 ? 0.35 * traffic(h) : traffic(h);
      watch.observe(START + h * HOUR, value);
      if (firedAt < 0 && events.length > 0) firedAt = h - hours;
    }
    expect(firedAt).toBeGreaterThanOrEqual(0);
    expect(firedAt).toBeLessThanOrEqual(1);
    const [firing, resolved] = events as [AlertEvent, AlertEvent];
    expect(firing).toMatchObject({ name: 'MetricAnomaly', state: 'firing' });
    expect(firing.value).toBeLessThan(firing.expected?.mean as number);
    expect(firing.threshold).toBe(firing.expected?.lower);
    expect(firing.probability).toBeGreaterThan(0.99);
    expect(firing.summary).toMatch(
      /^custom [\d,.]+, (below|low in a run, within) the expected [\d,.]+–[\d,.]+ \(forecast [\d,.]+, p (= 0\.99\d+|> 0\.9999)\)$/,
    );
    expect(resolved).toMatchObject({ name: 'MetricAnomaly', state: 'resolved', since: firing.since });
    // Not while the drop lasts (the live model learns it; the alert is judged against the model from before
    // it): the third hour back to normal resolves it.
    expect(resolved.at).toBe(START + (hours + 6) * HOUR);
    expect(events).toHaveLength(2);
    await vi.waitFor(() => expect(notified.map((e) => e.state)).toEqual(['firing', 'resolved']));
    expect(t.activeAlerts()).toEqual([]);
    await t.shutdown();
  });

  it('keeps a firing anomaly in activeAlerts() and the snapshot, and exports the last point as elite_anomaly_* gauges', async () => {
    const t = createTelemetry({ alerts: { evaluateIntervalMs: 3_600_000 } });
    const watch = t.watchAnomalies({ series: 'custom' });
    for (let h = 0; h < 14 * 24; h++) watch.observe(START + h * HOUR, traffic(h));
    const spike = watch.observe(START + 14 * 24 * HOUR, 5 * traffic(14 * 24));
    expect(spike.anomaly).toBe(true);
    expect(t.activeAlerts().map((a) => a.name)).toEqual(['MetricAnomaly']);
    expect(t.snapshot().activeAlerts).toHaveLength(1);
    const text = await t.metrics();
    const gauge = (name: string, labels: string) => Number(new RegExp(`^${name}\\{${labels}\\} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(gauge('elite_anomaly_observed', 'series="custom"')).toBeCloseTo(spike.observed, 6);
    expect(gauge('elite_anomaly_expected', 'series="custom",bound="lower"')).toBeCloseTo(spike.expected.lower, 6);
    expect(gauge('elite_anomaly_expected', 'series="custom",bound="upper"')).toBeCloseTo(spike.expected.upper, 6);
    expect(gauge('elite_anomaly_probability', 'series="custom"')).toBeGreaterThan(0.99);
    await t.shutdown();
  });

  it('reads a recorded series from the instance’s own records on its timer: a burst of failed requests fires ErrorsAnomaly', async () => {
    vi.useFakeTimers({ now: START });
    const events: AlertEvent[] = [];
    const t = createTelemetry({ now: () => Date.now(), onAlert: (e) => events.push(e), alerts: { evaluateIntervalMs: 3_600_000 } });
    const watch = t.watchAnomalies({ series: 'errors', stepMs: 60_000 });
    expect(watch.alert).toBe('ErrorsAnomaly');
    // 150 minutes of 120 requests a minute with one or two failures, then a minute with 40.
    for (let minute = 0; minute < 151; minute++) {
      for (let i = 0; i < 120; i++) {
        const failed = minute === 150 ? i < 40 : (i + minute) % 90 === 0;
        t.recordRequest({ method: 'GET', route: '/chat', status: failed ? 500 : 200, durationMs: 20 });
        vi.advanceTimersByTime(500);
      }
    }
    // The tick after the bad minute scores it.
    vi.advanceTimersByTime(60_000);
    expect(events.map((e) => [e.name, e.state])).toEqual([['ErrorsAnomaly', 'firing']]);
    expect(events[0]?.value).toBe(40);
    expect(events[0]?.summary).toMatch(/^errors 40, above the expected/);
    expect(watch.last()?.observed).toBe(0);
    await t.shutdown();
    // Stopped with the instance: no more points.
    vi.advanceTimersByTime(600_000);
    expect(watch.last()?.observed).toBe(0);
  });

  it('rejects bad options and a second watch of one series with INVALID_OPTIONS', async () => {
    const t = createTelemetry();
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return isEliteError(error, 'INVALID_OPTIONS') ? error.field : 'other error';
      }
      return 'no error';
    };
    expect(code(() => t.watchAnomalies({ series: 'latency' as never }))).toBe('watchAnomalies.series');
    expect(code(() => t.watchAnomalies({ stepMs: 15_000 }))).toBe('watchAnomalies.stepMs');
    expect(code(() => t.watchAnomalies({ stepMs: 300_000 }))).toBe('watchAnomalies.stepMs');
    expect(code(() => t.watchAnomalies({ resolveAfter: 0 }))).toBe('watchAnomalies.resolveAfter');
    expect(code(() => t.watchAnomalies({ series: 'custom', detector: { alertProbability: 2 } }))).not.toBe('no error');
    const first = t.watchAnomalies();
    expect(code(() => t.watchAnomalies({ series: 'requests' }))).toBe('watchAnomalies.series');
    first.stop();
    expect(code(() => t.watchAnomalies({ series: 'requests' }))).toBe('no error');
    // A bad point is reported, never thrown, never learned.
    const custom = t.watchAnomalies({ series: 'custom' });
    expect(custom.observe(START, Number.NaN).reason).toBe('NON_FINITE_VALUE');
    expect(custom.last()).toBeUndefined();
    await t.shutdown();
  });
});
