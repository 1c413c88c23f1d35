/**
 * The types the two halves of the event buffer share: ./events.ts (buffering, synchronous) and
 * ./event-writer.ts (delivery, loaded on first use).
 * @module
 */
import type { FlagEvent, StorageAdapter } from '../adapters/types.js';
import type { WarnOnce } from '../internal/warn-once.js';

/** What `flush()` resolves to; it never rejects. */
export interface FlushResult {
  /** True when every event accepted before the call is stored. */
  ok: boolean;
  /** Events still waiting (to be retried in the background). */
  pending: number;
  /** The last delivery error, when `ok` is false. */
  error?: Error;
}

/** Event-delivery counters, part of `stats()`. */
export interface EventStats {
  /** Events accepted into the buffer. */
  eventsAccepted: number;
  /** Events the store confirmed. */
  eventsStored: number;
  /** Events refused because the buffer was full (`maxBuffer`) or the input was invalid. */
  eventsDropped: number;
  /**
   * Events the store refused for their content (`INVALID_EVENT`): each is isolated from its
   * batch, dropped and counted here, so it cannot block the events behind it.
   */
  eventsRejected: number;
  /** Batches the store failed to write for availability reasons (each is retried). */
  eventWriteErrors: number;
  /** Events in the buffer now. */
  eventsPending: number;
}

/** Options of `EventBuffer`: the store, the batching and where delivery reports its failures. */
export interface EventBufferOptions {
  storage: StorageAdapter;
  flushIntervalMs: number;
  maxBatch: number;
  maxBuffer: number;
  /** Called with each failed write (already counted). */
  onWriteError: (error: unknown) => void;
  /**
   * The client's `onError`: each event the store refused for its content (already counted and dropped)
   * comes to it as `INVALID_EVENT` (the messages are event-writer.ts's, which loads with the first write).
   */
  onError?: ((error: Error) => void) | undefined;
  /** The client's warnings, once per kind: refused events, and events close() had to drop. */
  warnOnce?: WarnOnce;
}

/**
 * An event as buffered: `occurredAt` in ms since the epoch. The ISO string the store receives
 * is made when the batch is written, off the request path (`toISOString()` costs as much as a
 * whole evaluation).
 */
export type BufferedEvent = Omit<FlagEvent, 'occurredAt'> & { occurredAt: number };

/**
 * The state of an `EventBuffer` that its delivery code reads and writes. Internal: the
 * buffer's callers see `push`, `flush`, `close` and the counters only.
 */
export interface BufferState {
  readonly options: EventBufferOptions;
  queue: BufferedEvent[];
  writing: Promise<void> | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
  failures: number;
  closed: boolean;
  /** Largest batch to try now: below `maxBatch` while a refused batch is being split. */
  limit: number;
  lastError: Error | undefined;
  readonly stats: Omit<EventStats, 'eventsPending'>;
  /** Writes soon: at once when nothing is being written, else when the write under way ends. */
  kick(): void;
  /** Writes after `delayMs`, unless a write is already scheduled. */
  schedule(delayMs: number): void;
}
