/**
 * Wrapping one SDK method (`chat.completions.create`, `messages.create`, …) in place: each call
 * becomes an {@link LlmCall}, the answer or stream is read by the instrumentation's handlers.
 */
import { LlmCall, type LlmDeps, type LlmRequest } from './llm-call.js';
import { settle, watchStream } from './llm-stream.js';

/** How an instrumentation reads one call: the body to send, the JSON answer, the stream items. */
export interface CallHandlers {
  /** The body actually sent (a copy when the instrumentation adds a field). */
  request: unknown;
  /** Reads a JSON answer (usage, response model, finish reasons). */
  onAnswer(answer: unknown): void;
  /** Sees each streamed item; false hides it from the caller. */
  observe?(item: unknown): boolean;
  /** Runs once when the stream ends, before the call is ended. */
  beforeEnd?(): void;
}

const INSTRUMENTED = Symbol.for('@tiqology/elite/telemetry/instrumented');
const always = () => true;

/**
 * Replaces `resource[method]` (`create` unless named; once: a second call is a no-op; nothing when
 * the resource or method is absent) with a function that starts an {@link LlmCall} described by
 * `describe`, sends the body `handlers` returns, and ends the call on the answer, the stream's
 * end, or the failure.
 */
export function wrapMethod<B>(
  resource: object | undefined,
  deps: LlmDeps,
  describe: (body: B) => LlmRequest,
  handlers: (call: LlmCall, body: B) => CallHandlers,
  method = 'create',
): void {
  const target = resource as Record<PropertyKey, unknown> | undefined | null;
  const original = target?.[method] as ((this: unknown, body: unknown, options: unknown) => unknown) | undefined;
  if (
    target === undefined ||
    target === null ||
    typeof original !== 'function' ||
    (original as unknown as Record<symbol, unknown>)[INSTRUMENTED]
  )
    return;
  const wrapped = function (this: unknown, body: unknown, options?: unknown): unknown {
    const request = describe(body as B);
    const call = new LlmCall(deps, request.operation, request);
    const read = handlers(call, body as B);
    return settle(
      call,
      () => original.call(this, read.request, options),
      request.stream === true,
      read.onAnswer,
      (stream) => watchStream(stream, call, read.observe ?? always, read.beforeEnd),
    );
  };
  Object.defineProperty(wrapped, INSTRUMENTED, { value: true });
  Object.defineProperty(wrapped, 'name', { value: method });
  target[method] = wrapped;
}
