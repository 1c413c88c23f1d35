/**
 * Watching a provider SDK's stream without changing what the caller gets: each item is shown to
 * the instrumentation, and the call ends when the stream ends, fails, or the caller stops early.
 */
import type { LlmCall } from './llm-call.js';

/**
 * Replaces the stream's iterator with one that shows each item to `observe` (which returns false
 * to hide the item from the caller). The Stainless-generated SDKs (`openai`,
 * `@anthropic-ai/sdk`) read their items through `this.iterator()` for `for await`, `tee()` and
 * `toReadableStream()` alike, so wrapping that one function covers all three; anything else
 * async-iterable is wrapped through `Symbol.asyncIterator`. The call ends `ok` at the stream's
 * end, failed when it throws, `cancelled` when the caller breaks out (the SDK then aborts the
 * HTTP request). A stream that is never iterated keeps its span open.
 */
export function watchStream<T>(stream: unknown, call: LlmCall, observe: (item: T) => boolean, beforeEnd?: () => void): unknown {
  const target = stream as Record<PropertyKey, unknown> | null;
  const key: PropertyKey = typeof target?.iterator === 'function' ? 'iterator' : Symbol.asyncIterator;
  const open = target?.[key] as (() => AsyncIterator<T>) | undefined;
  if (target === null || typeof open !== 'function') {
    call.end();
    return stream;
  }
  target[key] = () => new WatchedIterator(open.call(stream), call, observe, beforeEnd, target as { controller?: AbortController });
  return stream;
}

/**
 * The caller's iterator over `source`: an object of a class rather than an async generator, so a
 * chunk costs one promise (`source.next().then`) instead of a generator's await-and-yield round
 * trips, and the per-stream state lives in one object instead of a set of closures. The call is
 * ended once: at the source's end (`cancelled` when the SDK ended it quietly because the request
 * was aborted), on its failure, or when the caller leaves early (`return()`, which `for await`
 * calls on `break`; it is passed on so the SDK aborts the request). An `observe` that throws shows
 * the item: an instrumentation fault never reaches the caller.
 */
class WatchedIterator<T> implements AsyncIterableIterator<T> {
  private ended = false;
  // Bound once per stream: the reactions every `next()` passes to `then`.
  private readonly step: (result: IteratorResult<T>) => IteratorResult<T> | Promise<IteratorResult<T>>;
  private readonly failed: (error: unknown) => never;

  constructor(
    private readonly source: AsyncIterator<T>,
    private readonly call: LlmCall,
    private readonly observe: (item: T) => boolean,
    private readonly beforeEnd: (() => void) | undefined,
    private readonly stream: { controller?: AbortController },
  ) {
    this.step = (result) => this.onResult(result);
    this.failed = (error) => {
      this.finish('error', error);
      throw error;
    };
  }

  next(): Promise<IteratorResult<T>> {
    return this.source.next().then(this.step, this.failed);
  }

  return(value?: unknown): Promise<IteratorResult<T>> {
    const { source } = this;
    const closing =
      typeof source.return === 'function' ? source.return(value as T) : Promise.resolve({ done: true as const, value: value as T });
    this.finish('cancelled');
    return closing;
  }

  throw(error?: unknown): Promise<IteratorResult<T>> {
    this.finish('error', error);
    return typeof this.source.throw === 'function' ? this.source.throw(error) : Promise.reject(error);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  private onResult(result: IteratorResult<T>): IteratorResult<T> | Promise<IteratorResult<T>> {
    if (result.done) {
      this.finish('ok');
      return result;
    }
    let shown = true;
    try {
      shown = this.observe(result.value);
    } catch {
      // shown as is
    }
    return shown ? result : this.source.next().then(this.step, this.failed);
  }

  private finish(outcome: 'ok' | 'cancelled' | 'error', failure?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    try {
      this.beforeEnd?.();
    } catch {
      // Reading the last chunk's fields never fails the caller's stream.
    }
    if (outcome === 'error') this.call.fail(failure);
    else this.call.end(outcome === 'ok' && this.stream.controller?.signal?.aborted === true ? 'cancelled' : outcome);
  }
}

/**
 * Calls `create` inside the call's span and ends the call when the answer (or, for a stream, the
 * last item) arrives or the request fails. `onAnswer` reads a JSON answer; `onStream` wraps a
 * stream in place. When `create` returns a Stainless `APIPromise` (`openai`, `@anthropic-ai/sdk`),
 * that promise itself is returned and read on a side branch: `withResponse()`, `asResponse()` and
 * the SDK helpers built on `create` (`parse()`, `stream()`) keep working, and no second
 * `APIPromise` is made per call. The side branch is registered first on the promise the SDK
 * parses its body into once, so a stream is wrapped before the caller's `await` sees it;
 * otherwise a plain promise.
 */
export function settle(
  call: LlmCall,
  create: () => unknown,
  streaming: boolean,
  onAnswer: (answer: unknown) => void,
  onStream: (stream: unknown) => unknown,
): unknown {
  let pending: unknown;
  try {
    pending = call.run(create);
  } catch (error) {
    call.fail(error);
    throw error;
  }
  const answered = (answer: unknown) => {
    try {
      if (streaming) return onStream(answer);
      onAnswer(answer);
    } catch {
      // A non-conforming answer never reaches the caller as our error.
    }
    call.end();
    return answer;
  };
  const apiPromise = pending as { _thenUnwrap?: unknown; then?: unknown } | null;
  if (typeof apiPromise?._thenUnwrap === 'function' && typeof apiPromise.then === 'function') {
    // The caller's promise resolves or rejects as before; this branch never rejects.
    (apiPromise as Promise<unknown>).then(answered, (error: unknown) => call.fail(error));
    return apiPromise;
  }
  return Promise.resolve(pending).then(answered, (error: unknown) => {
    call.fail(error);
    throw error;
  });
}
