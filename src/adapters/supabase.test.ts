/**
 * Unit tests of the Supabase adapter's own logic (options, error mapping, the write loop) with a
 * scripted client. The protocol itself is tested with the real supabase-js against a
 * PostgREST-protocol server on the real PostgreSQL (test/postgres/supabase.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { EliteError } from '../internal/errors.js';
import { createSupabaseStorage, type PostgrestResponseLike, type SupabaseClientLike } from './supabase.js';

type Call = { table: string; op: string; values?: unknown; filters: [string, unknown][]; select?: string; order?: string };

/** A client that records each query and answers from a script, in order. */
function scripted(answers: PostgrestResponseLike<unknown>[]) {
  const calls: Call[] = [];
  const builder = (call: Call) => {
    const b = {
      eq(column: string, value: unknown) {
        call.filters.push([column, value]);
        return b;
      },
      order(column: string) {
        call.order = column;
        return b;
      },
      select(columns?: string) {
        call.select = columns;
        return b;
      },
      // biome-ignore lint/suspicious/noThenProperty: supabase-js query builders are thenables; this fake is one too.
      then<R>(resolve: (r: PostgrestResponseLike<unknown>) => R, reject?: (e: unknown) => R) {
        calls.push(call);
        const answer = answers.shift();
        return answer ? Promise.resolve(answer).then(resolve) : Promise.reject(new Error('unscripted call')).then(resolve, reject);
      },
    };
    return b;
  };
  const client = {
    from(table: string) {
      return {
        select: (columns?: string) => builder({ table, op: 'select', filters: [], select: columns }),
        insert: (values: unknown) => builder({ table, op: 'insert', values, filters: [] }),
        update: (values: unknown) => builder({ table, op: 'update', values, filters: [] }),
        delete: () => builder({ table, op: 'delete', filters: [] }),
      };
    },
    rpc(fn: string, args?: object) {
      return builder({ table: `rpc:${fn}`, op: 'rpc', values: args, filters: [] });
    },
  };
  return { client: client as SupabaseClientLike, calls };
}

const ok = (data: unknown): PostgrestResponseLike<unknown> => ({ data, error: null });
const fail = (code: string, message = 'boom'): PostgrestResponseLike<unknown> => ({
  data: null,
  error: { code, message, details: null, hint: null },
});
const row = (version: number) => ({
  definition: { key: 'f', environment: 'production', enabled: true },
  version,
  updated_at: '2026-01-01T00:00:00+00:00',
});
const flag = { key: 'f', environment: 'production', enabled: true };

describe('createSupabaseStorage', () => {
  it('rejects a missing or wrong client and bad options at once', () => {
    expect(() => createSupabaseStorage({} as never)).toThrow(EliteError);
    expect(() => createSupabaseStorage({ client: { from: 1 } } as never)).toThrow(/client must be a supabase-js v2 client/);
    const { client } = scripted([]);
    expect(() => createSupabaseStorage({ client, maxWriteAttempts: 0 })).toThrow(/maxWriteAttempts must be a positive integer, got 0/);
    try {
      createSupabaseStorage({ client: undefined as never });
    } catch (error) {
      expect(error).toMatchObject({ code: 'INVALID_OPTIONS', name: 'EliteError', field: 'client' });
    }
  });

  it('turns PostgREST errors into STORAGE_ERROR with the error as cause', async () => {
    const { client } = scripted([
      fail('42501', 'permission denied for table feature_flags'),
      fail('PGRST000'),
      fail('42501'),
      fail('08006'),
    ]);
    const storage = createSupabaseStorage({ client });
    const read = storage.getFlag('f', 'production');
    await expect(read).rejects.toMatchObject({ code: 'STORAGE_ERROR', cause: { code: '42501' } });
    await expect(storage.listFlags('production')).rejects.toThrow(/elite\/supabase: listing flags failed: boom \(PGRST000\)/);
    await expect(
      storage.appendEvents([{ type: 'exposure', environment: 'production', userId: 'u', occurredAt: '2026-01-01T00:00:00Z' }]),
    ).rejects.toMatchObject({
      code: 'STORAGE_ERROR',
    });
    await expect(storage.queryResults({ flagKey: 'f', environment: 'production' })).rejects.toThrow(/reading results failed/);
  });

  it('maps rows: definitions with version and ISO updatedAt; results as numbers', async () => {
    const { client, calls } = scripted([
      ok([row(3)]),
      ok([]),
      ok([{ variant: 'a', exposures: 10, conversions: 2, value_sum: 5.5, conversion_events: 3 }]),
    ]);
    const storage = createSupabaseStorage({ client });
    expect(await storage.getFlag('f', 'production')).toEqual({ ...flag, version: 3, updatedAt: '2026-01-01T00:00:00.000Z' });
    expect(await storage.getFlag('g', 'production')).toBeUndefined();
    expect(await storage.queryResults({ flagKey: 'f', environment: 'production', eventName: 'buy' })).toEqual([
      { variant: 'a', exposures: 10, conversions: 2, valueSum: 5.5, conversionEvents: 3 },
    ]);
    expect(calls[0]).toMatchObject({
      table: 'feature_flags',
      filters: [
        ['key', 'f'],
        ['environment', 'production'],
      ],
    });
    expect(calls[2]).toMatchObject({
      table: 'rpc:get_ab_test_results',
      values: { p_flag_key: 'f', p_environment: 'production', p_event_name: 'buy', p_since: null, p_until: null },
    });
  });

  it('sends nothing for an empty batch and one insert, without select, for a batch', async () => {
    const { client, calls } = scripted([ok(null)]);
    const storage = createSupabaseStorage({ client });
    await storage.appendEvents([]);
    expect(calls).toHaveLength(0);
    await storage.appendEvents([
      {
        type: 'conversion',
        environment: 'production',
        userId: 'u',
        eventName: 'buy',
        value: 2,
        properties: { a: 1 },
        occurredAt: '2026-01-01T00:00:00Z',
      },
    ]);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ table: 'feature_flag_events', op: 'insert' });
    expect(calls[0]?.select).toBeUndefined();
    expect(calls[0]?.values).toEqual([
      {
        flag_key: null,
        environment: 'production',
        variant: null,
        user_id: 'u',
        event_type: 'conversion',
        event_name: 'buy',
        value: 2,
        properties: { a: 1 },
        occurred_at: '2026-01-01T00:00:00Z',
      },
    ]);
  });

  it('an unconditional write reads the version, then writes it conditionally, again after losing a race', async () => {
    const { client, calls } = scripted([
      ok([]), // no version yet
      fail('23505'), // someone inserted first
      ok([{ version: 1 }]),
      ok([]), // and updated again before us
      ok([{ version: 2 }]),
      ok([row(3)]),
    ]);
    const storage = createSupabaseStorage({ client });
    expect(await storage.writeFlag(flag, { updatedBy: 'ann' })).toMatchObject({ version: 3 });
    expect(calls.map((c) => c.op)).toEqual(['select', 'insert', 'select', 'update', 'select', 'update']);
    expect(calls[5]).toMatchObject({
      values: { version: 3, updated_by: 'ann' },
      filters: [
        ['key', 'f'],
        ['environment', 'production'],
        ['version', 2],
      ],
    });
  });

  it('gives up with VERSION_CONFLICT after maxWriteAttempts', async () => {
    const { client } = scripted([ok([{ version: 1 }]), ok([]), ok([{ version: 2 }]), ok([])]);
    const storage = createSupabaseStorage({ client, maxWriteAttempts: 2 });
    await expect(storage.writeFlag(flag)).rejects.toMatchObject({ code: 'VERSION_CONFLICT', message: expect.stringMatching(/2 attempts/) });
  });

  it('expectedVersion: conflicts name the stored version; other errors are STORAGE_ERROR', async () => {
    const { client } = scripted([fail('23505'), ok([{ version: 4 }]), ok([]), ok([{ version: 5 }]), fail('23502'), fail('XX000')]);
    const storage = createSupabaseStorage({ client });
    await expect(storage.writeFlag(flag, { expectedVersion: 0 })).rejects.toThrow(/at version 4, expected 0/);
    await expect(storage.writeFlag(flag, { expectedVersion: 2 })).rejects.toThrow(/at version 5, expected 2/);
    await expect(storage.writeFlag(flag, { expectedVersion: 0 })).rejects.toMatchObject({ code: 'STORAGE_ERROR' });
    await expect(storage.writeFlag(flag, { expectedVersion: 2 })).rejects.toMatchObject({ code: 'STORAGE_ERROR' });
  });

  it('rejects an invalid flag with INVALID_FLAG before any request', async () => {
    const { client, calls } = scripted([]);
    const storage = createSupabaseStorage({ client });
    await expect(storage.writeFlag({ ...flag, rollout: 120 })).rejects.toMatchObject({ code: 'INVALID_FLAG' });
    expect(calls).toHaveLength(0);
  });

  it('deletes with and without expectedVersion', async () => {
    const { client, calls } = scripted([ok([{ version: 2 }]), ok([]), ok([]), ok([{ version: 3 }]), ok([]), ok([]), fail('42501')]);
    const storage = createSupabaseStorage({ client });
    expect(await storage.deleteFlag('f', 'production', { expectedVersion: 2 })).toBe(true);
    expect(calls[0]).toMatchObject({
      op: 'delete',
      select: 'version',
      filters: [
        ['key', 'f'],
        ['environment', 'production'],
        ['version', 2],
      ],
    });
    expect(await storage.deleteFlag('f', 'production')).toBe(false);
    await expect(storage.deleteFlag('f', 'production', { expectedVersion: 2 })).rejects.toMatchObject({ code: 'VERSION_CONFLICT' });
    await expect(storage.deleteFlag('f', 'production', { expectedVersion: 7 })).rejects.toThrow(/at version 0, expected 7/);
    await expect(storage.deleteFlag('f', 'production')).rejects.toMatchObject({ code: 'STORAGE_ERROR' });
  });
});
