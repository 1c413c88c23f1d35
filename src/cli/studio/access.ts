/**
 * Who may use the studio. On loopback (the default) the page is for this machine: requests must
 * name a loopback host (a web page elsewhere cannot reach it through DNS rebinding). Bound to any
 * other address, every request needs the access token: from `?token=` once (then a cookie), or an
 * `Authorization: Bearer` header. Every write also carries the page's form key, which a page of
 * another site cannot read, so no other site can make the browser post to the studio.
 * @packageDocumentation
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The cookie that holds the access token after the first `?token=` visit. */
export const TOKEN_COOKIE = 'tiqology_studio';

/** True for 127.0.0.0/8, ::1 and `localhost`: addresses no other machine can reach. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || h === '::ffff:127.0.0.1';
}

/** A new random secret, URL-safe. */
export const newSecret = (): string => randomBytes(24).toString('base64url');

/** Equal strings, compared in constant time (a token is never leaked through timing). */
export function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  // Hash both first: timingSafeEqual needs equal lengths, and the length must not leak either.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** One cookie's value from the request's Cookie header; undefined when absent or not valid percent-encoding. */
export function cookieOf(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined; // a malformed cookie is no token (401), not a server error
      }
    }
  }
  return undefined;
}

/** How the studio was bound, for the access checks. */
export interface AccessPolicy {
  /** Loopback binding: the Host header must be loopback; no token unless one was set. */
  loopback: boolean;
  /** The access token every request must carry; required when not on loopback. */
  token?: string;
}

/** The verdict on a request: allowed, or refused with a status and a reason to show. */
export type AccessVerdict = { ok: true; setCookie?: string; redirectTo?: string } | { ok: false; status: number; reason: string };

/**
 * Checks a request against the policy. `url` is its parsed URL. A `?token=` that matches sets
 * the cookie and redirects to the same URL without it, so the token leaves the address bar.
 */
export function checkAccess(req: IncomingMessage, url: URL, policy: AccessPolicy): AccessVerdict {
  const hostHeader = req.headers.host ?? '';
  const hostname = hostHeader.replace(/:\d+$/, '');
  if (policy.loopback && !isLoopback(hostname)) {
    return { ok: false, status: 421, reason: `this studio answers on loopback addresses only, not "${hostHeader}"` };
  }
  if (policy.token === undefined) return { ok: true };
  const fromQuery = url.searchParams.get('token') ?? undefined;
  if (fromQuery !== undefined && sameSecret(fromQuery, policy.token)) {
    url.searchParams.delete('token');
    return {
      ok: true,
      setCookie: `${TOKEN_COOKIE}=${encodeURIComponent(policy.token)}; HttpOnly; SameSite=Strict; Path=/`,
      // One leading slash: `//host` would send the browser to another site.
      redirectTo: `/${url.pathname.replace(/^[/\\]+/, '')}${url.search}`,
    };
  }
  const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
  if (sameSecret(bearer, policy.token) || sameSecret(cookieOf(req, TOKEN_COOKIE), policy.token)) return { ok: true };
  return {
    ok: false,
    status: 401,
    reason: 'this studio needs its access token: open the address with ?token=… that `tiqology studio` printed',
  };
}

/**
 * A write must come from one of the studio's own pages: the form key matches, and an `Origin`
 * header, when the browser sends one, names the host the request was sent to.
 */
export function checkWriteOrigin(req: IncomingMessage, formKey: string | undefined, expectedKey: string): string | undefined {
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== 'null') {
    let host: string;
    try {
      host = new URL(origin).host;
    } catch {
      return 'the request came from an unreadable origin';
    }
    if (host !== req.headers.host) return `the request came from another site (${origin})`;
  }
  if (!sameSecret(formKey, expectedKey)) return 'the form is stale or did not come from this studio: reload the page and try again';
  return undefined;
}
