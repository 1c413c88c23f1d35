import { describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../adapters/memory.js';
import { validateFlag } from '../definitions/validate.js';
import { inclusionOf, saltState } from './bucketing.js';
import { createFlags } from './create-flags.js';
import type { FlagDefinition } from './types.js';

const quiet = { warn: () => {}, error: () => {} };
const N = 200_000;
const ids = Array.from({ length: N }, (_, i) => `u${i}-${(i * 2654435761) % 1000003}`);
const experiment = (key: string, from: number, to: number): FlagDefinition => ({
  key,
  environment: 'production',
  enabled: true,
  layer: { key: 'checkout', from, to },
  variants: [
    { key: 'control', weight: 50 },
    { key: 'treatment', weight: 50 },
  ],
});

/** Per id, the placement (`variant`) in a flag, or '' when the user is not in the experiment. */
function placements(flags: ReturnType<typeof createFlags>, key: string): string[] {
  return ids.map((id) => {
    const e = flags.evaluateSync(key, id);
    return e.reason === 'SPLIT' || e.reason === 'TARGETING_MATCH' ? (e.variant as string) : '';
  });
}

describe('layers of mutually exclusive experiments (200k ids)', () => {
  it('give each experiment a disjoint slice of its size, and adding one never moves anyone', async () => {
    const storage = createMemoryStorage({ flags: [experiment('exp-a', 0, 30), experiment('exp-b', 30, 55)] });
    const flags = createFlags({ storage, logger: quiet, trackExposures: false });
    await flags.refresh();
    const a = placements(flags, 'exp-a');
    const b = placements(flags, 'exp-b');
    const tolerance = (p: number) => 4 * Math.sqrt(N * p * (1 - p));
    const inA = a.filter(Boolean).length;
    const inB = b.filter(Boolean).length;
    expect(Math.abs(inA - 0.3 * N)).toBeLessThan(tolerance(0.3));
    expect(Math.abs(inB - 0.25 * N)).toBeLessThan(tolerance(0.25));
    // Disjoint: nobody is in both.
    expect(ids.filter((_, i) => a[i] && b[i])).toEqual([]);
    // Within a slice, the experiment's own split still holds.
    const treatedA = a.filter((v) => v === 'treatment').length;
    expect(Math.abs(treatedA - inA / 2)).toBeLessThan(4 * Math.sqrt(inA / 4));

    // A third experiment takes the free range 55–100 %: the first two keep every user, and the new
    // one takes exactly (and only) users who were in neither.
    await storage.writeFlag(experiment('exp-c', 55, 100));
    await flags.refresh();
    expect(placements(flags, 'exp-a')).toEqual(a);
    expect(placements(flags, 'exp-b')).toEqual(b);
    const c = placements(flags, 'exp-c');
    const inC = c.filter(Boolean).length;
    expect(Math.abs(inC - 0.45 * N)).toBeLessThan(tolerance(0.45));
    expect(ids.filter((_, i) => Boolean(c[i]) === Boolean(a[i] || b[i]))).toEqual([]);
    await flags.close();
  });

  it("places users by MurmurHash3 of the layer's name and the id, the same in every client", async () => {
    const storage = createMemoryStorage({ flags: [experiment('exp-a', 0, 30)] });
    const one = createFlags({ storage, logger: quiet, trackExposures: false });
    const two = createFlags({ storage, logger: quiet, trackExposures: false });
    await Promise.all([one.refresh(), two.refresh()]);
    const layer = saltState('layer:checkout');
    for (const id of ids.slice(0, 20_000)) {
      const place = inclusionOf(layer, id);
      const e = one.evaluateSync('exp-a', id);
      expect(e.reason === 'SPLIT').toBe(place < 3000);
      if (place >= 3000) expect(e).toMatchObject({ reason: 'DEFAULT', variant: 'control' });
      expect(two.evaluateSync('exp-a', id)).toEqual(e);
    }
    await Promise.all([one.close(), two.close()]);
  });

  it('record no exposure for users outside the slice, and need a targeting key', async () => {
    const storage = createMemoryStorage({ flags: [experiment('exp-a', 0, 30)] });
    const flags = createFlags({ storage, logger: quiet });
    await flags.refresh();
    for (const id of ids.slice(0, 1000)) flags.getVariantSync('exp-a', id);
    await flags.flush();
    const exposed = new Set(storage.events.map((e) => e.userId));
    const layer = saltState('layer:checkout');
    expect([...exposed].every((id) => inclusionOf(layer, id as string) < 3000)).toBe(true);
    expect(exposed.size).toBeGreaterThan(200);
    expect(flags.evaluateSync('exp-a', { plan: 'pro' })).toMatchObject({ reason: 'ERROR', errorCode: 'TARGETING_KEY_MISSING' });
    await flags.close();
  });

  it('refuses overlapping ranges in one layer and environment when written, naming the other flag', async () => {
    const storage = createMemoryStorage({ flags: [experiment('exp-a', 0, 30)] });
    await expect(storage.writeFlag(experiment('exp-b', 29.99, 50))).rejects.toMatchObject({
      code: 'INVALID_FLAG',
      field: 'layer',
      message: expect.stringContaining('overlaps flag "exp-a" (0–30 %)'),
    });
    await expect(storage.writeFlags?.([experiment('exp-b', 40, 60), experiment('exp-c', 50, 70)])).rejects.toMatchObject({
      code: 'INVALID_FLAG',
    });
    expect(await storage.getFlag('exp-b', 'production')).toBeUndefined();
    // Another layer, or another environment, or the flag's own range moved: fine.
    await storage.writeFlag({ ...experiment('exp-b', 0, 30), layer: { key: 'search', from: 0, to: 30 } });
    await storage.writeFlag({ ...experiment('exp-c', 0, 30), environment: 'staging' });
    await storage.writeFlag(experiment('exp-a', 10, 40));
  });

  it('validates the range', () => {
    expect(() => validateFlag({ ...experiment('x', 50, 50) })).toThrow('flag "x": layer is an empty range; from must be below to');
    expect(() => validateFlag({ ...experiment('x', 0, 101) })).toThrow('layer.to must be 0–100 with at most two decimals, got 101');
    expect(() => validateFlag({ ...experiment('x', 0, 10), layer: { key: 'L', from: 0, to: 10 } })).toThrow('layer.key must match');
    expect(() => validateFlag({ ...experiment('x', 0, 10), layer: { key: 'l', from: 0, to: 10, salt: 's' } })).toThrow(
      'layer.salt is not a known field',
    );
  });
});
