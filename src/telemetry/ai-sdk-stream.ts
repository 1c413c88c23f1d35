/**
 * Watching the part stream of an AI SDK model call (`doStream`, specification v3) without putting
 * a stream in between on the common path. On Node 20 every `new ReadableStream` costs tens of
 * microseconds (it is made transferable), and a pass-through stream adds promise hops per part:
 * together several times the rest of the instrumentation. The AI SDK reads a model's stream with
 * `stream.pipeThrough(transform)`, so the watched stream gets a prototype whose `pipeThrough`
 * reads the parts itself and writes them into `transform.writable`; every other way of reading
 * it (`getReader`, `pipeTo`, `tee`, `for await`, `pipeThrough` with options) goes through a
 * pass-through stream made on first use.
 */

import { aiSdkUsage, type ResultLike, reasonOf } from './ai-sdk-usage.js';
import type { LlmCall } from './llm-call.js';

type Part = ResultLike & { type?: string; id?: string; modelId?: string; error?: unknown };

const noop = () => {};

/** What the parts of one stream told so far; ends the call once. */
class PartWatcher {
  private failure: unknown;
  private id: string | undefined;
  private modelId: string | undefined;
  private reasons: string[] | undefined;
  private ended = false;
  /** The pass-through stream, made when the stream is read other than by `pipeThrough(transform)`. */
  passThrough: ReadableStream<unknown> | undefined;

  constructor(private readonly call: LlmCall) {}

  observe(value: unknown): void {
    const part = value as Part;
    switch (part?.type) {
      case 'text-delta':
      case 'reasoning-delta':
      case 'tool-input-delta':
        this.call.firstChunk();
        break;
      case 'response-metadata':
        if (typeof part.id === 'string') this.id = part.id;
        if (typeof part.modelId === 'string') this.modelId = part.modelId;
        break;
      case 'finish':
        this.call.setUsage(aiSdkUsage(part.usage));
        this.reasons = reasonOf(part.finishReason);
        break;
      case 'error':
        this.failure ??= part.error;
        break;
    }
  }

  /** The stream ended (`ok`: an `error` part fails the call), failed, or its reader cancelled it. */
  finish(outcome: 'ok' | 'error' | 'cancelled', error?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    const call = this.call;
    if (outcome === 'cancelled') {
      call.end('cancelled');
      return;
    }
    call.respond({ id: this.id, model: this.modelId, finishReasons: this.reasons });
    if (outcome === 'error') call.fail(error);
    else if (this.failure !== undefined) call.fail(this.failure);
    else call.end();
  }
}

const WATCHER = Symbol('elite.partWatcher');
type Watched = ReadableStream<unknown> & { [WATCHER]: PartWatcher };

/** A stream that passes the parts `reader` reads on, showing each to the watcher. */
function passThroughOf(watcher: PartWatcher, reader: ReadableStreamDefaultReader<unknown>): ReadableStream<unknown> {
  return new ReadableStream({
    pull(controller) {
      return reader.read().then(
        (next) => {
          if (next.done) {
            watcher.finish('ok');
            controller.close();
            return;
          }
          watcher.observe(next.value);
          controller.enqueue(next.value);
        },
        (error: unknown) => {
          watcher.finish('error', error);
          controller.error(error);
        },
      );
    },
    cancel(reason) {
      watcher.finish('cancelled');
      return reader.cancel(reason);
    },
  });
}

/** The watched stream's pass-through stream (made once, on first use). */
function passThrough(stream: Watched): ReadableStream<unknown> {
  const watcher = stream[WATCHER];
  watcher.passThrough ??= passThroughOf(watcher, ReadableStream.prototype.getReader.call(stream) as ReadableStreamDefaultReader<unknown>);
  return watcher.passThrough;
}

/**
 * Reads `stream` into `transform.writable` part by part, as `pipeThrough` would, showing each part
 * to the watcher: waits for each write (the transform's backpressure), closes the writable at the
 * end, aborts it when the stream fails, and cancels the stream when the writable errors (the
 * reader downstream cancelled).
 */
function pump(stream: Watched, transform: ReadableWritablePair<unknown, unknown>): ReadableStream<unknown> {
  const watcher = stream[WATCHER];
  const reader = ReadableStream.prototype.getReader.call(stream) as ReadableStreamDefaultReader<unknown>;
  const writer = transform.writable.getWriter();
  const stopped = (reason: unknown) => {
    watcher.finish('cancelled');
    reader.cancel(reason).catch(noop);
  };
  const read = () => {
    reader.read().then(onRead, onReadError);
  };
  const onRead = (next: ReadableStreamReadResult<unknown>) => {
    if (next.done) {
      watcher.finish('ok');
      writer.close().catch(noop);
      return;
    }
    watcher.observe(next.value);
    writer.write(next.value).then(read, stopped);
  };
  const onReadError = (error: unknown) => {
    watcher.finish('error', error);
    writer.abort(error).catch(noop);
  };
  writer.closed.then(noop, stopped);
  read();
  return transform.readable;
}

let watchedPrototype: object | undefined;

/** ReadableStream's prototype with the reading methods of a watched stream (made on first use: the global may be absent at import). */
function prototypeOfWatched(): object {
  if (watchedPrototype !== undefined) return watchedPrototype;
  const base = ReadableStream.prototype;
  const methods = base as unknown as Record<PropertyKey, ((...args: unknown[]) => unknown) | undefined>;
  // `values` and `Symbol.asyncIterator` exist on Node's and recent browsers' streams only.
  const fallback = (name: PropertyKey) =>
    function (this: Watched, ...args: unknown[]) {
      const method = methods[name];
      if (method === undefined) throw new TypeError(`ReadableStream.prototype.${String(name)} is not a function`);
      return method.apply(passThrough(this), args);
    };
  watchedPrototype = Object.create(base, {
    pipeThrough: {
      value(this: Watched, transform: ReadableWritablePair<unknown, unknown>, options?: StreamPipeOptions) {
        if (
          options === undefined &&
          !this.locked &&
          this[WATCHER].passThrough === undefined &&
          transform?.writable instanceof WritableStream
        )
          return pump(this, transform);
        return base.pipeThrough.call(passThrough(this), transform, options);
      },
    },
    getReader: { value: fallback('getReader') },
    pipeTo: { value: fallback('pipeTo') },
    tee: { value: fallback('tee') },
    values: { value: fallback('values') },
    [Symbol.asyncIterator]: { value: fallback(Symbol.asyncIterator) },
    cancel: {
      value(this: Watched, reason?: unknown) {
        const watcher = this[WATCHER];
        if (watcher.passThrough !== undefined) return watcher.passThrough.cancel(reason);
        watcher.finish('cancelled');
        return base.cancel.call(this, reason);
      },
    },
  }) as object;
  return watchedPrototype;
}

/**
 * Makes `stream` (the model's part stream) end `call` when it ends (`ok`, or failed by an `error`
 * part), fails (the error's type), or is cancelled by its reader (`cancelled`), with the usage
 * of the `finish` part, the response id and model, and the time to the first delta. Returns the
 * same stream object; a stream that is never read keeps the call open.
 */
export function watchParts(call: LlmCall, stream: ReadableStream<unknown>): ReadableStream<unknown> {
  if (typeof ReadableStream !== 'function' || !(stream instanceof ReadableStream) || stream.locked) {
    // Not a stream this module can take over: read through a pass-through stream (a locked
    // stream throws here, and the call fails with that error).
    return passThroughOf(new PartWatcher(call), stream.getReader());
  }
  (stream as Watched)[WATCHER] = new PartWatcher(call);
  Object.setPrototypeOf(stream, prototypeOfWatched());
  return stream;
}
