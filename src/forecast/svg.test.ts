import { describe, expect, it } from 'vitest';
import { HOUR_MS } from './series.js';
import { toSVG } from './svg.js';
import { traffic } from './traffic.js';

const T0 = Date.UTC(2026, 0, 5);
const values = Float64Array.from({ length: 24 * 15 }, (_, i) => 100 + 40 * Math.sin((2 * Math.PI * i) / 24) + (i % 7));
const result = traffic({ startMs: T0, stepMs: HOUR_MS, values });

describe('toSVG', () => {
  it('draws history, mean, one band per level and the axes', () => {
    const svg = toSVG(result);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.endsWith('</svg>')).toBe(true);
    expect(svg.match(/class="band"/g)).toHaveLength(2);
    expect(svg).toContain('data-level="95"');
    expect(svg).toMatch(/class="history" points="([\d.]+,[\d.]+ ){167}[\d.]+,[\d.]+"/);
    expect(svg).toMatch(/class="mean" points="([\d.]+,[\d.]+ ){23}[\d.]+,[\d.]+"/);
    expect(svg).toContain(`Forecast (${result.model})`);
    expect(svg).toContain('80% / 95% intervals');
  });

  it('keeps every point inside the plot area', () => {
    const svg = toSVG(result, { width: 400, height: 200 });
    for (const m of svg.matchAll(/points="([^"]+)"/g)) {
      for (const p of m[1]!.split(' ')) {
        const [x, y] = p.split(',').map(Number);
        expect(x).toBeGreaterThanOrEqual(56 - 1e-6);
        expect(x).toBeLessThanOrEqual(400 - 16 + 1e-6);
        expect(y).toBeGreaterThanOrEqual(28 - 1e-6);
        expect(y).toBeLessThanOrEqual(200 - 28 + 1e-6);
      }
    }
  });

  it('draws markers in range, escapes text and skips markers outside', () => {
    const at = result.steps[5]!.timestamp;
    const svg = toSVG(result, {
      title: 'a < b & "c"',
      markers: [
        { timestamp: at, kind: 'SCALE_UP', label: 'SCALE_UP 0.82' },
        { timestamp: at.getTime() + 1, kind: 'SCALE_DOWN' },
        { timestamp: at, kind: 'MAINTAIN' },
        { timestamp: 0, label: 'far past' },
      ],
      historySteps: 24,
      color: '#10b981',
    });
    expect(svg).toContain('a &lt; b &amp; &quot;c&quot;');
    expect(svg.match(/class="marker"/g)).toHaveLength(3);
    expect(svg).toContain('stroke="#dc2626"');
    expect(svg).toContain('>SCALE_DOWN<');
    expect(svg).not.toContain('far past');
    expect(svg).toMatch(/class="history" points="([\d.]+,[\d.]+ ){23}[\d.]+,[\d.]+"/);
  });

  it('puts decision labels in the plot area: beside the marker on the side with room, shortened when neither has', () => {
    const last = result.steps[result.steps.length - 1]!.timestamp;
    const label = 'scale up: +3 instances, confidence 87%';
    const svg = toSVG(result, { markers: [{ timestamp: last, kind: 'SCALE_UP', label }], historySteps: 24 });
    // At the right edge: anchored at its end, left of the marker, below the header (y > 28).
    expect(svg).toMatch(
      /<text class="marker-label" x="780\.0" y="40" text-anchor="end"[^>]*>scale up: \+3 instances, confidence 87%<\/text>/,
    );
    const long = 'x'.repeat(500);
    const narrow = toSVG(result, {
      width: 300,
      markers: [{ timestamp: result.steps[0]!.timestamp, label: long }],
      title: 'a very long title '.repeat(5),
    });
    const text = /<text class="marker-label"[^>]*><title>(x+)<\/title>(x+)…<\/text>/.exec(narrow);
    expect(text?.[1]).toBe(long);
    expect(text?.[2]?.length).toBeLessThan(300 / 7.2);
    expect(narrow).toMatch(/<text class="title"[^>]*><title>(a very long title ){5}<\/title>a very l[^<]*…<\/text>/);
  });

  it('handles a flat series and an empty history', () => {
    const flat = traffic({ startMs: T0, stepMs: HOUR_MS, values: new Float64Array(24 * 3).fill(5) });
    expect(toSVG(flat)).not.toContain('NaN');
    const noHistory = toSVG({ ...flat, history: { ...flat.history, values: [] }, steps: [] });
    expect(noHistory).not.toContain('NaN');
    expect(noHistory).not.toContain('class="history"');
  });
});

describe('axis labels', () => {
  it('uses k, M and G for large values and exponents for tiny ones', () => {
    const make = (scale: number) =>
      toSVG(traffic({ startMs: T0, stepMs: HOUR_MS, values: Float64Array.from(values, (v) => v * scale) }), { historySteps: 24 });
    expect(make(1000)).toMatch(/>\d+k</);
    expect(make(1e5)).toMatch(/>[\d.]+M</);
    expect(make(1e8)).toMatch(/>[\d.]+G</);
    expect(make(1e-6)).toMatch(/>[\d.]+e-\d</);
  });
});
