import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './in-process.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tiqology-prices-'));
writeFileSync(
  path.join(dir, 'prices.json'),
  JSON.stringify({ 'llama-3.3-70b': { input: 0.59, output: 0.79 }, 'gpt-4o': { input: 2, output: 8 } }),
);
writeFileSync(path.join(dir, 'bad.json'), JSON.stringify({ 'gpt-4o': { input: -1, output: 8 } }));

describe('tiqology prices', () => {
  it('lists the default table with each provider dated', async () => {
    const { code, stdout } = await runCli(['prices'], { cwd: dir });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^anthropic\s+claude-sonnet-4-5\s+\$3\s+\$0\.3\s+\$3\.75\s+\$15$/m);
    expect(stdout).toMatch(/^openai\s+gpt-4o\s+\$2\.5\s+\$1\.25\s+—\s+\$10$/m);
    expect(stdout).toMatch(/^gcp\.gemini\s+gemini-2\.5-flash\s/m);
    expect(stdout).toMatch(/anthropic: list prices as of \d{4}-\d{2}-\d{2}, https:/);
  });

  it('--file lays an app table over the defaults; --provider filters; --json', async () => {
    const { code, stdout } = await runCli(['prices', '--file', 'prices.json', '--provider', 'app', '--json'], { cwd: dir });
    expect(code).toBe(0);
    const doc = JSON.parse(stdout);
    expect(doc.prices).toEqual([
      { model: 'gpt-4o', input: 2, output: 8 },
      { model: 'llama-3.3-70b', input: 0.59, output: 0.79 },
    ]);
    expect(doc.sources.openai.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('--model shows which entry prices a dated id, and exits 1 for an unknown one', async () => {
    const dated = await runCli(['prices', '--model', 'claude-3-5-sonnet-20241022'], { cwd: dir });
    expect(dated.code).toBe(0);
    expect(dated.stdout).toContain('priced as "claude-3-5-sonnet" (anthropic)');
    const unknown = await runCli(['prices', '--model', 'gpt-4o-audio-preview', '--json'], { cwd: dir });
    expect(unknown.code).toBe(1);
    expect(JSON.parse(unknown.stdout)).toEqual({ model: 'gpt-4o-audio-preview', entry: null, price: null });
  });

  it('an invalid price file exits 1 with one line naming the file and the entry', async () => {
    const { code, stderr } = await runCli(['prices', '--file', 'bad.json'], { cwd: dir });
    expect(code).toBe(1);
    expect(stderr).toMatch(/price file .*bad\.json: prices\["gpt-4o"\]\.input must be a finite number/);
  });
});
