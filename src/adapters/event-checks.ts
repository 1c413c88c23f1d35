import { EliteError } from '../internal/errors.js';
import { EVENT_LIMITS, isStorableText } from '../internal/limits.js';
import { uuidV7 } from '../internal/uuid-v7.js';
import type { FlagEvent } from './types.js';

/**
 * What every store refuses in an event, checked the same way by all of them so a batch fails
 * alike on memory, PostgreSQL and Supabase: the limits of src/internal/limits.ts, which the SQL
 * migrations restate as CHECK constraints, plus what PostgreSQL's types refuse (NUL characters,
 * lone surrogates, unparsable timestamps, an id that is not a UUID).
 */

/** Longest flag key, variant and environment, in characters (the `KEY_PATTERN` of the flag model and the SQL checks). */
const KEY_CHARS = 128;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a UUID in its canonical 8-4-4-4-12 hex form (any version). */
export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);

const text = (value: unknown, maxChars: number): boolean => typeof value === 'string' && value.length <= maxChars && isStorableText(value);
const optionalText = (value: unknown, maxChars: number): boolean => value === undefined || value === null || text(value, maxChars);

/** True when every key and string inside a JSON value can be stored in `jsonb`. */
function storableJson(value: unknown): boolean {
  if (typeof value === 'string') return isStorableText(value);
  if (value === null || typeof value !== 'object') return typeof value !== 'number' || Number.isFinite(value);
  if (Array.isArray(value)) return value.every(storableJson);
  return Object.entries(value).every(([k, v]) => isStorableText(k) && storableJson(v));
}

/** Why a store would refuse `event` (field and rule), or undefined when it can be stored. */
export function eventProblem(event: FlagEvent): string | undefined {
  if (event === null || typeof event !== 'object') return 'is not an object';
  if (event.id !== undefined && !isUuid(event.id)) return 'id must be a UUID (8-4-4-4-12 hex digits)';
  if (event.type !== 'exposure' && event.type !== 'conversion') return 'type must be "exposure" or "conversion"';
  if (!text(event.environment, KEY_CHARS)) return `environment must be text of at most ${KEY_CHARS} characters`;
  if (!optionalText(event.flagKey, KEY_CHARS)) return `flagKey must be text of at most ${KEY_CHARS} characters`;
  if (!optionalText(event.variant, KEY_CHARS)) return `variant must be text of at most ${KEY_CHARS} characters`;
  if (!text(event.userId, EVENT_LIMITS.userIdChars)) {
    return `userId must be text of at most ${EVENT_LIMITS.userIdChars} characters, without NUL or lone surrogates`;
  }
  if (!optionalText(event.eventName, EVENT_LIMITS.eventNameChars)) {
    return `eventName must be text of at most ${EVENT_LIMITS.eventNameChars} characters, without NUL or lone surrogates`;
  }
  if (event.value !== undefined && event.value !== null) {
    if (typeof event.value !== 'number' || !Number.isFinite(event.value) || Math.abs(event.value) > EVENT_LIMITS.absValue) {
      return `value must be a finite number of at most ${EVENT_LIMITS.absValue} in absolute value`;
    }
  }
  if (event.properties !== undefined && event.properties !== null) {
    const json = typeof event.properties === 'object' && !Array.isArray(event.properties) ? JSON.stringify(event.properties) : undefined;
    if (json === undefined || json.length > EVENT_LIMITS.propertiesChars || !storableJson(event.properties)) {
      return `properties must be a JSON object of at most ${EVENT_LIMITS.propertiesChars} characters, without NUL or lone surrogates`;
    }
  }
  if (typeof event.occurredAt !== 'string' || Number.isNaN(Date.parse(event.occurredAt))) return 'occurredAt must be an ISO 8601 time';
  return undefined;
}

/**
 * Throws `INVALID_EVENT` for the first event of `events` a store would refuse, naming its index,
 * so nothing of the batch is written (the event buffer bisects such a batch to set the bad one aside).
 */
export function assertStorableEvents(store: string, events: readonly FlagEvent[]): void {
  for (let i = 0; i < events.length; i++) {
    const problem = eventProblem(events[i] as FlagEvent);
    if (problem !== undefined) {
      throw new EliteError(
        'INVALID_EVENT',
        `elite/${store}: event ${i} of the batch cannot be stored: ${problem}; the batch was not written`,
        {
          field: `events[${i}]`,
        },
      );
    }
  }
}

/** The event's idempotency key, or a new one (a UUID version 7; lowercase, as PostgreSQL prints a uuid). */
export const eventIdOf = (event: FlagEvent): string => (event.id ?? uuidV7()).toLowerCase();

/**
 * True when a SQLSTATE means the store refused the batch for its content, so retrying the same
 * batch cannot succeed: class 22 (data exception), 23 (integrity or CHECK violation), 54 (program
 * limit exceeded, e.g. 54000 index row too big). Everything else (connection, timeout, privileges)
 * is about availability or setup.
 */
export const isContentRejection = (sqlstate: unknown): boolean => typeof sqlstate === 'string' && /^(22|23|54)[0-9A-Z]{3}$/.test(sqlstate);
