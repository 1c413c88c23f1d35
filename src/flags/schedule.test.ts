import { describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../adapters/memory.js';
import { validateFlag } from '../definitions/validate.js';
import { createFlags } from './create-flags.js';
import type { FlagDefinition } from './types.js';

const quiet = { warn: () => {}, error: () => {} };
const T0 = Date.UTC(2026, 2, 1, 9, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();
const HOUR = 3_600_000;
const ids = Array.from({ length: 20_000 }, (_, i) => `user-${i}`);

/** Off until T0, then a progressive rollout 5 % → 25 % → 100 % a day apart. */
const launch: FlagDefinition = {
  key: 'new-checkout',
  environment: 'production',
  enabled: false,
  variants: [
    { key: 'control', weight: 50 },
    { key: 'fast', weight: 50 },
  ],
  schedule: [
    { at: iso(T0), enabled: true, rollout: 5 },
    { at: iso(T0 + 24 * HOUR), rollout: 25 },
    { at: '2026-03-03T10:00:00+01:00', rollout: 100 },
  ],
};

function clock(start: number) {
  let t = start;
  return { now: () => t, set: (ms: number) => (t = ms) };
}

/** Per id: the variant of a user in the experiment, or '' for one outside it. */
const placements = (flags: ReturnType<typeof createFlags>) =>
  ids.map((id) => {
    const e = flags.evaluateSync('new-checkout', id);
    return e.reason === 'SPLIT' || e.reason === 'STATIC' ? (e.variant as string) : '';
  });

describe('scheduled steps', () => {
  it('apply by the client clock at evaluation, with no write; users in at 5 % stay in, with their variant, as the rollout grows', async () => {
    const storage = createMemoryStorage({ flags: [launch] });
    const time = clock(T0 - 1);
    const flags = createFlags({ storage, logger: quiet, now: time.now, cacheTtlMs: 10 * 24 * HOUR, trackExposures: false });
    await flags.refresh();
    expect(flags.evaluateSync('new-checkout', 'user-1')).toMatchObject({ reason: 'DISABLED' });
    const version = (await storage.listFlags('production'))[0]?.version;

    time.set(T0);
    const at5 = placements(flags);
    time.set(T0 + 24 * HOUR - 1);
    expect(placements(flags)).toEqual(at5);
    time.set(T0 + 24 * HOUR);
    const at25 = placements(flags);
    time.set(T0 + 48 * HOUR);
    const at100 = placements(flags);

    const share = (p: string[]) => p.filter(Boolean).length / ids.length;
    expect(share(at5)).toBeCloseTo(0.05, 1);
    expect(Math.abs(share(at25) - 0.25)).toBeLessThan(0.02);
    expect(share(at100)).toBe(1);
    // Sticky: everyone in at 5 % is in at 25 % and 100 %, in the same arm.
    for (const [i, variant] of at5.entries()) {
      if (variant) expect([at25[i], at100[i]]).toEqual([variant, variant]);
    }
    for (const [i, variant] of at25.entries()) if (variant) expect(at100[i]).toBe(variant);
    // Nothing was written: the store's definition is the one seeded.
    expect((await storage.listFlags('production'))[0]?.version).toBe(version);
    await flags.close();
  });

  it('apply a step already past at once, and answer the same in every process (client) at the same time', async () => {
    const storage = createMemoryStorage({ flags: [launch] });
    const late = T0 + 30 * HOUR;
    const one = createFlags({ storage, logger: quiet, now: () => late, trackExposures: false });
    const two = createFlags({ storage, logger: quiet, now: () => late, trackExposures: false });
    expect(await one.isEnabled('new-checkout', 'user-3')).toBe(await two.isEnabled('new-checkout', 'user-3'));
    await two.refresh();
    const shares = ids.filter((id) => one.isEnabledSync('new-checkout', id)).length / ids.length;
    expect(Math.abs(shares - 0.25)).toBeLessThan(0.02);
    for (const id of ids.slice(0, 2000)) expect(two.evaluateSync('new-checkout', id)).toEqual(one.evaluateSync('new-checkout', id));
    await Promise.all([one.close(), two.close()]);
  });

  it('can switch a flag off at a date (a kill switch on a timer)', async () => {
    const promo: FlagDefinition = { key: 'promo', environment: 'production', enabled: true, schedule: [{ at: iso(T0), enabled: false }] };
    const time = clock(T0 - HOUR);
    const flags = createFlags({ storage: createMemoryStorage({ flags: [promo] }), logger: quiet, now: time.now });
    expect(await flags.isEnabled('promo', 'ann')).toBe(true);
    time.set(T0);
    expect(await flags.evaluate('promo', 'ann')).toMatchObject({ reason: 'DISABLED', value: false });
    await flags.close();
  });

  it('are validated when written, saying what to fix', () => {
    const bad = (schedule: unknown) => () => validateFlag({ ...launch, schedule });
    expect(bad([{ at: '2026-03-01T09:00:00', rollout: 5 }])).toThrow(
      'schedule[0].at must be an ISO 8601 date-time with a time zone (2026-03-01T09:00:00Z), got "2026-03-01T09:00:00"',
    );
    expect(bad([{ at: 'tomorrow', rollout: 5 }])).toThrow('schedule[0].at must be an ISO 8601 date-time');
    expect(
      bad([
        { at: iso(T0), rollout: 5 },
        { at: iso(T0), rollout: 25 },
      ]),
    ).toThrow('schedule[1].at must be later than the step before it');
    expect(bad([{ at: iso(T0) }])).toThrow('schedule[0] changes nothing; give it enabled or rollout');
    expect(bad([{ at: iso(T0), rollout: 5.001 }])).toThrow('schedule[0].rollout must be 0–100 with at most two decimals');
    expect(bad([{ at: iso(T0), enabled: 'yes' }])).toThrow('schedule[0].enabled must be true or false, got "yes"');
    expect(bad([{ at: iso(T0), weights: [] }])).toThrow('schedule[0].weights is not a known field; use one of at, enabled, rollout');
    expect(bad([])).toThrow('schedule must be a non-empty array');
    expect(bad(Array.from({ length: 33 }, (_, i) => ({ at: iso(T0 + i), rollout: 1 })))).toThrow('schedule holds 33 entries, at most 32');
  });
});
