import { isDict, isJson } from '../definitions/index.js';
import { EVENT_LIMITS, isStorableText } from '../internal/limits.js';
import { targetingKeyOf } from './evaluate.js';
import type { FlagUser, JsonValue } from './types.js';

/** What `track()` input is wrong: the field to name, and the problem. */
export type EventProblem = [field: string, problem: string];

/** The checked parts of a conversion, copied out of the caller's objects. */
export interface TrackInput {
  userId: string;
  value?: number;
  properties?: { [key: string]: JsonValue };
}

/**
 * The user id to record for `user`, or what is wrong with it. The same rule holds for
 * conversions and exposures: a store must be able to keep every id the SDK sends (EVENT_LIMITS).
 */
export function storableUserId(user: FlagUser): string | EventProblem {
  const userId = targetingKeyOf(user);
  if (userId === undefined) return ['user', 'the user needs an id (a string or a context with targetingKey)'];
  return userId.length > EVENT_LIMITS.userIdChars || !isStorableText(userId)
    ? ['user', `the user id must be 1–${EVENT_LIMITS.userIdChars} characters${TEXT}`]
    : userId;
}

const TEXT = ', without NUL or lone surrogates';

/** True when every key and string in `value` (plain JSON) can be stored as PostgreSQL text. */
const storableJson = (value: unknown): boolean => {
  if (typeof value === 'string') return isStorableText(value);
  if (typeof value !== 'object' || value === null) return true;
  for (const [key, item] of Object.entries(value)) if (!isStorableText(key) || !storableJson(item)) return false;
  return true;
};

/**
 * Checks `track()` input against EVENT_LIMITS and copies what is kept. Reads each caller field
 * once (a getter cannot answer differently to the check and to the copy), and never throws: a
 * throwing getter or an uncloneable value becomes a problem naming the field.
 */
export function checkTrackInput(eventName: unknown, user: FlagUser, options: unknown): TrackInput | EventProblem {
  let field = 'eventName';
  try {
    if (
      typeof eventName !== 'string' ||
      eventName.length === 0 ||
      eventName.length > EVENT_LIMITS.eventNameChars ||
      !isStorableText(eventName)
    ) {
      return [field, `the event name must be a string of 1–${EVENT_LIMITS.eventNameChars} characters without NUL or lone surrogates`];
    }
    field = 'user';
    const userId = storableUserId(user);
    if (typeof userId !== 'string') return userId;
    field = 'options';
    if (!isDict(options)) return [field, 'options must be an object { value?, properties? }'];
    field = 'value';
    const value: unknown = options.value;
    if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= EVENT_LIMITS.absValue)) {
      return [field, `value must be a finite number within ±${EVENT_LIMITS.absValue}`];
    }
    const input: TrackInput = { userId };
    if (value !== undefined) input.value = value as number;
    field = 'properties';
    const given: unknown = options.properties;
    if (given === undefined) return input;
    const problem: EventProblem = [
      field,
      `properties must be a plain JSON object of at most ${EVENT_LIMITS.propertiesChars} characters, without NUL or lone surrogates`,
    ];
    if (!isDict(given)) return problem;
    // Copy first, then check the copy: getters run once, and what is checked is what is sent.
    const properties: unknown = structuredClone(given);
    if (!(isDict(properties) && isJson(properties) && storableJson(properties))) return problem;
    if (JSON.stringify(properties).length > EVENT_LIMITS.propertiesChars) return problem;
    input.properties = properties as TrackInput['properties'];
    return input;
  } catch {
    return [field, `reading ${field} threw`];
  }
}
