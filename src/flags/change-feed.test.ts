import { describe, expect, it, vi } from 'vitest';
import { createMemoryStorage } from '../adapters/memory.js';
import type { StorageAdapter } from '../adapters/types.js';
import { createFlags } from './create-flags.js';
import type { FlagDefinition } from './types.js';

const quiet = { warn: () => {}, error: () => {} };
const flag = (key: string, version = 1): FlagDefinition => ({ key, environment: 'production', enabled: true, version });

/** A store whose reads take a few ms, counting them, with a change feed the test drives. */
function noisy(keys: string[]) {
  const inner = createMemoryStorage({ flags: keys.map((k) => flag(k)) });
  const reads = { getFlag: 0, listFlags: 0 };
  let listener: ((key: string) => void) | undefined;
  const pause = () => new Promise((resolve) => setTimeout(resolve, 2));
  const storage: StorageAdapter = {
    ...inner,
    getFlag: async (key, environment) => {
      reads.getFlag++;
      await pause();
      return inner.getFlag(key, environment);
    },
    listFlags: async (environment) => {
      reads.listFlags++;
      await pause();
      return inner.listFlags(environment);
    },
    subscribe: (_environment, l) => {
      listener = l;
      return () => {};
    },
  };
  return { storage, reads, notify: (key: string) => listener?.(key) };
}

describe('a flood of change notifications', () => {
  it('costs a bounded number of store reads, and evaluations never answer ERROR', async () => {
    const keys = ['a', 'b', 'c'];
    const { storage, reads, notify } = noisy(keys);
    const client = createFlags({ storage, logger: quiet });
    expect(await client.refresh()).toMatchObject({ ok: true, flags: 3 });
    const before = reads.getFlag;
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < 100_000; i++) {
      const key = keys[i % 3] as string;
      notify(key);
      expect(client.evaluateSync(key, 'u1').reason).not.toBe('ERROR');
      if (i % 10_000 === 0) pending.push(client.evaluate(key, 'u1'));
    }
    for (const details of (await Promise.all(pending)) as { reason: string }[]) expect(details.reason).not.toBe('ERROR');
    await vi.waitFor(() => expect(client.stats().errors).toBe(0));
    await new Promise((resolve) => setTimeout(resolve, 30));
    // Per key: one reload under way, plus one rerun for the notifications during it.
    expect(reads.getFlag - before).toBeLessThanOrEqual(2 * keys.length);
    expect(client.stats().errors).toBe(0);
    await client.close();
  });

  it('past the bound of keys reloading at once, does one full refresh instead of more reads', async () => {
    const keys = Array.from({ length: 1000 }, (_, i) => `k${i}`);
    const { storage, reads, notify } = noisy(keys);
    const client = createFlags({ storage, logger: quiet, cacheMax: 2000 });
    await client.refresh();
    const before = { ...reads };
    for (let round = 0; round < 20; round++) for (const key of keys) notify(key);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(reads.getFlag - before.getFlag).toBeLessThanOrEqual(200);
    expect(reads.listFlags - before.listFlags).toBeLessThanOrEqual(2);
    expect(client.evaluateSync('k999', 'u1').reason).not.toBe('ERROR');
    await client.close();
  });

  it('coalesces "*" refreshes: one under way plus one rerun', async () => {
    const { storage, reads, notify } = noisy(['a']);
    const client = createFlags({ storage, logger: quiet });
    for (let i = 0; i < 10_000; i++) notify('*');
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(reads.listFlags).toBeLessThanOrEqual(2);
    await client.close();
  });

  it('keeps serving the cached flag while its reload fails', async () => {
    const { storage, notify } = noisy(['a']);
    const client = createFlags({ storage, logger: quiet });
    await client.refresh();
    storage.getFlag = async () => {
      throw new Error('store down');
    };
    notify('a');
    expect(client.evaluateSync('a', 'u1')).toMatchObject({ value: true, reason: 'STATIC' });
    const details = await client.evaluate('a', 'u1');
    expect(details.reason).not.toBe('ERROR');
    expect(details.value).toBe(true);
    await client.close();
  });

  it('an async evaluation after a notification sees the change', async () => {
    const inner = createMemoryStorage({ flags: [flag('a', 1)] });
    const client = createFlags({ storage: inner, logger: quiet });
    expect((await client.evaluate('a', 'u1')).flagVersion).toBe(1);
    await inner.writeFlag({ ...flag('a', 1), enabled: false });
    expect(await client.evaluate('a', 'u1')).toMatchObject({ reason: 'DISABLED' });
    await client.close();
  });
});
