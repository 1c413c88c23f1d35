import { isDict } from '../definitions/json.js';
import { KEY_PATTERN } from '../definitions/limits.js';
import { EVENT_LIMITS, isStorableText } from '../internal/limits.js';
import type { TrackingItem } from './wire.js';
import { TRACKING_LIMITS } from './wire.js';

/** Keys each item may have: anything else is a payload the tracker never builds. */
const EXPOSURE_KEYS = new Set(['type', 'flag', 'variant']);
const CONVERSION_KEYS = new Set(['type', 'event', 'value', 'properties']);

const only = (item: Record<string, unknown>, keys: Set<string>) => Object.keys(item).every((k) => keys.has(k));

/** One item checked for its shape (the limits of a conversion's value and properties are `track()`'s own). */
function readItem(item: unknown, i: number): TrackingItem | string {
  if (!isDict(item)) return `events[${i}] must be an object`;
  if (item.type === 'exposure') {
    if (!only(item, EXPOSURE_KEYS)) return `events[${i}]: an exposure has only type, flag and variant`;
    if (typeof item.flag !== 'string' || !KEY_PATTERN.test(item.flag)) return `events[${i}].flag must be a flag key`;
    if (typeof item.variant !== 'string' || !KEY_PATTERN.test(item.variant)) return `events[${i}].variant must be a variant key`;
    return { type: 'exposure', flag: item.flag, variant: item.variant };
  }
  if (item.type === 'conversion') {
    if (!only(item, CONVERSION_KEYS)) return `events[${i}]: a conversion has only type, event, value and properties`;
    const { event, value, properties } = item;
    if (typeof event !== 'string' || event === '' || event.length > EVENT_LIMITS.eventNameChars || !isStorableText(event)) {
      return `events[${i}].event must be an event name of 1–${EVENT_LIMITS.eventNameChars} characters`;
    }
    if (value !== undefined && typeof value !== 'number') return `events[${i}].value must be a number`;
    if (properties !== undefined && !isDict(properties)) return `events[${i}].properties must be an object`;
    return item as unknown as TrackingItem;
  }
  return `events[${i}].type must be "exposure" or "conversion"`;
}

/**
 * Reads a tracking batch (`{ v: 1, events: [...] }`, JSON text already within the size limit):
 * the items, or what is wrong with the payload. Never throws.
 */
export function readTrackingBatch(text: string): TrackingItem[] | string {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return 'the body must be JSON';
  }
  if (!isDict(body) || body.v !== 1 || !Array.isArray(body.events) || Object.keys(body).length !== 2) {
    return 'the body must be { v: 1, events: [...] }';
  }
  const { events } = body;
  if (events.length === 0 || events.length > TRACKING_LIMITS.maxEvents) return `events must hold 1–${TRACKING_LIMITS.maxEvents} items`;
  const items: TrackingItem[] = [];
  for (let i = 0; i < events.length; i++) {
    const item = readItem(events[i], i);
    if (typeof item === 'string') return item;
    items.push(item);
  }
  return items;
}

/**
 * The request's body as text, or undefined when it is longer than `maxBytes` (read no further
 * than that: a large body costs at most `maxBytes` of memory).
 */
export async function readBoundedBody(request: Request, maxBytes: number): Promise<string | undefined> {
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) return undefined;
  if (request.body === null) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}
