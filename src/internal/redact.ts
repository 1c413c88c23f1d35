/**
 * Secrets out of text bound for an error message or a log line. Every place in the SDK that quotes
 * a URL, a connection string or a driver's error text passes it through one of the two functions
 * here, so what counts as a secret is decided in one file.
 *
 * Two texts, two rule sets, kept apart on purpose:
 * - an endpoint URL (an OTLP collector, a Discord webhook): the whole userinfo may be a token
 *   (`https://token@host`) and which query parameter holds a key varies by vendor, so all of the
 *   userinfo and every query value go: {@link redactUrlCredentials};
 * - a storage error (Postgres, Supabase): the role name in `postgres://app:pw@db` is what tells an
 *   operator which credentials failed, so only the password goes, along with password-like
 *   `key=value` pairs and the JWT-shaped and `sb_` keys Supabase uses: {@link redactConnectionSecrets}.
 */

// `scheme://userinfo@`: the whole userinfo, since a bare token (`https://token@host`) is a secret too.
const URL_USERINFO = /([a-z][a-z0-9+.-]*:\/\/)[^/?#@\s"'`]*@/gi;
// `user:password@host` without a scheme (a malformed endpoint still holds its password).
const BARE_USER_PASSWORD = /[^\s/:@"'`]+:[^\s/@"'`]+@/g;
// Every query value: which parameter names carry secrets varies by vendor (`key`, `token`, `sig`, `dd-api-key`, …).
const QUERY_VALUE = /([?&][^=&#\s"'`]+)=[^&#\s"'`]*/g;
// A Discord webhook's token: `/webhooks/{id}/{token}`.
const WEBHOOK_TOKEN = /(\/webhooks\/[^/\s"'`]+\/)[^/?#\s"'`]+/gi;

// `scheme://user:password@`: the password only, the user name stays.
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:)[^@\s/]*@/gi;
// Password-like pairs in a query string or a keyword/value connection string (`host=db password=…`).
const SECRET_PAIR = /([?&;\s](?:password|passwd|pwd|apikey|api_key|key|token|access_token|secret)=)[^&\s;]*/gi;
// A JWT (Supabase anon and service-role keys are JWTs).
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g;
// Supabase's newer API keys.
const SUPABASE_KEY = /\b(sb_(?:secret|publishable)_)[A-Za-z0-9_-]+/g;

/**
 * `text` with URL credentials replaced by `***`: the userinfo of any `scheme://…@` (and a bare
 * `user:password@`), every query value, and a Discord webhook token. For endpoint URLs and the
 * errors that quote them. Never throws: a non-string gives `''`, a text without URLs comes back unchanged.
 * @example redactUrlCredentials('https://u:p@otel.example.com/v1/traces?key=abc') // 'https://***@otel.example.com/v1/traces?key=***'
 */
export function redactUrlCredentials(text: string): string {
  if (typeof text !== 'string') return '';
  return text
    .replace(URL_USERINFO, '$1***@')
    .replace(BARE_USER_PASSWORD, '***@')
    .replace(QUERY_VALUE, '$1=***')
    .replace(WEBHOOK_TOKEN, '$1***');
}

/**
 * `text` with connection secrets replaced by `***`: the password of any `scheme://user:password@`
 * (the user name is kept, to tell which role failed), the value of password-like `key=value` pairs
 * (`password`, `apikey`, `token`, …, after `?`, `&`, `;` or a space), JWT-shaped tokens and Supabase
 * `sb_secret_`/`sb_publishable_` keys. For storage errors, which may quote a connection string.
 * @example redactConnectionSecrets('connect postgres://app:pw@db/x failed') // 'connect postgres://app:***@db/x failed'
 */
export function redactConnectionSecrets(text: string): string {
  return text.replace(URL_PASSWORD, '$1***@').replace(SECRET_PAIR, '$1***').replace(JWT, '***').replace(SUPABASE_KEY, '$1***');
}
