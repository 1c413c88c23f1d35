/**
 * The labels and buckets of the HTTP request metrics: bounded method and route labels (so users
 * and request ids never become label values) and the duration buckets the alerts read too.
 */

/** Bucket boundaries (seconds) of the HTTP request duration histogram; 0.5 s is one, so "p95 over 500 ms" is exact. */
export const HTTP_DURATION_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const HTTP_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH']);

/** An HTTP method as a bounded label: known methods upper-cased, anything else `_OTHER` (OTel semconv). */
export function methodLabel(method: string | undefined): string {
  const upper = (method ?? 'GET').toUpperCase();
  return HTTP_METHODS.has(upper) ? upper : '_OTHER';
}

// Digits; a UUID; hex of 8+ with a digit (short commit SHAs, ObjectIds); a ULID; a token of 32+.
const ID_SEGMENT =
  /^(?:\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|(?=[a-f]*\d)[0-9a-f]{8,}|[0-9A-HJKMNP-TV-Z]{26}|[A-Za-z0-9_-]{32,})$/i;
// local@domain.tld, also percent-encoded (`%40`), as a whole segment.
const EMAIL_SEGMENT = /^[^/@\s]+(?:@|%40)[^/@\s]+\.[^/@\s]+$/i;

/**
 * A request path as a route label: the query string dropped, every segment that is an e-mail
 * address replaced by `:email`, and every one that looks like an id (digits, UUID, hex of 8+ with
 * a digit, ULID, token of 32+) by `:id`, so users and request ids never become label values. Pass
 * the framework's route template (`/api/chat/[id]`) when you have it.
 */
export function routeLabel(path: string): string {
  const queryStart = path.search(/[?#]/);
  const bare = queryStart === -1 ? path : path.slice(0, queryStart);
  if (bare === '' || bare === '/') return '/';
  return bare
    .split('/')
    .map((segment) => (EMAIL_SEGMENT.test(segment) ? ':email' : ID_SEGMENT.test(segment) ? ':id' : segment))
    .join('/');
}
