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
    expect(Object.keys(direct.forecast)).toEqual(expect.arrayContaining(['traffic', 'toSVG', 'toSeries', 'resample']));
  });

  it('rejects with the same typed errors', async () => {
    await expect(forecast.traffic({ ...series, values: values.subarray(0, 10) })).rejects.toBeInstanceOf(EliteError);
    await expect(forecast.traffic(series, { levels: [0] })).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
  });
});
