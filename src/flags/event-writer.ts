import type { FlagEvent } from '../adapters/types.js';
import { EliteError, isEliteError, messageOf } from '../internal/errors.js';
import type { BufferedEvent, BufferState, FlushResult } from './event-state.js';

/**
 * The delivery half of the event buffer (./events.ts): batch writes with a timeout, backoff,
 * the bisection of refused batches, `flush()` and `close()`. Loaded on the first write, through
 * a dynamic `import()`: evaluation and buffering never wait for it.
 * @module
 */

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

/** Events resolved for good: stored, or refused by the store for their content. */
const settled = (state: BufferState): number => state.stats.eventsStored + state.stats.eventsRejected;

/** Writes everything accepted so far; see `EventBuffer.flush`. */
export async function flush(state: BufferState): Promise<FlushResult> {
  // Events accepted before this call: the ones whose delivery we report on.
  let target = settled(state) + state.queue.length;
  for (;;) {
    if (state.writing) await state.writing;
    if (settled(state) >= target || state.queue.length === 0) return { ok: true, pending: state.queue.length };
    const before = state.stats.eventWriteErrors;
    await write(state);
    if (state.stats.eventWriteErrors > before) {
      return { ok: false, pending: state.queue.length, error: state.lastError };
    }
    target = Math.min(target, settled(state) + state.queue.length);
  }
}

/** Flushes with retries for up to `maxWaitMs`, then stops; see `EventBuffer.close`. */
export async function close(state: BufferState, flushNow: () => Promise<FlushResult>, maxWaitMs = CLOSE_WAIT_MS): Promise<FlushResult> {
  let result = await flushNow();
  for (let waited = 0, delay = 100; !result.ok && waited < maxWaitMs; waited += delay, delay = Math.min(delay * 2, 2_000)) {
    await new Promise((resolve) => setTimeout(resolve, delay));
    result = await flushNow();
  }
  state.closed = true;
  if (state.timer !== undefined) clearTimeout(state.timer);
  state.timer = undefined;
  if (!result.ok) {
    state.options.warnOnce?.(
      'close',
      `elite/flags: close(): the store kept failing; ${state.queue.length} buffered events were dropped (counted in stats().eventsDropped)`,
    );
    state.stats.eventsDropped += state.queue.length;
    state.queue = [];
    return { ...result, pending: 0 };
  }
  return result;
}

/**
 * One batch write, abandoned after WRITE_TIMEOUT_MS so a hung store cannot hang flush() or
 * close(). The batch is then retried: a store that completed the abandoned write late gets it
 * twice (delivery is at least once in that case).
 */
function appendWithTimeout(state: BufferState, batch: FlagEvent[]): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the store did not confirm an event batch within ${WRITE_TIMEOUT_MS} ms`)), WRITE_TIMEOUT_MS);
  });
  return Promise.race([Promise.resolve().then(() => state.options.storage.appendEvents(batch)), timeout]).finally(() =>
    clearTimeout(timer),
  );
}

/** Writes one batch from the head of the queue (one write at a time). */
export function write(state: BufferState): Promise<void> {
  if (state.writing) return state.writing;
  if (state.queue.length === 0) return Promise.resolve();
  const { options, stats } = state;
  const batch = state.queue.slice(0, state.limit);
  const writing = (async () => {
    try {
      await appendWithTimeout(state, batch.map(toStored));
      state.queue.splice(0, batch.length);
      stats.eventsStored += batch.length;
      state.failures = 0;
      // After a split, grow back towards full batches.
      state.limit = Math.min(options.maxBatch, state.limit * 2);
    } catch (error) {
      if (isEliteError(error, 'INVALID_EVENT')) refused(state, batch, error);
      else {
        stats.eventWriteErrors++;
        state.failures++;
        state.lastError = error instanceof Error ? error : new Error('event write failed');
        options.onWriteError(error);
      }
    } finally {
      state.writing = undefined;
    }
    if (state.queue.length === 0) return;
    // More to send: at once after a success or a split, with backoff after a failure.
    const cap = Math.max(MAX_BACKOFF_MS, options.flushIntervalMs);
    const backoff = Math.min(cap, options.flushIntervalMs * 2 ** Math.min(state.failures, 15));
    if (state.failures > 0) state.schedule(backoff);
    else if (state.queue.length >= state.limit) state.kick();
    else state.schedule(options.flushIntervalMs);
  })();
  state.writing = writing;
  return writing;
}

/**
 * The store refused `batch` (the head of the queue) for its content. One event alone is
 * dropped and counted; a larger batch is halved and the halves are tried in turn (bisection:
 * a bad event costs about log2(maxBatch) extra writes, and never blocks the queue).
 */
function refused(state: BufferState, batch: BufferedEvent[], error: unknown): void {
  if (batch.length > 1) {
    state.limit = Math.ceil(batch.length / 2);
    return;
  }
  const [event] = state.queue.splice(0, 1) as [BufferedEvent];
  state.stats.eventsRejected++;
  state.limit = 1;
  const { warnOnce, onError } = state.options;
  warnOnce?.(
    'rejected',
    `elite/flags: the store refused an event (${messageOf(error)}); it was dropped, the others delivered (counted in stats().eventsRejected)`,
  );
  try {
    onError?.(
      new EliteError('INVALID_EVENT', `elite/flags: the store refused a ${event.type} event: ${messageOf(error)}`, { cause: error }),
    );
  } catch {
    // onError must not stop delivery.
  }
}
