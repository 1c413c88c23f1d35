import { describe, expect, it } from 'vitest';
import { EliteError } from '../internal/errors.js';
import * as direct from './index.js';
import { forecast } from './lazy.js';

const values = Float64Array.from({ length: 24 * 4 }, (_, i) => 10 + Math.sin((2 * Math.PI * i) / 24));
const series = { startMs: Date.UTC(2026, 0, 5), stepMs: 3_600_000, values };

describe('root forecast namespace', () => {
  it('loads the module once and forwards every call', async () => {
    const [a, b] = await Promise.all([forecast.load(), forecast.load()]);
    expect(a).toBe(b);
    expect(await forecast.traffic(series)).toEqual(direct.traffic(series));
    const r = direct.traffic(series);
    expect(await forecast.toSVG(r)).toBe(direct.toSVG(r));
    const points = [
      { timestamp: 0, value: 1 },
      { timestamp: 3_600_000, value: 2 },
    ];
    expect(await forecast.toSeries(points)).toEqual(direct.toSeries(points));
    expect(await forecast.fromColumns([0, 1], [1, 2])).toEqual(direct.fromColumns([0, 1], [1, 2]));
    expect(await forecast.parseCsvSeries('timestamp,value\n0,1\n1,2\n')).toEqual(direct.parseCsvSeries('timestamp,value\n0,1\n1,2\n'));
    expect(await forecast.detectStep([0, 5, 10])).toBe(5);
    expect(await forecast.detectSeasonality(series)).toEqual(direct.detectSeasonality(series));
    expect(await forecast.fillGaps(series)).toEqual(direct.fillGaps(series));
    expect((await forecast.resample(series, 7_200_000, 'sum')).values).toHaveLength(48);
    expect(Object.keys(direct.forecast)).toEqual(
      expect.arrayContaining(['traffic', 'cost', 'decide', 'autoscale', 'trainScalingPolicy', 'toSVG', 'toSeries', 'resample']),
    );
  });

  it('forwards cost, decide, trainScalingPolicy and autoscale (resolving to the autoscaler)', async () => {
    const long = { ...series, values: Float64Array.from({ length: 24 * 9 }, (_, i) => 10 + Math.sin((2 * Math.PI * i) / 24)) };
    const points = Array.from(long.values, (value, i) => ({ timestamp: long.startMs + i * long.stepMs, value }));
    expect(await forecast.cost(points, { horizonDays: 1 })).toEqual(direct.cost(points, { horizonDays: 1 }));
    const r = direct.traffic(long);
    expect(await forecast.decide({ forecast: r, capacity: 12 })).toEqual(direct.decide({ forecast: r, capacity: 12 }));
    const table = {
      featureNames: ['a'],
      x: Array.from({ length: 20 }, (_, i) => [i]),
      y: Array.from({ length: 20 }, (_, i): direct.ScalingDecision => (i < 10 ? 'SCALE_DOWN' : 'SCALE_UP')),
    };
    const policy = await forecast.trainScalingPolicy(table, { forest: { nEstimators: 3 } });
    expect(policy.kind).toBe('learned');
    expect(direct.decide({ features: { a: 19 } }, policy).decision).toBe('SCALE_UP');
    const executed: number[] = [];
    const scaler = await forecast.autoscale({
      decide: () => forecast.decide({ forecast: r, capacity: 5 }),
      execute: ({ toReplicas }) => {
        executed.push(toReplicas);
      },
      cooldownMs: 0,
      minReplicas: 1,
      maxReplicas: 3,
      dryRun: false,
    });
    const record = await scaler.tick();
    expect(record).toMatchObject({ decision: 'SCALE_UP', outcome: 'EXECUTED', replicasAfter: 2 });
    expect(executed).toEqual([2]);
    await expect(forecast.autoscale({} as never)).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
    await expect(forecast.cost(points.slice(0, 20))).rejects.toMatchObject({ code: 'SERIES_TOO_SHORT' });
  });

  it("offers every function of the subpath's forecast object, parseCsv and scoreForecast included", async () => {
    for (const name of Object.keys(direct.forecast)) expect(forecast[name as keyof typeof direct.forecast], name).toBeTypeOf('function');
    expect(Object.keys(forecast).sort()).toEqual([...Object.keys(direct.forecast), 'load'].sort());
    expect(await forecast.parseCsv('a,b\n1,"2,3"\n')).toEqual(direct.parseCsv('a,b\n1,"2,3"\n'));
    const input = { train: [1, 2, 3, 4], actual: [5, 6], forecast: [5, 7], seasonalLag: 1 };
    expect(await forecast.scoreForecast(input)).toEqual(direct.scoreForecast(input));
  });

  it('rejects with the same typed errors', async () => {
    await expect(forecast.traffic({ ...series, values: values.subarray(0, 10) })).rejects.toBeInstanceOf(EliteError);
    await expect(forecast.traffic(series, { levels: [0] })).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
  });
});
