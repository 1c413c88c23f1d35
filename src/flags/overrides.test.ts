import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryStorage } from '../adapters/memory.js';
import { createSnapshot } from '../browser/snapshot.js';
import { isEliteError } from '../internal/errors.js';
import { createFlags } from './create-flags.js';
import { createOverrideReader, signOverrides } from './overrides.js';
import { hmacKey, sign } from './overrides-crypto.js';
import type { FlagDefinition } from './types.js';

const experiment: FlagDefinition = {
  key: 'pricing-test',
  environment: 'production',
  enabled: true,
  variants: [
    { key: 'control', weight: 50 },
    { key: 'treatment', weight: 50, value: { price: 12 } },
  ],
};
const toggle: FlagDefinition = { key: 'new-checkout', environment: 'production', enabled: true, rollout: 0 };
const SECRET = 'a-test-secret-of-at-least-32-characters!';

// Made with the `flags` package 4.3.1 (`encryptOverrides`, jose 5.10.0) for
// { 'pricing-test': 'treatment', 'new-checkout': true, banner: { color: 'red' } }:
// FLAGS_SECRET is 32 bytes i * 7 + 3 in base64url; VALID expires in 2125, EXPIRED on 2020-01-01,
// OTHER_KEY is encrypted with another secret.
const FLAGS_SECRET = 'AwoRGB8mLTQ7QklQV15lbHN6gYiPlp2kq7K5wMfO1dw';
const VALID =
  'eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..SsTGVMjkaco23pas.GRr_AwlUQSePUioN7dGNZkWm5hDXXo4u_DG_BhVq4tlrn2Nahn1kpeXFJgQOFbxTmLm49pPpGWs4bzYxwhBBq_X5EclEzD_15UdPQ3_a8DQ-eifH4ZqFCqiteSe_MdDbbvDa1lkEhmSe7KRAtYDdaaDG.-AwHhe6-NNB1TR-S2LFrmA';
const EXPIRED =
  'eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..rxsrYewseCXX4n_7.2TOEpDoHfAED7hM9bppR0ZQD98IaGE4HJx6l5XzGPQusa1VeeTRtjSnr6Mvvm8IYeKzKZ7LK2ACwAz2extb3wTbnh-4ryl2ZoSApi88BbM0pJ6YoIlC4qDrT2LRwF1wFFCBkxygEJ_g_UQeYxTRmpWsY.tz6BIahD8tx8npULeQo5UQ';
const OTHER_KEY =
  'eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..ZmYbY71qLaJgBxSS.d6Mg9Sdb8hOTOtijwI0KF4-sMs4Jxxl0nj15fvlpvQ_WlGb3_RBRLAiAloQbuWjQQzTrEfBD0l7ef7BTyvjN2crexWYDoIFL-FIhT8K29-VLAdRrkIB7I21mHPYh3wIa_eFWDaBiUPsm1DxFIqhHGWIv.T1J33rCMoYwEByX6F1delw';

const request = (headers: Record<string, string>) => new Request('http://127.0.0.1/', { headers });

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('withOverrides', () => {
  it('serves the forced variant with reason OVERRIDE, records no exposure, and results() counts only placed users', async () => {
    const storage = createMemoryStorage({ flags: [experiment, toggle] });
    const client = createFlags({ storage });
    await client.refresh();
    const qa = client.withOverrides({ 'pricing-test': 'treatment', 'new-checkout': true });
    for (let i = 0; i < 20; i++) {
      expect(qa.getVariantSync('pricing-test', `qa-${i}`)).toBe('treatment');
      expect(await qa.getValue('pricing-test', `qa-${i}`, { price: 0 })).toEqual({ price: 12 });
      expect(qa.isEnabledSync('new-checkout', `qa-${i}`)).toBe(true);
      expect(await qa.expose('pricing-test', `qa-${i}`)).toBe('treatment');
    }
    expect(await qa.evaluate('pricing-test', 'qa-0')).toMatchObject({ variant: 'treatment', reason: 'OVERRIDE', flagVersion: 1 });
    expect(client.stats().exposures).toBe(0);
    // A snapshot for the browser made through the overrides asks it to record no exposure either.
    expect((await createSnapshot(qa, 'qa-0', { flags: ['pricing-test'] })).flags['pricing-test']).toEqual({
      value: { price: 12 },
      enabled: true,
      variant: 'treatment',
    });
    // The client itself is untouched, and its users are counted as before.
    const served = Array.from({ length: 10 }, (_, i) => client.getVariantSync('pricing-test', `user-${i}`));
    expect(client.isEnabledSync('new-checkout', 'user-0')).toBe(false);
    const results = await client.results('pricing-test');
    expect(results.variants.map((v) => [v.variant, v.exposures])).toEqual([
      ['control', served.filter((v) => v === 'control').length],
      ['treatment', served.filter((v) => v === 'treatment').length],
    ]);
    expect(client.stats().exposures).toBe(10);
    await client.close();
  });

  it('takes variant keys or served values (false for off), ignores one naming no variant, and returns the client for none', async () => {
    const client = createFlags({ storage: createMemoryStorage({ flags: [experiment, { ...toggle, rollout: 100 }] }) });
    await client.refresh();
    const byValue = client.withOverrides({ 'pricing-test': { price: 12 }, 'new-checkout': false });
    expect(byValue.getVariantSync('pricing-test', 'u')).toBe('treatment');
    expect(byValue.isEnabledSync('new-checkout', 'u')).toBe(false);
    expect(byValue.evaluateSync('new-checkout', 'u')).toMatchObject({ variant: 'off', value: false, reason: 'OVERRIDE' });
    const unknown = client.withOverrides({ 'pricing-test': 'no-such-variant' });
    expect(unknown.evaluateSync('pricing-test', 'u')).toMatchObject({
      variant: client.getVariantSync('pricing-test', 'u'),
      reason: 'SPLIT',
    });
    expect(client.withOverrides({})).toBe(client);
    // A flag the store does not have stays not found.
    expect(await client.withOverrides({ missing: 'x' }).evaluate('missing', 'u')).toMatchObject({
      reason: 'ERROR',
      errorCode: 'FLAG_NOT_FOUND',
    });
    await client.close();
  });
});

describe('createOverrideReader', () => {
  it('reads a signed header and cookie, the header winning, and ignores and counts unsigned or tampered values', async () => {
    const reader = createOverrideReader({ secret: SECRET });
    const cookie = await signOverrides({ 'pricing-test': 'control', 'new-checkout': true }, SECRET);
    const header = await signOverrides({ 'pricing-test': 'treatment' }, SECRET);
    expect(
      await reader.read(request({ cookie: `a=1; elite-overrides=${encodeURIComponent(cookie)}`, 'x-elite-overrides': header })),
    ).toEqual({
      'pricing-test': 'treatment',
      'new-checkout': true,
    });
    expect(reader.stats()).toEqual({ accepted: 2, rejected: 0 });

    const [payload, signature] = header.split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify({ 'pricing-test': 'control' })).toString('base64url');
    const otherSecret = await signOverrides({ 'pricing-test': 'treatment' }, 'another-secret-of-at-least-32-characters');
    for (const value of [payload, forged, `${forged}.${signature}`, `${payload}.${signature}x`, otherSecret, '', '..', 'not base64!.x']) {
      expect(await reader.read(request({ 'x-elite-overrides': value }))).toEqual({});
    }
    expect(reader.stats()).toEqual({ accepted: 2, rejected: 8 });
    // Nothing to read is not a rejection; a Headers object and a throwing source are taken too.
    expect(await reader.read(new Headers())).toEqual({});
    expect(
      await reader.read({
        headers: {
          get: () => {
            throw new Error('hostile');
          },
        },
      }),
    ).toEqual({});
    expect(reader.stats()).toEqual({ accepted: 2, rejected: 9 });
  });

  it('decrypts the Vercel Toolbar cookie made by the flags package, and rejects an expired one or another key', async () => {
    const reader = createOverrideReader({ flagsSecret: FLAGS_SECRET });
    const overrides = await reader.read(request({ cookie: `vercel-flag-overrides=${VALID}` }));
    expect(overrides).toEqual({ 'pricing-test': 'treatment', 'new-checkout': true, banner: { color: 'red' } });
    for (const value of [EXPIRED, OTHER_KEY, VALID.replace('.SsT', '.Tst'), `${VALID}x`]) {
      expect(await reader.read(request({ cookie: `vercel-flag-overrides=${value}` }))).toEqual({});
    }
    expect(reader.stats()).toEqual({ accepted: 1, rejected: 4 });
    // Before 2020, the expired one was good.
    const past = createOverrideReader({ flagsSecret: FLAGS_SECRET, clock: () => Date.UTC(2019, 0, 1) });
    expect(await past.read(request({ cookie: `vercel-flag-overrides=${EXPIRED}` }))).toMatchObject({ 'pricing-test': 'treatment' });

    // FLAGS_SECRET from the environment; the overrides drive a client.
    vi.stubEnv('FLAGS_SECRET', FLAGS_SECRET);
    const fromEnv = createOverrideReader();
    const client = createFlags({ storage: createMemoryStorage({ flags: [experiment, toggle] }) });
    const qa = client.withOverrides(await fromEnv.read(request({ cookie: `vercel-flag-overrides=${VALID}` })));
    expect(await qa.getVariant('pricing-test', 'u')).toBe('treatment');
    expect(await qa.isEnabled('new-checkout', 'u')).toBe(true);
    await client.close();
  });

  it('throws INVALID_OPTIONS when NODE_ENV is production unless allowInProduction, and for missing or weak secrets', async () => {
    vi.stubEnv('FLAGS_SECRET', '');
    vi.stubEnv('NODE_ENV', 'production');
    const thrown = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        return isEliteError(error, 'INVALID_OPTIONS') ? error.message : 'other error';
      }
      return 'no error';
    };
    expect(thrown(() => createOverrideReader({ secret: SECRET }))).toMatch(/NODE_ENV=production.*allowInProduction: true/);
    const preview = createOverrideReader({ secret: SECRET, allowInProduction: true });
    expect(await preview.read(request({ 'x-elite-overrides': await signOverrides({ a: 'b' }, SECRET) }))).toEqual({ a: 'b' });
    vi.stubEnv('NODE_ENV', 'development');
    expect(thrown(() => createOverrideReader({ secret: 'short' }))).toMatch(/at least 32 characters/);
    expect(thrown(() => createOverrideReader({ flagsSecret: 'dG9vLXNob3J0' }))).toMatch(/32 bytes in base64url/);
    expect(thrown(() => createOverrideReader({}))).toMatch(/pass secret/);
    await expect(signOverrides({}, 'short')).rejects.toThrow(/at least 32 characters/);
  });

  it('honours a signed value until it expires: a copied cookie or header stops working, one without an expiry never works', async () => {
    const signedAt = Date.UTC(2026, 11, 4, 12);
    let now = signedAt;
    const clock = () => now;
    const reader = createOverrideReader({ secret: SECRET, clock });
    const week = await signOverrides({ 'pricing-test': 'treatment' }, SECRET, { clock });
    const hour = await signOverrides({ 'pricing-test': 'control' }, SECRET, { clock, ttlSeconds: 3600 });
    expect(await reader.read(request({ 'x-elite-overrides': hour }))).toEqual({ 'pricing-test': 'control' });
    now += 3600 * 1000;
    expect(await reader.read(request({ 'x-elite-overrides': hour }))).toEqual({});
    now = signedAt + 7 * 24 * 3600 * 1000 - 1000;
    expect(await reader.read(request({ 'x-elite-overrides': week }))).toEqual({ 'pricing-test': 'treatment' });
    now += 1000;
    expect(await reader.read(request({ 'x-elite-overrides': week }))).toEqual({});
    // Signed with the right secret but carrying no expiry (or a non-numeric one): refused.
    const key = await hmacKey(SECRET);
    for (const payload of [{ 'pricing-test': 'treatment' }, { o: { 'pricing-test': 'treatment' } }, { o: {}, exp: 'never' }]) {
      expect(await reader.read(request({ 'x-elite-overrides': await sign(key, JSON.stringify(payload)) }))).toEqual({});
    }
    expect(reader.stats()).toEqual({ accepted: 2, rejected: 5 });
    for (const ttlSeconds of [0, -1, Number.NaN, 366 * 24 * 3600]) {
      await expect(signOverrides({}, SECRET, { ttlSeconds })).rejects.toThrow(/ttlSeconds must be/);
    }
  });
});
