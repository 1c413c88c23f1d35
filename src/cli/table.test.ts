import { createColors } from 'picocolors';
import { describe, expect, it } from 'vitest';
import { experimentEvents, PRICING } from '../../test/cli/events.js';
import { createMemoryStorage } from '../adapters/memory.js';
import { createFlags } from '../flags/create-flags.js';
import { formatProbability, formatPValue, percent, renderResultsTable, renderTable, signedPercent } from './table.js';

describe('renderTable', () => {
  it('pads columns to the widest cell, aligns right where asked, ignores ANSI codes in widths', () => {
    const colors = createColors(true);
    const text = renderTable(
      [{ header: 'Name' }, { header: 'N', align: 'right' }],
      [
        [colors.green('a'), '1'],
        ['longer', '100'],
      ],
    );
    expect(text.replace(/\u001b\[[0-9;]*m/g, '')).toBe(['Name      N', '──────  ───', 'a         1', 'longer  100'].join('\n'));
    expect(renderTable([{ header: 'A' }], [], colors)).toBe(`${colors.bold('A')}\n─`);
  });
});

describe('formatting', () => {
  it.each([
    [percent(0.1234), '12.34%'],
    [percent(1, 0), '100%'],
    [signedPercent(0.081), '+8.1%'],
    [signedPercent(-0.02), '−2.0%'],
    [signedPercent(0), '0.0%'],
    [formatPValue(0.01234), '0.0123'],
    [formatPValue(0.00001), '<0.0001'],
    [formatProbability(0.9996), '>99.9%'],
    [formatProbability(0.0004), '<0.1%'],
    [formatProbability(0.5), '50.0%'],
  ])('%s is %s', (got, expected) => {
    expect(got).toBe(expected);
  });
});

describe('renderResultsTable', () => {
  const resultsOf = async (events: ReturnType<typeof experimentEvents>) => {
    const storage = createMemoryStorage({ flags: [PRICING] });
    await storage.appendEvents(events);
    const client = createFlags({ storage, trackExposures: false });
    try {
      return await client.results('pricing');
    } finally {
      await client.close();
    }
  };

  it('without data: every comparison is a dash, the verdict NOT_ENOUGH_DATA, the warnings follow', async () => {
    const text = renderResultsTable(await resultsOf([]));
    const lines = text.split('\n');
    expect(lines[2]).toMatch(/^control\s+0\s+0\s+0\.00% \[0\.00%, 100\.00%\]\s+—\s+—\s+—$/);
    expect(lines[3]).toMatch(/^variant-b\s+0\s+0\s+0\.00% \[0\.00%, 100\.00%\]\s+—\s+—\s+—$/);
    expect(text).toMatch(/\nVerdict: NOT_ENOUGH_DATA\n/);
    expect(text).toMatch(/\nwarning: .+$/);
  });

  it('an uplift without its interval (variant with no conversions) is shown alone; a worse variant in red', async () => {
    const results = await resultsOf(experimentEvents(200, { control: 20, 'variant-b': 0 }));
    const plain = renderResultsTable(results);
    expect(plain.split('\n')[3]).toMatch(/^variant-b\s+200\s+0\s+0\.00% \[.+\]\s+−100\.0%\s+<0\.0001\s+<0\.1%$/);
    const colored = renderResultsTable(results, { colors: createColors(true), title: 'pricing' });
    expect(colored).toContain('\u001b[31m−100.0%');
    expect(colored.startsWith('\u001b[1mpricing')).toBe(true);
  });

  it('names control explicitly when it is not called control', async () => {
    const storage = createMemoryStorage({
      flags: [
        {
          ...PRICING,
          variants: [
            { key: 'old', weight: 50 },
            { key: 'new', weight: 50 },
          ],
        },
      ],
    });
    const client = createFlags({ storage, trackExposures: false });
    const text = renderResultsTable(await client.results('pricing'));
    await client.close();
    expect(text.split('\n')[2]).toMatch(/^old \(control\)\s/);
  });
});
