import { describe, expect, it, vi } from 'vitest';
import { createMemoryStorage } from '../adapters/memory.js';
import { EliteError } from '../internal/errors.js';
import { EVENT_LIMITS } from '../internal/limits.js';
import { createFlags } from './create-flags.js';
import type { FlagDefinition, TrackOptions } from './types.js';

const experiment: FlagDefinition = {
  key: 'pricing-test',
  environment: 'production',
  enabled: true,
  variants: [
    { key: 'control', weight: 50 },
    { key: 'variant-a', weight: 50 },
  ],
};
const quiet = { warn: () => {}, error: () => {} };
const throwing = (): Record<string, never> =>
  Object.defineProperty({}, 'value', {
    enumerable: true,
    get() {
      throw new Error('getter');
    },
  });

/** Input PostgreSQL would refuse (or that breaks an index), with the field it must name. */
const unstorable: [string, string, unknown, TrackOptions | undefined][] = [
  ['NUL in the event name', 'eventName', 'u1', undefined],
  ['NUL in the user id', 'user', 'u\u00001', undefined],
  ['a lone surrogate in the user id', 'user', 'u\ud800', undefined],
  ['a 2,360-character user id', 'user', 'u'.repeat(2_360), undefined],
  ['NUL in a property value', 'properties', 'u1', { properties: { note: 'a\u0000b' } }],
  ['a lone surrogate in a property value', 'properties', 'u1', { properties: { note: 'a\udc00' } }],
  ['NUL in a property key', 'properties', 'u1', { properties: { 'a\u0000': 1 } }],
  ['a lone surrogate in a nested value', 'properties', 'u1', { properties: { list: [{ x: '\ud83d' }] } }],
  ['a value beyond the limit', 'value', 'u1', { value: 1e13 }],
  ['an infinite value', 'value', 'u1', { value: Number.NEGATIVE_INFINITY }],
  ['a throwing getter on the options', 'value', 'u1', throwing() as TrackOptions],
  ['a throwing getter in the properties', 'properties', 'u1', { properties: throwing() }],
];

describe('track() input that no store could keep', () => {
  it.each(unstorable)('strict: %s throws INVALID_EVENT naming the field', (what, field, user, options) => {
    const client = createFlags({ strict: true, logger: quiet });
    const name = what === 'NUL in the event name' ? 'pur\u0000chase' : 'purchase';
    let error: unknown;
    try {
      client.track(name, user as string, options);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EliteError);
    expect(error).toMatchObject({ name: 'EliteError', code: 'INVALID_EVENT', field });
  });

  it.each(unstorable)('not strict: %s is dropped, counted and warned about once', async (what, field, user, options) => {
    const warn = vi.fn();
    const storage = createMemoryStorage();
    const client = createFlags({ storage, strict: false, logger: { warn, error: () => {} } });
    const name = what === 'NUL in the event name' ? 'pur\u0000chase' : 'purchase';
    for (let i = 0; i < 3; i++) expect(() => client.track(name, user as string, options)).not.toThrow();
    await client.flush();
    expect(storage.events).toHaveLength(0);
    expect(client.stats().eventsDropped).toBe(3);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]?.[0]).toContain('dropped');
    expect(field).toBeTypeOf('string');
  });

  it('keeps what is checked: a getter that changes its answer cannot slip past the check', async () => {
    const storage = createMemoryStorage();
    const client = createFlags({ storage, strict: true, logger: quiet });
    let reads = 0;
    const properties = Object.defineProperty({}, 'note', { enumerable: true, get: () => (reads++ === 0 ? 'ok' : 'a\u0000b') });
    client.track('purchase', 'u1', { properties });
    await client.flush();
    expect(storage.events[0]?.properties).toEqual({ note: 'ok' });
  });

  it('accepts the limits themselves', async () => {
    const storage = createMemoryStorage();
    const client = createFlags({ storage, strict: true, logger: quiet });
    client.track('e'.repeat(EVENT_LIMITS.eventNameChars), 'u'.repeat(EVENT_LIMITS.userIdChars), {
      value: -EVENT_LIMITS.absValue,
      properties: { emoji: '😀', text: 'x'.repeat(EVENT_LIMITS.propertiesChars - 30) },
    });
    await client.flush();
    expect(storage.events).toHaveLength(1);
  });
});

describe('exposures of a user whose id cannot be stored', () => {
  it.each([
    ['too long', 'u'.repeat(EVENT_LIMITS.userIdChars + 1)],
    ['with NUL', 'u\u00001'],
    ['with a lone surrogate', '\udc00u'],
  ])('%s: the evaluation answers, the exposure is not recorded but counted, one warning', async (_what, userId) => {
    const warn = vi.fn();
    const storage = createMemoryStorage({ flags: [experiment] });
    const client = createFlags({ storage, logger: { warn, error: () => {} } });
    await client.refresh();
    for (let i = 0; i < 3; i++) {
      expect(['control', 'variant-a']).toContain(client.getVariantSync('pricing-test', userId));
      expect((await client.evaluate('pricing-test', userId)).reason).toBe('SPLIT');
    }
    await client.flush();
    expect(storage.events).toHaveLength(0);
    expect(client.stats().exposures).toBe(0);
    expect(client.stats().eventsDropped).toBeGreaterThanOrEqual(1);
    expect(warn).toHaveBeenCalledTimes(1);
    await client.close();
  });
});
