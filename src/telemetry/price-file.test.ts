import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTelemetry } from './index.js';
import { loadPriceFile } from './price-file.js';

const dir = mkdtempSync(path.join(tmpdir(), 'elite-prices-'));

describe('loadPriceFile', () => {
  it('reads a JSON table that createTelemetry lays over the defaults', async () => {
    const file = path.join(dir, 'prices.json');
    writeFileSync(file, JSON.stringify({ 'llama-3.3-70b': { input: 0.59, output: 0.79 } }));
    const t = createTelemetry({ prices: await loadPriceFile(file) });
    t.recordCompletion({
      provider: 'groq',
      model: 'llama-3.3-70b',
      inputTokens: 1_000_000,
      outputTokens: 1_000_000,
      durationMs: 1,
      status: 'ok',
    });
    expect(await t.metrics()).toContain('llm_cost_usd_total{provider="groq",model="llama-3.3-70b"} 1.38');
  });

  it('rejects a missing file, bad JSON or a bad entry with INVALID_OPTIONS naming the file', async () => {
    await expect(loadPriceFile(path.join(dir, 'none.json'))).rejects.toMatchObject({ code: 'INVALID_OPTIONS', message: /none\.json/ });
    writeFileSync(path.join(dir, 'bad.json'), '{ nope');
    await expect(loadPriceFile(path.join(dir, 'bad.json'))).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
    writeFileSync(path.join(dir, 'neg.json'), JSON.stringify({ m: { input: 1, output: 1, cacheWrite: -2 } }));
    await expect(loadPriceFile(path.join(dir, 'neg.json'))).rejects.toThrow(/prices\["m"\]\.cacheWrite/);
  });
});
