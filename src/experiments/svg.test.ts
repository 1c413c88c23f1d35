import { describe, expect, it } from 'vitest';
import { analyzeExperiment } from './analyze.js';
import type { MetricDefinition, VariantMetricStats } from './metric-stats.js';
import { experimentToSVG } from './svg.js';

const metrics: MetricDefinition[] = [
  { key: 'revenue <€>', kind: 'mean', source: { event: 'purchase' } },
  { key: 'errors', kind: 'binomial', source: { event: 'error' }, direction: 'decrease' },
];
const arm = (variant: string, units: number, revenue: number, squares: number, errors: number): VariantMetricStats => ({
  variant,
  units,
  metrics: {
    'revenue <€>': { kind: 'mean', units, sum: revenue, sumSquares: squares },
    errors: { kind: 'binomial', units, sum: errors, sumSquares: errors },
  },
});
const stats = [arm('control', 5000, 50000, 2.1e6, 100), arm('b & "c"', 5000, 56000, 2.3e6, 98), arm('d', 5000, 49000, 2.0e6, 160)];
const analysis = analyzeExperiment(stats, { metrics, goal: 'revenue <€>', guardrails: ['errors'] });

/**
 * Checks XML well-formedness the way an XML parser does for this subset (elements, attributes,
 * text, entities): every tag closed in order, one root, no raw `<` or `&` in text or attributes.
 */
function checkWellFormed(xml: string): string[] {
  const stack: string[] = [];
  const names: string[] = [];
  const token = /<(\/?)([A-Za-z][\w-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let roots = 0;
  let at = 0;
  for (let m = token.exec(xml); m !== null; m = token.exec(xml)) {
    at = token.lastIndex;
    const [, close, name, attributes, selfClosing, text] = m;
    const raw = text ?? attributes ?? '';
    expect(raw.replace(/&(lt|gt|amp|apos|quot);/g, '')).not.toMatch(/[<&]/);
    if (text !== undefined) continue;
    if (close) expect(stack.pop()).toBe(name);
    else {
      if (stack.length === 0) roots++;
      names.push(name as string);
      if (!selfClosing) stack.push(name as string);
    }
  }
  expect(at).toBe(xml.length);
  expect(stack).toEqual([]);
  expect(roots).toBe(1);
  return names;
}

describe('experimentToSVG', () => {
  it('is one well-formed svg document with one interval per compared variant per metric', () => {
    const svg = experimentToSVG(analysis);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    checkWellFormed(svg);
    const groups = svg.split('<g class="metric"').slice(1);
    expect(groups).toHaveLength(2);
    for (const group of groups) {
      expect(group.match(/class="interval"/g)).toHaveLength(2);
      expect(group.match(/class="zero"/g)).toHaveLength(1);
      expect(group).toContain('data-variant="b &amp; &quot;c&quot;"');
      expect(group).toContain('data-variant="d"');
      expect(group).not.toContain('data-variant="control"');
    }
    expect(svg).toContain('revenue &lt;€&gt; (goal, mean)');
    expect(svg).toContain('errors (guardrail, binomial, lower is better)');
    expect(svg).toContain(`Experiment: ${analysis.decision}`);
    expect(svg).not.toMatch(/NaN|Infinity/);
  });

  it('puts 0 between the ends of the scale and every interval inside the plot', () => {
    const svg = experimentToSVG(analysis, { width: 500 });
    for (const m of svg.matchAll(/class="interval"[^>]*x1="([\d.]+)" x2="([\d.]+)"/g)) {
      const [x1, x2] = [Number(m[1]), Number(m[2])];
      expect(x1).toBeGreaterThanOrEqual(130);
      expect(x2).toBeLessThanOrEqual(440);
      expect(x1).toBeLessThan(x2);
    }
    // The guardrail's one-sided interval runs to the right edge of the plot (its upper end is +∞).
    const errors = svg.split('<g class="metric"')[2] as string;
    expect(errors.match(/x2="440.0"/g)?.length).toBeGreaterThanOrEqual(2);
  });

  it('draws a note, no interval and no NaN for a variant without data; escapes the title', () => {
    const thin = analyzeExperiment([arm('control', 100, 1000, 2e4, 3), arm('b', 0, 0, 0, 0)], { metrics, goal: 'revenue <€>' });
    const svg = experimentToSVG(thin, { title: '<script>&' });
    checkWellFormed(svg);
    expect(svg).not.toContain('class="interval"');
    expect(svg.match(/class="no-data"/g)).toHaveLength(1);
    expect(svg).toContain('not enough data (NO_UNITS)');
    expect(svg).toContain('&lt;script&gt;&amp;');
    expect(svg).not.toMatch(/NaN|Infinity/);
  });
});
