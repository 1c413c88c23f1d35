import type { FlagEvent, StorageAdapter } from '../adapters/types.js';
import { isEliteError } from '../internal/errors.js';

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

/** Options of {@link EventBuffer}: the store, the batching and the two failure callbacks. */
export interface EventBufferOptions {
  storage: StorageAdapter;
  flushIntervalMs: number;
  maxBatch: number;
  maxBuffer: number;
  /** Called with each failed write (already counted). */
  onWriteError: (error: unknown) => void;
  /** Called with each event the store refused for its content (already counted and dropped). */
  onRejected?: (event: FlagEvent, error: unknown) => void;
}

/**
 * An event as buffered: `occurredAt` in ms since the epoch. The ISO string the store receives
 * is made when the batch is written, off the request path (`toISOString()` costs as much as a
 * whole evaluation).
 */
export type BufferedEvent = Omit<FlagEvent, 'occurredAt'> & { occurredAt: number };

const toStored = (event: BufferedEvent): FlagEvent => ({ ...event, occurredAt: new Date(event.occurredAt).toISOString() });

/** Longest wait for the store to confirm one batch, in ms. */
const WRITE_TIMEOUT_MS = 10_000;

/** How long close() keeps retrying a failing store before it drops what is left, in ms. */
const CLOSE_WAIT_MS = 10_000;

/**
 * Longest wait between retries of a failing store, in ms (or `flushIntervalMs` when larger).
 * Short on purpose: a long backoff kept the buffer filling, and dropping, for tens of seconds
 * after the store was back. A failed retry costs one store call, so a few seconds is cheap.
 */
const MAX_BACKOFF_MS = 5_000;

/** A fresh idempotency key; `globalThis.crypto` exists on Node.js ≥ 19, browsers and Edge runtimes. */
const newId = (): string => globalThis.crypto.randomUUID();

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
 */
export class EventBuffer {
  readonly #options: EventBufferOptions;
  #queue: BufferedEvent[] = [];
  #writing: Promise<void> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #failures = 0;
  #closed = false;
  /** Largest batch to try now: below `maxBatch` while a refused batch is being split. */
  #limit: number;
  readonly stats: Omit<EventStats, 'eventsPending'> = {
    eventsAccepted: 0,
    eventsStored: 0,
    eventsDropped: 0,
    eventsRejected: 0,
    eventWriteErrors: 0,
  };

  constructor(options: EventBufferOptions) {
    this.#options = options;
    this.#limit = options.maxBatch;
  }

  get pending(): number {
    return this.#queue.length;
  }

  /** Adds an event; false (and counted as dropped) when the buffer is full or closed. */
  push(event: BufferedEvent): boolean {
    if (this.#closed || this.#queue.length >= this.#options.maxBuffer) {
      this.stats.eventsDropped++;
      return false;
    }
    event.id ??= newId();
    this.#queue.push(event);
    this.stats.eventsAccepted++;
    // A full batch goes at once, unless the store is failing: then the backoff timer decides.
    if (this.#queue.length >= this.#options.maxBatch && this.#failures === 0) this.#kick();
    else this.#schedule(this.#options.flushIntervalMs);
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
    if (this.#failures === 0 || this.#closed || this.#queue.length === 0) return;
    this.#kick();
  }

  /** Events resolved for good: stored, or refused by the store for their content. */
  get #settled(): number {
    return this.stats.eventsStored + this.stats.eventsRejected;
  }

  /**
   * Writes everything accepted so far. Resolves when it is stored, or after the first failed
   * batch with `ok: false` (the rest is retried in the background). Never rejects.
   */
  async flush(): Promise<FlushResult> {
    // Events accepted before this call: the ones whose delivery we report on.
    let target = this.#settled + this.#queue.length;
    for (;;) {
      if (this.#writing) await this.#writing;
      if (this.#settled >= target || this.#queue.length === 0) return { ok: true, pending: this.#queue.length };
      const before = this.stats.eventWriteErrors;
      await this.#write();
      if (this.stats.eventWriteErrors > before) {
        return { ok: false, pending: this.#queue.length, error: this.#lastError };
      }
      target = Math.min(target, this.#settled + this.#queue.length);
    }
  }

  /**
   * Flushes, retrying a failing store with backoff for up to `maxWaitMs`, then stops. Events
   * still undelivered then are dropped and counted (never lost silently); later pushes too.
   */
  async close(maxWaitMs = CLOSE_WAIT_MS): Promise<FlushResult> {
    let result = await this.flush();
    for (let waited = 0, delay = 100; !result.ok && waited < maxWaitMs; waited += delay, delay = Math.min(delay * 2, 2_000)) {
      await new Promise((resolve) => setTimeout(resolve, delay));
      result = await this.flush();
    }
    this.#closed = true;
    this.#clearTimer();
    if (!result.ok) {
      this.stats.eventsDropped += this.#queue.length;
      this.#queue = [];
      return { ...result, pending: 0 };
    }
    return result;
  }

  #lastError: Error | undefined;

  /**
   * One batch write, abandoned after WRITE_TIMEOUT_MS so a hung store cannot hang flush() or
   * close(). The batch is then retried: a store that completed the abandoned write late gets it
   * twice (delivery is at least once in that case).
   */
  #appendWithTimeout(batch: FlagEvent[]): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`the store did not confirm an event batch within ${WRITE_TIMEOUT_MS} ms`)),
        WRITE_TIMEOUT_MS,
      );
    });
    return Promise.race([Promise.resolve().then(() => this.#options.storage.appendEvents(batch)), timeout]).finally(() =>
      clearTimeout(timer),
    );
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(delayMs: number): void {
    if (this.#timer !== undefined || this.#closed) return;
    const timer = setTimeout(() => {
      this.#timer = undefined;
      this.#kick();
    }, delayMs) as ReturnType<typeof setTimeout> & { unref?: () => void };
    // A pending flush must not keep a process alive; close()/flush() deliver the rest.
    timer.unref?.();
    this.#timer = timer;
  }

  #kick(): void {
    if (this.#writing) return;
    this.#clearTimer();
    void this.#write();
  }

  /** Writes one batch from the head of the queue (one write at a time). */
  #write(): Promise<void> {
    if (this.#writing) return this.#writing;
    if (this.#queue.length === 0) return Promise.resolve();
    const batch = this.#queue.slice(0, this.#limit);
    const writing = (async () => {
      try {
        await this.#appendWithTimeout(batch.map(toStored));
        this.#queue.splice(0, batch.length);
        this.stats.eventsStored += batch.length;
        this.#failures = 0;
        // After a split, grow back towards full batches.
        this.#limit = Math.min(this.#options.maxBatch, this.#limit * 2);
      } catch (error) {
        if (isEliteError(error, 'INVALID_EVENT')) this.#refused(batch, error);
        else {
          this.stats.eventWriteErrors++;
          this.#failures++;
          this.#lastError = error instanceof Error ? error : new Error('event write failed');
          this.#options.onWriteError(error);
        }
      } finally {
        this.#writing = undefined;
      }
      if (this.#queue.length === 0) return;
      // More to send: at once after a success or a split, with backoff after a failure.
      const cap = Math.max(MAX_BACKOFF_MS, this.#options.flushIntervalMs);
      const backoff = Math.min(cap, this.#options.flushIntervalMs * 2 ** Math.min(this.#failures, 15));
      if (this.#failures > 0) this.#schedule(backoff);
      else if (this.#queue.length >= this.#limit) this.#kick();
      else this.#schedule(this.#options.flushIntervalMs);
    })();
    this.#writing = writing;
    return writing;
  }

  /**
   * The store refused `batch` (the head of the queue) for its content. One event alone is
   * dropped and counted; a larger batch is halved and the halves are tried in turn (bisection:
   * a bad event costs about log2(maxBatch) extra writes, and never blocks the queue).
   */
  #refused(batch: BufferedEvent[], error: unknown): void {
    if (batch.length > 1) {
      this.#limit = Math.ceil(batch.length / 2);
      return;
    }
    const [event] = this.#queue.splice(0, 1) as [BufferedEvent];
    this.stats.eventsRejected++;
    this.#limit = 1;
    try {
      this.#options.onRejected?.(toStored(event), error);
    } catch {
      // A reporting hook must not stop delivery.
    }
  }
}
