import { uuidV7 } from '../internal/uuid-v7.js';
import type { BufferedEvent, BufferState, EventBufferOptions, EventStats, FlushResult } from './event-state.js';

export type { BufferedEvent, EventBufferOptions, EventStats, FlushResult } from './event-state.js';

/** A fresh idempotency key: a UUID version 7, in time order (a store's unique index grows at its end). */
const newId = (): string => uuidV7();

/** The delivery code (./event-writer.ts), loaded on first use: evaluation never needs it. */
let writer: Promise<typeof import('./event-writer.js')> | undefined;
const loadWriter = () => {
  writer ??= import('./event-writer.js');
  return writer;
};

/**
 * The bounded event buffer behind exposure and conversion tracking. Events are written in
 * batches of `maxBatch`, one batch at a time, oldest first; a failed batch stays at the head
 * and is retried with exponential backoff (from `flushIntervalMs` up to 5 s, or at once after
 * {@link EventBuffer.retryNow}), so nothing is lost while the store recovers. Each event gets an
 * idempotency key (`id`) when buffered and keeps it on every retry, so a store that ignores
 * duplicate ids does not count twice a write that timed out but committed. A batch the store
 * refuses for its content (`INVALID_EVENT`) is split in halves until the bad events are alone;
 * those are dropped and counted (`eventsRejected`), the rest is delivered. Past `maxBuffer`
 * pending events new ones are dropped and counted: memory stays bounded when the store is down.
 * Buffering is synchronous and here; delivery (./event-writer.ts) loads on the first write.
 */
export class EventBuffer {
  readonly #state: BufferState;
  readonly stats: Omit<EventStats, 'eventsPending'>;

  constructor(options: EventBufferOptions) {
    const stats = { eventsAccepted: 0, eventsStored: 0, eventsDropped: 0, eventsRejected: 0, eventWriteErrors: 0 };
    this.stats = stats;
    const state: BufferState = {
      options,
      queue: [],
      writing: undefined,
      timer: undefined,
      failures: 0,
      closed: false,
      limit: options.maxBatch,
      lastError: undefined,
      stats,
      kick() {
        if (state.writing) return;
        if (state.timer !== undefined) clearTimeout(state.timer);
        state.timer = undefined;
        void loadWriter().then((w) => w.write(state));
      },
      schedule(delayMs) {
        if (state.timer !== undefined || state.closed) return;
        const timer = setTimeout(() => {
          state.timer = undefined;
          state.kick();
        }, delayMs) as ReturnType<typeof setTimeout> & { unref?: () => void };
        // A pending flush must not keep a process alive; close()/flush() deliver the rest.
        timer.unref?.();
        state.timer = timer;
      },
    };
    this.#state = state;
  }

  get pending(): number {
    return this.#state.queue.length;
  }

  /** Adds an event; false (and counted as dropped) when the buffer is full or closed. */
  push(event: BufferedEvent): boolean {
    const state = this.#state;
    if (state.closed || state.queue.length >= state.options.maxBuffer) {
      this.stats.eventsDropped++;
      return false;
    }
    event.id ??= newId();
    state.queue.push(event);
    this.stats.eventsAccepted++;
    // A full batch goes at once, unless the store is failing: then the backoff timer decides.
    if (state.queue.length >= state.options.maxBatch && state.failures === 0) state.kick();
    else state.schedule(state.options.flushIntervalMs);
    return true;
  }

  /** Counts an event refused before it reached the buffer (invalid input). */
  drop(): void {
    this.stats.eventsDropped++;
  }

  /**
   * The store looks reachable again (a read succeeded, or its change feed reconnected): retry
   * a failed batch now rather than at the end of its backoff. A no-op while nothing is failing.
   */
  retryNow(): void {
    const state = this.#state;
    if (state.failures === 0 || state.closed || state.queue.length === 0) return;
    state.kick();
  }

  /**
   * Writes everything accepted so far. Resolves when it is stored, or after the first failed
   * batch with `ok: false` (the rest is retried in the background). Never rejects.
   */
  async flush(): Promise<FlushResult> {
    // Nothing to deliver: no need to load the delivery code.
    if (this.#state.queue.length === 0 && !this.#state.writing) return { ok: true, pending: 0 };
    return (await loadWriter()).flush(this.#state);
  }

  /**
   * Flushes, retrying a failing store with backoff for up to `maxWaitMs`, then stops. Events
   * still undelivered then are dropped and counted (never lost silently); later pushes too.
   */
  async close(maxWaitMs?: number): Promise<FlushResult> {
    return (await loadWriter()).close(this.#state, this.flush.bind(this), maxWaitMs);
  }
}
