/**
 * Credentials out of text that names an endpoint: OTLP collectors are often given as
 * `https://user:key@host` or with `?api-key=…`, and a Discord webhook URL holds its token in the
 * path. Every error and log line of the telemetry module that shows a URL goes through here.
 */

// `scheme://userinfo@` — the whole userinfo, since a bare token (`https://token@host`) is a secret too.
const USERINFO = /([a-z][a-z0-9+.-]*:\/\/)[^/?#@\s"'`]*@/gi;
// `user:password@host` without a scheme (a malformed endpoint still holds its password).
const BARE_USER_PASSWORD = /[^\s/:@"'`]+:[^\s/@"'`]+@/g;
// Every query value: which parameter names carry secrets varies by vendor (`key`, `token`, `sig`, `dd-api-key`, …).
const QUERY_VALUE = /([?&][^=&#\s"'`]+)=[^&#\s"'`]*/g;
// A Discord webhook's token: `/webhooks/{id}/{token}`.
const WEBHOOK_TOKEN = /(\/webhooks\/[^/\s"'`]+\/)[^/?#\s"'`]+/gi;

/**
 * `text` with URL credentials replaced by `***`: the userinfo of any `scheme://…@` (and a bare `user:password@`), every query
 * value, and a Discord webhook token. Never throws; a text without URLs comes back unchanged.
 * @example redactSecrets('https://u:p@otel.example.com/v1/traces?key=abc') // 'https://***@otel.example.com/v1/traces?key=***'
 */
export function redactSecrets(text: string): string {
  if (typeof text !== 'string') return '';
  return text
    .replace(USERINFO, '$1***@')
    .replace(BARE_USER_PASSWORD, '***@')
    .replace(QUERY_VALUE, '$1=***')
    .replace(WEBHOOK_TOKEN, '$1***');
}
