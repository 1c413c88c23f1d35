import { ErrorCode, OpenFeature, StandardResolutionReasons } from '@openfeature/server-sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../adapters/memory.js';
import { inclusionOf, saltState } from './bucketing.js';
import { createFlags } from './create-flags.js';
import { createOpenFeatureProvider } from './openfeature.js';
import type { FlagDefinition } from './types.js';

// Prerequisites, layers and schedules answered through the OpenFeature SDK.
const environment = 'production';
const quiet = { warn: () => {}, error: () => {} };
const T0 = Date.UTC(2026, 2, 1, 9);
const parent: FlagDefinition = { key: 'new-checkout', environment, enabled: true, rollout: 50 };
const pricing: FlagDefinition = {
  key: 'pricing-test',
  environment,
  enabled: true,
  prerequisites: [{ flag: 'new-checkout' }],
  layer: { key: 'checkout', from: 0, to: 60 },
  variants: [
    { key: 'control', weight: 50, value: 20 },
    { key: 'treatment', weight: 50, value: 25 },
  ],
};
const orphan: FlagDefinition = { key: 'orphan', environment, enabled: true, prerequisites: [{ flag: 'gone' }] };
const timed: FlagDefinition = { key: 'launch', environment, enabled: false, schedule: [{ at: new Date(T0).toISOString(), enabled: true }] };
const ids = Array.from({ length: 400 }, (_, i) => `user-${i}`);

let domains = 0;
async function connect(now: () => number) {
  const storage = createMemoryStorage({ flags: [parent, pricing, orphan, timed] });
  const client = createFlags({ storage, logger: quiet, now });
  const domain = `elite-plans-${++domains}`;
  await OpenFeature.setProviderAndWait(domain, createOpenFeatureProvider(client));
  return { of: OpenFeature.getClient(domain), client, storage };
}

afterAll(async () => {
  await OpenFeature.close();
});

describe('the OpenFeature provider with prerequisites, layers and schedules', () => {
  it('serves a user outside the layer as DEFAULT, then an unmet prerequisite as PREREQUISITE_FAILED with the default variant', async () => {
    const { of, client, storage } = await connect(() => T0);
    const layer = saltState('layer:checkout');
    const seen = new Set<string>();
    for (const id of ids) {
      const details = await of.getNumberDetails('pricing-test', 0, { targetingKey: id });
      const parentOn = client.isEnabledSync('new-checkout', id);
      const inLayer = inclusionOf(layer, id) < 6000;
      const expected = !inLayer ? StandardResolutionReasons.DEFAULT : parentOn ? StandardResolutionReasons.SPLIT : 'PREREQUISITE_FAILED';
      expect(details.reason).toBe(expected);
      if (expected !== StandardResolutionReasons.SPLIT) expect(details).toMatchObject({ value: 20, variant: 'control' });
      seen.add(details.reason as string);
    }
    expect(seen.size).toBe(3);
    // Exposures only for the flag asked about, never for its prerequisite.
    await client.flush();
    const exposed = new Set(storage.events.map((e) => e.flagKey));
    expect(exposed).toEqual(new Set(['pricing-test']));
    await client.close();
  });

  it("answers the caller's default with FLAG_NOT_FOUND when the prerequisite does not exist", async () => {
    const { of, client } = await connect(() => T0);
    const details = await of.getBooleanDetails('orphan', true, { targetingKey: 'ann' });
    expect(details).toMatchObject({ value: true, reason: StandardResolutionReasons.ERROR, errorCode: ErrorCode.FLAG_NOT_FOUND });
    expect(details.errorMessage).toContain('flag "orphan" requires flag "gone"');
    await client.close();
  });

  it("applies a scheduled step by the client's clock", async () => {
    let now = T0 - 1;
    const { of, client } = await connect(() => now);
    expect(await of.getBooleanDetails('launch', true, { targetingKey: 'ann' })).toMatchObject({
      value: true,
      reason: StandardResolutionReasons.DISABLED,
    });
    now = T0;
    expect(await of.getBooleanDetails('launch', false, { targetingKey: 'ann' })).toMatchObject({
      value: true,
      reason: StandardResolutionReasons.STATIC,
    });
    await client.close();
  });
});
