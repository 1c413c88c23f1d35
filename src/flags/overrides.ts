/**
 * Development and QA overrides read from a request (`@tiqology/elite/flags/overrides`): a signed
 * `elite-overrides` cookie or `x-elite-overrides` header, and the Vercel Toolbar's encrypted
 * `vercel-flag-overrides` cookie. A subpath of its own, so that the flags entry (what Edge
 * middleware imports) carries none of the parsing or cryptography; the client only applies the
 * overrides it is given (`client.withOverrides(overrides)`).
 *
 * @example
 * const reader = createOverrideReader({ secret: process.env.ELITE_OVERRIDES_SECRET });
 * const flags = client.withOverrides(await reader.read(request));
 * @packageDocumentation
 */
import { EliteError } from '../internal/errors.js';
import { aesKey, decryptVercelOverrides, fromBase64url, hmacKey, sign, verify } from './overrides-crypto.js';
import type { FlagOverrides, JsonValue } from './types.js';

/** Options of {@link createOverrideReader}. */
export interface OverrideReaderOptions {
  /**
   * The key of the HMAC-SHA256 signature of the package's cookie and header (at least 32
   * characters; `openssl rand -base64 32` makes one). Without it, they are not read.
   */
  secret?: string;
  /**
   * The Vercel Toolbar's `FLAGS_SECRET` (base64url, 32 bytes) to decrypt its
   * `vercel-flag-overrides` cookie; defaults to `process.env.FLAGS_SECRET`. Without either, that
   * cookie is not read.
   */
  flagsSecret?: string;
  /** The signed cookie's name. Default `elite-overrides`. */
  cookieName?: string;
  /** The signed header's name. Default `x-elite-overrides`. */
  headerName?: string;
  /**
   * Honour overrides when `NODE_ENV` is `production` (a preview deployment, say). Without it,
   * creating a reader there throws `INVALID_OPTIONS`: overrides are a development tool.
   */
  allowInProduction?: boolean;
  /** The clock that expires signed values and Vercel cookies, in ms since the epoch. Default `Date.now`. */
  clock?: () => number;
}

/** Options of {@link signOverrides}. */
export interface SignOverridesOptions {
  /**
   * How long the signed value is honoured, in seconds: a copied cookie or header stops working
   * after it. Default 604800 (7 days); at most 31536000 (a year).
   */
  ttlSeconds?: number;
  /** The clock the expiry counts from, in ms since the epoch. Default `Date.now`. */
  clock?: () => number;
}

/** Default lifetime of a signed override value: 7 days. */
const DEFAULT_TTL_S = 7 * 24 * 60 * 60;
const MAX_TTL_S = 365 * 24 * 60 * 60;

/** What {@link OverrideReader.read} takes: a `Request` (or anything with `headers`), or the headers themselves. */
export type OverrideSource =
  | {
      /** The request's headers (`Cookie` and the signed header). */
      readonly headers: HeadersLike;
    }
  | HeadersLike;

/** Headers as `Headers`, Next.js `headers()` and Node's undici expose them. */
export interface HeadersLike {
  /** The value of a header, or null. */
  get(name: string): string | null;
}

/** Counters of an {@link OverrideReader}. */
export interface OverrideStats {
  /** Values (cookie or header) whose signature or encryption held, and whose overrides were returned. */
  accepted: number;
  /** Values ignored: unsigned, tampered, signed with another secret, expired (or without an expiry), or not an object of overrides. */
  rejected: number;
}

/** Reads the overrides of requests; see {@link createOverrideReader}. */
export interface OverrideReader {
  /**
   * The overrides a request carries, for `client.withOverrides()`: the Vercel cookie's, then the
   * signed cookie's, then the signed header's, a later one winning per flag. Never rejects: a
   * value that does not verify is ignored (counted in `stats().rejected`); none gives `{}`.
   */
  read(source: OverrideSource): Promise<FlagOverrides>;
  /** Accepted and rejected values so far. */
  stats(): OverrideStats;
}

const readEnv = (name: string): string | undefined =>
  (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];

const invalid = (field: string, message: string) => new EliteError('INVALID_OPTIONS', `elite/flags/overrides: ${message}`, { field });

/** The value of cookie `name` in a `Cookie` header, URI-decoded when it can be. */
function cookieOf(header: string | null, name: string): string | undefined {
  if (header === null) return undefined;
  for (const pair of header.split(';')) {
    const at = pair.indexOf('=');
    if (at < 0 || pair.slice(0, at).trim() !== name) continue;
    const raw = pair.slice(at + 1).trim();
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw;
    }
  }
  return undefined;
}

/** The overrides of a decoded payload: an object of flag keys to JSON values, else undefined. */
function overridesOf(payload: unknown): Record<string, JsonValue> | undefined {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return undefined;
  // Own data properties only (`__proto__` included as a plain key, never as a prototype).
  return Object.fromEntries(Object.entries(payload)) as Record<string, JsonValue>;
}

/** The overrides of a verified signed payload `{ o, exp }` whose `exp` (seconds) is still ahead, else undefined. */
function unexpired(claims: Record<string, unknown> | undefined, nowMs: number): unknown {
  if (claims === undefined || typeof claims.exp !== 'number' || !(claims.exp > nowMs / 1000)) return undefined;
  return claims.o;
}

/**
 * Creates a reader of request overrides. Throws `INVALID_OPTIONS` when `NODE_ENV` is `production`
 * without `allowInProduction`, when neither a `secret` nor a Flags secret is given, or when one is
 * malformed. Works on Node.js and the Edge runtime (Web Crypto).
 */
export function createOverrideReader(options: OverrideReaderOptions = {}): OverrideReader {
  if (readEnv('NODE_ENV') === 'production' && options.allowInProduction !== true) {
    throw invalid(
      'allowInProduction',
      'overrides are off when NODE_ENV=production; create the reader only outside production, or pass allowInProduction: true (preview deployments)',
    );
  }
  const { secret, cookieName = 'elite-overrides', headerName = 'x-elite-overrides', clock = Date.now } = options;
  const flagsSecret = options.flagsSecret ?? (readEnv('FLAGS_SECRET') || undefined);
  if (secret !== undefined && (typeof secret !== 'string' || secret.length < 32)) {
    throw invalid('secret', 'secret must be a string of at least 32 characters (openssl rand -base64 32)');
  }
  const flagsKeyBytes = flagsSecret === undefined ? undefined : fromBase64url(flagsSecret);
  if (flagsSecret !== undefined && flagsKeyBytes?.length !== 32) {
    throw invalid('flagsSecret', 'flagsSecret (FLAGS_SECRET) must be 32 bytes in base64url, as the Vercel Toolbar makes it');
  }
  if (secret === undefined && flagsKeyBytes === undefined) {
    throw invalid('secret', 'pass secret (signed cookie and header) or flagsSecret (set FLAGS_SECRET for the Vercel Toolbar)');
  }
  const signing = secret === undefined ? undefined : hmacKey(secret);
  const decrypting = flagsKeyBytes === undefined ? undefined : aesKey(flagsKeyBytes);
  const stats: OverrideStats = { accepted: 0, rejected: 0 };

  const take = (found: Record<string, JsonValue>, payload: unknown): void => {
    const overrides = overridesOf(payload);
    if (overrides === undefined) {
      stats.rejected++;
      return;
    }
    stats.accepted++;
    Object.assign(found, overrides);
  };

  return {
    async read(source) {
      const found: Record<string, JsonValue> = {};
      try {
        const headers = 'headers' in source ? source.headers : source;
        const cookies = headers.get('cookie');
        const vercel = cookieOf(cookies, 'vercel-flag-overrides');
        if (vercel !== undefined && decrypting) take(found, await decryptVercelOverrides(await decrypting, vercel, clock()));
        for (const value of [cookieOf(cookies, cookieName), headers.get(headerName) ?? undefined]) {
          if (value !== undefined && signing) take(found, unexpired(await verify(await signing, value), clock()));
        }
      } catch {
        // A hostile source (a throwing getter): no overrides.
        stats.rejected++;
      }
      return found;
    },
    stats: () => ({ ...stats }),
  };
}

/**
 * The signed value of `overrides` for the `elite-overrides` cookie or the `x-elite-overrides`
 * header: `payload.signature`, the base64url JSON `{ o: overrides, exp }` and its HMAC-SHA256 with
 * `secret`. It expires `ttlSeconds` after signing (7 days by default), so a leaked value stops
 * working. For QA tools, tests and scripts that set overrides; the reader accepts only what the
 * same secret signed, before it expires.
 */
export async function signOverrides(overrides: FlagOverrides, secret: string, options: SignOverridesOptions = {}): Promise<string> {
  if (typeof secret !== 'string' || secret.length < 32) {
    throw invalid('secret', 'secret must be a string of at least 32 characters (openssl rand -base64 32)');
  }
  const { ttlSeconds = DEFAULT_TTL_S, clock = Date.now } = options;
  if (typeof ttlSeconds !== 'number' || !Number.isFinite(ttlSeconds) || ttlSeconds <= 0 || ttlSeconds > MAX_TTL_S) {
    throw invalid('ttlSeconds', `ttlSeconds must be a number of seconds above 0 and at most ${MAX_TTL_S} (a year)`);
  }
  return sign(await hmacKey(secret), JSON.stringify({ o: overrides, exp: Math.floor(clock() / 1000 + ttlSeconds) }));
}

export type { FlagOverrides } from './types.js';
