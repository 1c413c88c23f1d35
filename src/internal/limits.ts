/**
 * What an event may hold: one table shared by the SDK's entry checks (`track()`, exposures) and
 * the stores, and restated as `CHECK` constraints in the SQL migrations (supabase/migrations/).
 * A value the SDK accepts must never be one a store refuses: a refused batch used to block every
 * event queued behind it.
 *
 * The text caps keep every indexed row far under PostgreSQL's B-tree limit (2,704 bytes): a user
 * id of 256 characters is at most 1,024 bytes in UTF-8, a key 128 bytes, an event name 800 bytes.
 * Lengths are counted in UTF-16 code units (JavaScript's `length`), which is never less than
 * PostgreSQL's `char_length` (code points), so a string the SDK accepts fits the database's check.
 */
export const EVENT_LIMITS = {
  /** Longest user id (targeting key) that is tracked, in UTF-16 code units. */
  userIdChars: 256,
  /** Longest conversion event name, in UTF-16 code units. */
  eventNameChars: 200,
  /** Longest `properties` object, as JSON text, in UTF-16 code units. */
  propertiesChars: 8_192,
  /** Largest absolute conversion value: sums over millions of events stay finite. */
  absValue: 1e12,
} as const;

/**
 * True when `text` can be stored as PostgreSQL `text`/`jsonb`: no NUL character (PostgreSQL
 * refuses U+0000 in text and in JSON strings) and no lone surrogate (not valid UTF-8).
 */
export function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text);
}

/** NUL, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one. */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
