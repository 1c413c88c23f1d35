/**
 * `tiqology results` with metric analysis, end to end in-process: the flags file store is given a
 * `queryMetricStats` that records its query and answers known statistics (the memory store's own
 * is tested with the store), or none, to check the error.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StorageAdapter } from '@tiqology/elite';
import type { VariantMetricStats } from '@tiqology/elite/experiments';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { experimentEvents, PRICING } from '../../test/cli/events.js';
import { runCli } from '../../test/cli/in-process.js';
import { EXIT } from './io.js';

const stub = vi.hoisted(() => ({ queries: [] as unknown[], withMetricStats: true }));

vi.mock('./flags-file.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('./flags-file.js')>();
  return {
    ...original,
    async openFlagsFile(path: string): Promise<StorageAdapter> {
      const { queryMetricStats: _, ...storage } = await original.openFlagsFile(path);
      // A store written before the method was required (plain JavaScript).
      if (!stub.withMetricStats) return storage as unknown as StorageAdapter;
      return {
        ...storage,
        queryMetricStats: async (query) => {
          stub.queries.push(query);
          return known;
        },
      };
    },
  };
});

const arm = (variant: string, revenue: number, squares: number, errors: number): VariantMetricStats => ({
  variant,
  units: 5000,
  metrics: {
    revenue: { kind: 'mean', units: 5000, sum: revenue, sumSquares: squares },
    errors: { kind: 'binomial', units: 5000, sum: errors, sumSquares: errors },
  },
});
const known = [arm('control', 50000, 2.1e6, 100), arm('variant-b', 56000, 2.3e6, 98)];

let cwd: string;
const cli = (args: string[]) => runCli(args, { cwd });
const ANALYSIS = ['--metric', 'revenue:mean:purchase', '--metric', 'errors:binomial:error:decrease', '--guardrail', 'errors'];

beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'elite-cli-analysis-'));
  writeFileSync(
    join(cwd, 'flags.json'),
    JSON.stringify({ flags: [PRICING], events: experimentEvents(100, { control: 10, 'variant-b': 15 }) }),
  );
  stub.queries.length = 0;
  stub.withMetricStats = true;
});

describe('tiqology results --metric', () => {
  it('asks the store for the metrics and prints the analysis after the conversion table', async () => {
    const run = await cli(['results', 'pricing', '--file', 'flags.json', ...ANALYSIS, '--sequential', '--since', '2026-01-01']);
    expect(run).toMatchObject({ code: EXIT.OK, stderr: '' });
    expect(stub.queries).toEqual([
      {
        flagKey: 'pricing',
        environment: 'production',
        since: '2026-01-01T00:00:00.000Z',
        metrics: [
          { key: 'revenue', kind: 'mean', source: { event: 'purchase' } },
          { key: 'errors', kind: 'binomial', source: { event: 'error' }, direction: 'decrease' },
        ],
      },
    ]);
    expect(run.stdout).toMatch(/^Verdict: /m);
    expect(run.stdout).toContain('Metric analysis: frequentist, sequential (tuning 5000), correction none, 95% intervals, control control');
    expect(run.stdout).toMatch(/^variant-b\s+5000\s+11\.20\s+\+12\.0% \[\+\d+\.\d%, \+\d+\.\d%\]\s+0\.\d{4}\s+BETTER$/m);
    expect(run.stdout).toMatch(/^variant-b\s+5000\s+1\.96%\s+−2\.0% \[−\d+\.\d%, \+∞\]\s+0\.\d{4}\s+NO_HARM$/m);
    expect(run.stdout.match(/^ {2}variant-b +[ [\-|o\]>]+$/gm)).toHaveLength(2);
    expect(run.stdout).toContain('Guardrails: errors ok');
    expect(run.stdout).toContain('Decision: SHIP variant-b\nShip variant-b: revenue +12.0% against control, with no guardrail harmed.');
  });

  it('--json carries the whole analysis; --svg writes the chart', async () => {
    const run = await cli([
      'results',
      'pricing',
      '--file',
      'flags.json',
      ...ANALYSIS,
      '--engine',
      'bayesian',
      '--json',
      '--svg',
      'chart.svg',
    ]);
    expect(run).toMatchObject({ code: EXIT.OK, stderr: '' });
    const data = JSON.parse(run.stdout);
    expect(data).toMatchObject({
      flagKey: 'pricing',
      svg: 'chart.svg',
      analysis: { engine: 'bayesian', decision: 'SHIP', winner: 'variant-b' },
    });
    expect(data.analysis.metrics.map((m: { key: string; role: string }) => `${m.key}:${m.role}`)).toEqual([
      'revenue:goal',
      'errors:guardrail',
    ]);
    expect(data.analysis.metrics[0].variants[1].comparison.relative.chanceToWin).toBeGreaterThan(0.99);
    const svg = readFileSync(join(cwd, 'chart.svg'), 'utf8');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/class="interval"/g)).toHaveLength(2);
    expect(svg).toContain('pricing (production)');
  });

  it('fails clearly when the store cannot compute metric statistics', async () => {
    stub.withMetricStats = false;
    const run = await cli(['results', 'pricing', '--file', 'flags.json', ...ANALYSIS]);
    expect(run.code).toBe(EXIT.FAILURE);
    expect(run.stderr).toMatch(
      /^tiqology: flags\.json cannot compute metric statistics \(its store has no queryMetricStats\): use --database-url or --supabase-url/,
    );
    expect(run.stdout).toBe('');
  });

  it.each([
    [
      ['--metric', 'revenue:mena:purchase'],
      /KIND must be binomial or mean, got "mena"; did you mean mean\?; write --metric KEY:KIND:EVENT/,
    ],
    [['--metric', 'revenue:mean'], /the event name is missing; write --metric KEY:KIND:EVENT/],
    [['--metric', 'revenue:mean:purchase:decrese'], /unknown option "decrese"; did you mean decrease\?/],
    [['--ratio', 'aov:purchase'], /write the events as NUMERATOR\/DENOMINATOR; --ratio KEY:NUMERATOR\/DENOMINATOR/],
    [['--metric', 'revenue:mean:purchase', '--goal', 'revenu'], /--goal revenu: no such metric; did you mean revenue\?/],
    [
      ['--metric', 'revenue:mean:purchase', '--engine', 'bayesain'],
      /--engine must be frequentist or bayesian, got "bayesain"; did you mean bayesian\?/,
    ],
    [
      ['--metric', 'revenue:mean:purchase', '--correction', 'holmes'],
      /--correction must be holm or bh or none, got "holmes"; did you mean holm\?/,
    ],
    [['--metric', 'revenue:mean:purchase', '--engine', 'bayesian', '--sequential'], /--sequential applies to --engine frequentist only/],
    [['--guardrail', 'errors'], /--guardrail needs metrics: add --metric KEY:KIND:EVENT/],
    [['--svg', 'x.svg'], /--svg draws the metric analysis: add --metric or --ratio/],
    [['--metric', 'a:mean:x', '--metric', 'a:binomial:y'], /metric "a" is defined twice/],
  ])('usage error for %j', async (args, message) => {
    const run = await cli(['results', 'pricing', '--file', 'flags.json', ...args]);
    expect(run.code).toBe(EXIT.USAGE);
    expect(run.stderr).toMatch(message);
    expect(stub.queries).toEqual([]);
  });
});
