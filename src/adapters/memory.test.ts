import { describe, expect, it } from 'vitest';
import { createMemoryStorage } from './memory.js';
import { describeStorageAdapter } from './storage.case.js';

describeStorageAdapter('memory', async () => ({ storage: createMemoryStorage() }));

describe('createMemoryStorage', () => {
  it('seeds flags, keeping a version they carry', async () => {
    const storage = createMemoryStorage({
      flags: [
        { key: 'a', environment: 'production', enabled: true },
        { key: 'b', environment: 'production', enabled: true, version: 7 },
      ],
      now: () => Date.UTC(2026, 0, 1),
    });
    expect(await storage.getFlag('a', 'production')).toMatchObject({ version: 1, updatedAt: '2026-01-01T00:00:00.000Z' });
    expect(await storage.getFlag('b', 'production')).toMatchObject({ version: 7 });
  });

  it('two concurrent writes cannot close a prerequisite cycle between them', async () => {
    const storage = createMemoryStorage();
    const requires = (key: string, other: string) => ({
      key,
      environment: 'production',
      enabled: true,
      rollout: 50,
      prerequisites: [{ flag: other }],
    });
    const outcomes = await Promise.allSettled([storage.writeFlag(requires('a', 'b')), storage.writeFlag(requires('b', 'a'))]);
    expect(outcomes.map((o) => (o.status === 'rejected' ? (o.reason as { code?: string }).code : 'written'))).toEqual([
      'written',
      'INVALID_FLAG',
    ]);
  });

  it('rejects an invalid seed at once', () => {
    expect(() => createMemoryStorage({ flags: [{ key: 'Bad Key', environment: 'production', enabled: true }] })).toThrow(/key must match/);
  });

  it('notifies subscribers of its environment, and a throwing listener does not stop the write', async () => {
    const storage = createMemoryStorage();
    const seen: string[] = [];
    const off = storage.subscribe?.('production', (key) => seen.push(key));
    storage.subscribe?.('production', () => {
      throw new Error('listener bug');
    });
    await storage.writeFlag({ key: 'a', environment: 'production', enabled: true });
    await storage.writeFlag({ key: 'b', environment: 'staging', enabled: true });
    await storage.deleteFlag('a', 'production');
    off?.();
    await storage.writeFlag({ key: 'c', environment: 'production', enabled: true });
    expect(seen).toEqual(['a', 'a']);
    expect(storage.events).toEqual([]);
    await storage.close?.();
  });
});
