/**
 * `tiqology results --metric` on a flags file, with no stub: the file store passes the events to
 * the memory store's own `queryMetricStats`, and the analysis reads them.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { experimentEvents, PRICING } from '../../test/cli/events.js';
import { runCli } from '../../test/cli/in-process.js';

describe('tiqology results --metric on a flags file', () => {
  it("computes the metric from the file's events: users per variant and the conversion rate", async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'elite-cli-metrics-'));
    writeFileSync(
      join(cwd, 'flags.json'),
      JSON.stringify({ flags: [PRICING], events: experimentEvents(200, { control: 20, 'variant-b': 50 }) }),
    );
    const run = await runCli(['results', 'pricing', '--file', 'flags.json', '--metric', 'bought:binomial:purchase', '--json'], { cwd });
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as {
      analysis: { metrics: { key: string; variants: { variant: string; units: number; mean: number }[] }[] };
    };
    const bought = out.analysis.metrics.find((m) => m.key === 'bought');
    expect(bought?.variants.map((v) => [v.variant, v.units, v.mean])).toEqual([
      ['control', 200, 0.1],
      ['variant-b', 200, 0.25],
    ]);
  });
});
