import { describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../adapters/memory.js';
import { createFlags } from './create-flags.js';
import { ExposureDedupe } from './exposure-dedupe.js';
import type { FlagDefinition } from './types.js';

const quiet = { warn: () => {}, error: () => {} };
const experiment = (key: string): FlagDefinition => ({
  key,
  environment: 'production',
  enabled: true,
  variants: [
    { key: 'control', weight: 50 },
    { key: 'treatment', weight: 50 },
  ],
});

describe('ExposureDedupe', () => {
  it('holds at most max entries in total, across flags', () => {
    const dedupe = new ExposureDedupe(1000);
    for (let f = 0; f < 40; f++) for (let u = 0; u < 500; u++) dedupe.record(`f${f}`, `u${u}`, 0);
    expect(dedupe.size).toBe(1000);
  });

  it('records once per (user, flag, variant), again when the variant changes', () => {
    const dedupe = new ExposureDedupe(10);
    expect(dedupe.record('f', 'u1', 0)).toBe(true);
    expect(dedupe.record('f', 'u1', 0)).toBe(false);
    expect(dedupe.record('f', 'u1', 1)).toBe(true);
    expect(dedupe.record('g', 'u1', 1)).toBe(true);
    expect(dedupe.size).toBe(2);
  });

  it('a new flag is not starved by the flags before it', () => {
    const dedupe = new ExposureDedupe(100);
    for (let u = 0; u < 100; u++) dedupe.record('old', `u${u}`, 0);
    for (let u = 0; u < 50; u++) dedupe.record('new', `u${u}`, 0);
    expect(dedupe.size).toBe(100);
    for (let u = 0; u < 50; u++) expect(dedupe.record('new', `u${u}`, 0)).toBe(false);
  });

  it('forgets a flag, freeing its entries', () => {
    const dedupe = new ExposureDedupe(100);
    for (let u = 0; u < 30; u++) dedupe.record('f', `u${u}`, 0);
    dedupe.forget('f');
    expect(dedupe.size).toBe(0);
    expect(dedupe.record('f', 'u1', 0)).toBe(true);
  });
});

describe('exposure dedupe in the client', () => {
  it('dedupeMax bounds the total across flags, and deleting the flags frees it', async () => {
    const keys = Array.from({ length: 40 }, (_, i) => `exp-${i}`);
    const storage = createMemoryStorage({ flags: keys.map(experiment) });
    const client = createFlags({ storage, dedupeMax: 5_000, logger: quiet });
    await client.refresh();
    for (const key of keys) for (let u = 0; u < 1_000; u++) client.getVariantSync(key, `u${u}`);
    expect(client.stats().exposures).toBe(40_000);
    expect(client.stats().dedupeSize).toBe(5_000);
    for (const key of keys.slice(0, 20)) await storage.deleteFlag(key, 'production');
    await client.refresh();
    expect(client.stats().dedupeSize).toBeLessThan(5_000);
    for (const key of keys.slice(20)) await storage.deleteFlag(key, 'production');
    await client.refresh();
    expect(client.stats().dedupeSize).toBe(0);
    await client.close();
  });

  it('frees a flag on its deletion notification', async () => {
    const storage = createMemoryStorage({ flags: [experiment('a')] });
    const client = createFlags({ storage, logger: quiet });
    await client.refresh();
    for (let u = 0; u < 100; u++) client.getVariantSync('a', `u${u}`);
    expect(client.stats().dedupeSize).toBe(100);
    await storage.deleteFlag('a', 'production');
    expect((await client.evaluate('a', 'u1')).errorCode).toBe('FLAG_NOT_FOUND');
    expect(client.stats().dedupeSize).toBe(0);
    await client.close();
  });
});
