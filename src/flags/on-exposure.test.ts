import { describe, expect, it, vi } from 'vitest';
import { createMemoryStorage } from '../adapters/memory.js';
import { EliteError } from '../internal/errors.js';
import { createFlags } from './create-flags.js';
import type { Exposure, FlagDefinition } from './types.js';

const experiment: FlagDefinition = {
  key: 'pricing-test',
  environment: 'production',
  enabled: true,
  variants: [
    { key: 'control', weight: 50 },
    { key: 'variant-a', weight: 50 },
  ],
  segments: { staff: { staff: true } },
  rules: [{ segment: 'staff', variant: 'variant-a' }],
};
const toggle: FlagDefinition = { key: 'dark-mode', environment: 'production', enabled: true, rollout: 50 };
const NOW = Date.UTC(2026, 0, 5, 12);

/** Lets the callbacks queued by evaluations run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

function clientWith(onExposure: (exposure: Exposure) => unknown, extra: Parameters<typeof createFlags>[0] = {}) {
  const storage = createMemoryStorage({ flags: [experiment, toggle] });
  const warn = vi.fn();
  const client = createFlags({ storage, onExposure, now: () => NOW, logger: { warn, error: vi.fn() }, ...extra });
  return { client, storage, warn };
}

describe('onExposure', () => {
  it('fires once per recorded exposure, deduplicated like the stored ones, with what analytics needs', async () => {
    const seen: Exposure[] = [];
    const { client, storage } = clientWith((e) => {
      seen.push(e);
    });
    await client.refresh();
    const variant = client.getVariantSync('pricing-test', 'u1');
    // Not called inside the evaluation: it has returned before the callback runs.
    expect(seen).toEqual([]);
    expect(await client.getVariant('pricing-test', 'u1')).toBe(variant);
    await client.evaluate('pricing-test', 'u1');
    await settle();
    const [first] = seen;
    expect(first).toEqual({
      type: 'exposure',
      id: expect.any(String),
      flagKey: 'pricing-test',
      variant,
      userId: 'u1',
      reason: 'SPLIT',
      environment: 'production',
      occurredAt: NOW,
    });
    await client.getVariant('pricing-test', { targetingKey: 'u2', staff: true });
    await client.isEnabled('dark-mode', 'u3'); // a toggle is not an experiment: no exposure
    await client.getVariant('missing', 'u4'); // FLAG_NOT_FOUND: no exposure
    await settle();
    expect(seen).toHaveLength(2);
    expect(seen[1]).toMatchObject({ userId: 'u2', variant: 'variant-a', reason: 'TARGETING_MATCH' });
    // The same exposures as the store receives.
    await client.flush();
    const stored = (storage as unknown as { events: { type: string; id: string; userId: string; variant?: string }[] }).events.filter(
      (e) => e.type === 'exposure',
    );
    expect(stored.map((e) => [e.id, e.userId, e.variant])).toEqual(seen.map((e) => [e.id, e.userId, e.variant]));
    expect(client.stats()).toMatchObject({ exposures: 2, onExposureErrors: 0 });
    await client.close();
  });

  it('with trackExposures: false, fires for explicit expose() calls only', async () => {
    const seen: Exposure[] = [];
    const { client } = clientWith((e) => void seen.push(e), { trackExposures: false });
    await client.refresh();
    await client.getVariant('pricing-test', 'u1');
    await settle();
    expect(seen).toEqual([]);
    const variant = await client.expose('pricing-test', 'u1');
    await client.expose('pricing-test', 'u1');
    await settle();
    expect(seen).toEqual([expect.objectContaining({ flagKey: 'pricing-test', userId: 'u1', variant })]);
    await client.close();
  });

  it('a callback that throws or rejects never breaks evaluation: counted, logged once', async () => {
    let calls = 0;
    const { client, warn } = clientWith(() => {
      calls++;
      if (calls % 2 === 1) throw new Error('analytics down');
      return Promise.reject(new Error('analytics rejected'));
    });
    await client.refresh();
    for (let i = 0; i < 6; i++) {
      expect(['control', 'variant-a']).toContain(client.getVariantSync('pricing-test', `user-${i}`));
    }
    await settle();
    expect(calls).toBe(6);
    expect(client.stats()).toMatchObject({ exposures: 6, onExposureErrors: 6 });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]?.[0]).toMatch(
      /^elite\/flags: onExposure failed: analytics (down|rejected) \(counted in stats\(\)\.onExposureErrors\)$/,
    );
    await client.close();
  });

  it('must be a function', () => {
    expect(() => createFlags({ onExposure: 'track' as never })).toThrow(EliteError);
    expect(() => createFlags({ onExposure: 'track' as never })).toThrow('elite/flags: onExposure must be a function');
  });
});
