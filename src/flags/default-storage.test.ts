import { describe, expect, it } from 'vitest';
import { createFlags } from './create-flags.js';
import { createDefaultStorage } from './default-storage.js';

describe('the default store of a client created without one', () => {
  it('is a memory store loaded on first use: a listener subscribed before it loads hears the first write', async () => {
    const storage = createDefaultStorage();
    expect(storage.metadata.name).toBe('memory');
    const heard: string[] = [];
    const off = storage.subscribe?.('production', (key) => heard.push(key));
    await storage.writeFlag({ key: 'dark-mode', environment: 'production', enabled: true, rollout: 100 });
    expect(heard).toEqual(['dark-mode']);
    expect((await storage.getFlag('dark-mode', 'production'))?.version).toBe(1);
    // Invalid flags are refused as by createMemoryStorage().
    await expect(storage.writeFlag({ key: 'Bad Key', environment: 'production', enabled: true })).rejects.toMatchObject({
      code: 'INVALID_FLAG',
    });
    off?.();
    await storage.writeFlag({ key: 'other', environment: 'production', enabled: true });
    expect(heard).toEqual(['dark-mode']);
    // Unsubscribed before the store loads: never attached.
    const late = createDefaultStorage();
    const never: string[] = [];
    late.subscribe?.('production', (key) => never.push(key))();
    await late.writeFlag({ key: 'dark-mode', environment: 'production', enabled: true });
    expect(never).toEqual([]);
  });

  it('serves a client: flags written through client.storage are evaluated, events and results go through it', async () => {
    const client = createFlags();
    await client.storage.writeFlag({
      key: 'pricing-test',
      environment: 'production',
      enabled: true,
      variants: [
        { key: 'control', weight: 50 },
        { key: 'treatment', weight: 50 },
      ],
    });
    const served = await Promise.all(Array.from({ length: 20 }, (_, i) => client.getVariant('pricing-test', `u${i}`)));
    expect(served.every((v) => v === 'control' || v === 'treatment')).toBe(true);
    const results = await client.results('pricing-test');
    expect(results.variants.reduce((n, v) => n + v.exposures, 0)).toBe(20);
    await client.close();
  });
});
