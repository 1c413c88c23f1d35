/**
 * The outputs README.md shows as printed are what the current code prints: the `tiqology demo`
 * block, run in-process from the sources (seeded: the same numbers every run), compared line by line
 * up to the metrics port and the elapsed time. `npm run docs:outputs` rewrites the block.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { normaliseDemo, readmeDemoBlock } from '../scripts/docs-outputs.mjs';
import { runCli } from './cli/in-process.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const cwd = mkdtempSync(join(tmpdir(), 'elite-readme-demo-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

describe('README outputs', () => {
  it('the demo block is what `tiqology demo` prints (regenerate with npm run docs:outputs)', async () => {
    const run = await runCli(['demo'], { cwd, env: { NO_COLOR: '1' } });
    expect(run.code).toBe(0);
    expect(normaliseDemo(readmeDemoBlock(readme).text)).toBe(normaliseDemo(run.stdout));
  });

  it('normalises only the port and the elapsed time', () => {
    const printed =
      'metrics: http://127.0.0.1:41234/metrics\n  http://127.0.0.1:41234/metrics answered 200 with 124 samples\nDone in 0.8 s.\n';
    expect(normaliseDemo(printed)).toBe(
      'metrics: http://127.0.0.1:PORT/metrics\n  http://127.0.0.1:PORT/metrics answered 200 with 124 samples\nDone in T s.',
    );
    // A figure that changes is a difference.
    expect(normaliseDemo(printed.replace('124 samples', '122 samples'))).not.toBe(normaliseDemo(printed));
  });

  it('finds the block after the paragraph that calls it unedited', () => {
    const block = readmeDemoBlock(readme);
    expect(readme.slice(0, block.start)).toMatch(/Its output, unedited[^\n]*\n[^\n]*\n\n```text\n$/);
    expect(block.text).toMatch(/^TiQology Elite demo/);
    expect(() => readmeDemoBlock('# no demo here')).toThrow(/no paragraph/);
  });
});
