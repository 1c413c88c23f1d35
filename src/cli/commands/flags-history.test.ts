import { describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../../adapters/memory.js';
import type { CliIo } from '../io.js';
import { createOutput } from '../output.js';
import { changedFields, parseLimit, printHistory } from './flags-history.js';

const capture = (json: boolean) => {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s), isTTY: false },
    stderr: { write: (s: string) => (stderr += s) },
    env: {},
    cwd: '.',
    readStdin: async () => '',
  };
  return { out: createOutput(io, { json, color: false }), text: () => ({ stdout, stderr }) };
};

describe('tiqology flags history', () => {
  it('prints each change, newest first, with who made it and what changed', async () => {
    let clock = Date.UTC(2026, 0, 1);
    const storage = createMemoryStorage({ now: () => (clock += 60_000) });
    await storage.writeFlag({ key: 'checkout', environment: 'production', enabled: true, rollout: 10 }, { updatedBy: 'ann' });
    await storage.writeFlag(
      { key: 'checkout', environment: 'production', enabled: true, rollout: 50, variants: [{ key: 'a', weight: 100 }] },
      { updatedBy: 'bob' },
    );
    await storage.deleteFlag('checkout', 'production', { updatedBy: 'cy' });
    const where = { key: 'checkout', environment: 'production', label: 'memory', limit: 20 };

    const text = capture(false);
    await printHistory(storage, where, text.out);
    const lines = text.text().stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Version\s+Action\s+At\s+By\s+Changes$/);
    expect(lines.slice(2)).toEqual([
      expect.stringMatching(/^\s+2\s+delete\s+2026-01-01T00:03:00\.000Z\s+cy\s+deleted$/),
      expect.stringMatching(/^\s+2\s+update\s+2026-01-01T00:02:00\.000Z\s+bob\s+rollout 10 → 50, variants$/),
      expect.stringMatching(/^\s+1\s+create\s+2026-01-01T00:01:00\.000Z\s+ann\s+created$/),
    ]);

    const json = capture(true);
    await printHistory(storage, { ...where, limit: 2 }, json.out);
    const changes = JSON.parse(json.text().stdout);
    expect(changes).toHaveLength(2);
    expect(changes[1]).toMatchObject({
      action: 'update',
      version: 2,
      updatedBy: 'bob',
      at: '2026-01-01T00:02:00.000Z',
      before: { rollout: 10 },
      after: { rollout: 50 },
      changes: ['rollout', 'variants'],
    });

    const none = capture(false);
    await printHistory(storage, { ...where, key: 'other' }, none.out);
    expect(none.text()).toEqual({ stdout: '', stderr: 'no recorded changes of "other" in environment "production" [memory]\n' });
  });

  it('names the stores that keep history when this one does not', async () => {
    const { listFlagHistory: _, ...withoutHistory } = createMemoryStorage();
    await expect(
      printHistory(withoutHistory, { key: 'k', environment: 'production', label: 'flags.json', limit: 20 }, capture(false).out),
    ).rejects.toThrow(/flags\.json keeps no history of flag changes; PostgreSQL \(--database-url\) and Supabase/);
  });

  it('compares definitions whatever the order of their keys', () => {
    const a = { key: 'k', environment: 'production', enabled: true, metadata: { a: 1, b: 2 } };
    const b = { environment: 'production', key: 'k', metadata: { b: 2, a: 1 }, enabled: true };
    expect(changedFields(a, b)).toEqual([]);
    expect(changedFields(undefined, a)).toEqual(['enabled', 'environment', 'key', 'metadata']);
    expect(changedFields(a, { ...a, enabled: false, rollout: 5 })).toEqual(['enabled', 'rollout']);
  });

  it('reads --limit as a whole number from 1 to 1000', () => {
    expect(parseLimit(undefined)).toBe(20);
    expect(parseLimit('5')).toBe(5);
    for (const bad of ['0', '1001', '2.5', 'all']) expect(() => parseLimit(bad)).toThrow(/--limit must be a whole number/);
  });
});
