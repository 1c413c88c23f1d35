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
  target[key] = () => watch(open.call(stream));

  async function* watch(source: AsyncIterator<T>): AsyncGenerator<T> {
    let outcome: 'ok' | 'error' | 'cancelled' = 'cancelled';
    let failure: unknown;
    try {
      // for-await calls source.return() when the caller breaks out (this generator is closed at a
      // yield), which makes the SDK abort the HTTP request.
      for await (const item of { [Symbol.asyncIterator]: () => source }) {
        if (observe(item)) yield item;
      }
      outcome = 'ok';
    } catch (error) {
      outcome = 'error';
      failure = error;
      throw error;
    } finally {
      beforeEnd?.();
      // The SDKs end the iteration quietly when the request is aborted (the caller's signal).
      if (outcome === 'ok' && (target as { controller?: AbortController }).controller?.signal?.aborted === true) outcome = 'cancelled';
      if (outcome === 'error') call.fail(failure);
      else call.end(outcome);
    }
  }
  return stream;
}

/**
 * Calls `create` inside the call's span and ends the call when the answer (or, for a stream, the
 * last item) arrives or the request fails. `onAnswer` reads a JSON answer; `onStream` wraps a
 * stream. When `create` returns a Stainless `APIPromise` (`openai`, `@anthropic-ai/sdk`), the
 * result is one too, through its own `_thenUnwrap`, so `withResponse()`, `asResponse()` and the
 * SDK helpers built on `create` (`parse()`, `stream()`) keep working; otherwise a plain promise.
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
    if (streaming) return onStream(answer);
    try {
      onAnswer(answer);
    } catch {
      // A non-conforming answer never reaches the caller as our error.
    }
    call.end();
    return answer;
  };
  const apiPromise = pending as { _thenUnwrap?: (transform: (answer: unknown) => unknown) => unknown; then?: unknown } | null;
  if (typeof apiPromise?._thenUnwrap === 'function' && typeof apiPromise.then === 'function') {
    // Failures are seen on a side branch of the returned promise (an APIPromise parses its body
    // once and shares it); the caller's promise rejects as before.
    const unwrapped = apiPromise._thenUnwrap(answered) as Promise<unknown>;
    unwrapped.then(undefined, (error: unknown) => call.fail(error));
    return unwrapped;
  }
  return Promise.resolve(pending).then(answered, (error: unknown) => {
    call.fail(error);
    throw error;
  });
}
