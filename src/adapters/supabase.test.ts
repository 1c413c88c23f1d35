/**
 * Unit tests of the Supabase adapter's own logic (options, error mapping, the write loop) with a
 * scripted client. The protocol itself is tested with the real supabase-js against a
 * PostgREST-protocol server on the real PostgreSQL (test/postgres/supabase.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { EliteError } from '../internal/errors.js';
import { createSupabaseStorage, type PostgrestResponseLike, type SupabaseClientLike } from './supabase.js';

type Call = {
  table: string;
  op: string;
  values?: unknown;
  options?: unknown;
  filters: [string, unknown][];
  select?: string;
  order?: string;
};

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
        upsert: (values: unknown, options: unknown) => builder({ table, op: 'upsert', values, options, filters: [] }),
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
      fail('PGRST000'),
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
    expect(calls[0]).toMatchObject({
      table: 'feature_flag_events',
      op: 'upsert',
      options: { onConflict: 'event_id', ignoreDuplicates: true },
    });
    expect(calls[0]?.select).toBeUndefined();
    expect(calls[0]?.values).toEqual([
      {
        event_id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
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

  it('sends the event id it is given, lowercased, and a fresh one per event without', async () => {
    const { client, calls } = scripted([ok(null)]);
    const storage = createSupabaseStorage({ client });
    const event = { type: 'exposure' as const, environment: 'production', userId: 'u', occurredAt: '2026-01-01T00:00:00Z' };
    await storage.appendEvents([{ ...event, id: 'A0B1C2D3-E4F5-4A6B-8C7D-9E0F1A2B3C4D' }, event, event]);
    const ids = (calls[0] as Call).values as { event_id: string }[];
    expect(ids[0]?.event_id).toBe('a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d');
    expect(new Set(ids.map((r) => r.event_id)).size).toBe(3);
  });

  it('a refusal for content (SQLSTATE classes 22, 23, 54) is INVALID_EVENT; availability failures are STORAGE_ERROR', async () => {
    const { client } = scripted([
      fail('23514', 'violates check constraint'),
      fail('22P02'),
      fail('54000'),
      fail('08006'),
      fail('', 'TypeError: fetch failed'),
      fail('PGRST301'),
    ]);
    const storage = createSupabaseStorage({ client });
    const batch = [{ type: 'exposure' as const, environment: 'production', userId: 'u', occurredAt: '2026-01-01T00:00:00Z' }];
    for (const code of ['23514', '22P02', '54000']) {
      await expect(storage.appendEvents(batch)).rejects.toMatchObject({ code: 'INVALID_EVENT', cause: { code } });
    }
    for (let i = 0; i < 3; i++) await expect(storage.appendEvents(batch)).rejects.toMatchObject({ code: 'STORAGE_ERROR' });
  });

  it('refuses an unstorable event before any request', async () => {
    const { client, calls } = scripted([]);
    const storage = createSupabaseStorage({ client });
    const event = { type: 'exposure' as const, environment: 'production', userId: 'u\u0000', occurredAt: '2026-01-01T00:00:00Z' };
    await expect(storage.appendEvents([event])).rejects.toMatchObject({ code: 'INVALID_EVENT', field: 'events[0]' });
    await expect(storage.appendEvents([{ ...event, userId: 'u', id: 'not-a-uuid' }])).rejects.toThrow(/id must be a UUID/);
    expect(calls).toHaveLength(0);
  });

  it('never puts a password or key from an error into its message or cause', async () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.c2lnbmF0dXJlLXNlY3JldA';
    const { client } = scripted([
      fail(
        '',
        `TypeError: Request cannot be constructed from a URL that includes credentials: https://admin:hunter2-secret@db.example.co/rest/v1/feature_flags?apikey=${jwt}`,
      ),
      {
        data: null,
        error: { code: '23514', message: 'bad', details: `Failing row contains (postgres://app:pw-9876@host/db)`, hint: `Bearer ${jwt}` },
      },
    ]);
    const storage = createSupabaseStorage({ client });
    const errors = [
      await storage.listFlags('production').catch((e: unknown) => e),
      await storage
        .appendEvents([{ type: 'exposure', environment: 'production', userId: 'u', occurredAt: '2026-01-01T00:00:00Z' }])
        .catch((e: unknown) => e),
    ];
    for (const error of errors) {
      const text = `${(error as Error).message} ${JSON.stringify((error as Error).cause)}`;
      expect(error).toBeInstanceOf(EliteError);
      for (const secret of ['hunter2-secret', 'pw-9876', jwt, 'c2lnbmF0dXJlLXNlY3JldA']) expect(text).not.toContain(secret);
    }
    expect((errors[0] as Error).message).toContain('https://admin:***@db.example.co');
  });

  it('writeFlags validates all before the first request, then names what it wrote when a later write fails', async () => {
    const { client, calls } = scripted([ok([]), ok([row(1)]), fail('42501', 'permission denied')]);
    const storage = createSupabaseStorage({ client });
    await expect(storage.writeFlags?.([flag, { ...flag, key: 'g', rollout: 120 }])).rejects.toMatchObject({ code: 'INVALID_FLAG' });
    expect(calls).toHaveLength(0);
    const failing = storage.writeFlags?.([flag, { ...flag, key: 'g' }]);
    await expect(failing).rejects.toMatchObject({ code: 'STORAGE_ERROR' });
    await expect(failing).rejects.toThrow(/wrote 1 of 2 flags \(f\) before "g" failed/);
  });

  it('a key that may only insert (ON CONFLICT refused, 42501) gets plain inserts; copies are found by halving and dropped', async () => {
    const dup = fail('23505', 'duplicate key value violates unique constraint "feature_flag_events_event_id_key"');
    const { client, calls } = scripted([
      fail('42501', 'new row violates row-level security policy'),
      dup,
      ok(null),
      dup,
      dup,
      ok(null),
      ok(null),
    ]);
    const storage = createSupabaseStorage({ client });
    const event = (n: number) => ({
      id: `00000000-0000-4000-8000-00000000000${n}`,
      type: 'exposure' as const,
      environment: 'production',
      userId: `u${n}`,
      occurredAt: '2026-01-01T00:00:00Z',
    });
    // [1, 2, 3, 4] where 3 is stored already: refused whole, [1, 2] goes, [3, 4] refused, [3] is the copy, [4] goes.
    await storage.appendEvents([event(1), event(2), event(3), event(4)]);
    expect(calls.map((c) => `${c.op}:${(c.values as { user_id: string }[]).map((r) => r.user_id).join(',')}`)).toEqual([
      'upsert:u1,u2,u3,u4',
      'insert:u1,u2,u3,u4',
      'insert:u1,u2',
      'insert:u3,u4',
      'insert:u3',
      'insert:u4',
    ]);
    // Later batches go straight to a plain insert.
    await storage.appendEvents([event(5)]);
    expect(calls.at(-1)).toMatchObject({ op: 'insert' });
  });
});
