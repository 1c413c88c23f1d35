/**
 * Hides passwords and keys in text that may quote a connection string or URL:
 * `postgres://user:secret@host` → `postgres://user:***@host`, `?password=…`/`apikey=…` → `***`,
 * and JWT-shaped tokens (Supabase keys) → `***`.
 */
export function redactSecrets(text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:)[^@\s/]*@/gi, '$1***@')
    .replace(/([?&;\s](?:password|passwd|pwd|apikey|api_key|key|token|access_token|secret)=)[^&\s;]*/gi, '$1***')
    .replace(/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g, '***')
    .replace(/\b(sb_(?:secret|publishable)_)[A-Za-z0-9_-]+/g, '$1***');
}
