/**
 * The event emitter behind `provider.events` of the OpenFeature provider.
 * @packageDocumentation
 */
import type { AnyProviderEvent, EventContext, EventDetails, EventHandler, Logger, ProviderEventEmitter } from '@openfeature/server-sdk';
import { messageOf } from '../internal/errors.js';

/**
 * The minimal event emitter the SDK expects on `provider.events`: it subscribes with
 * `addHandler`/`removeHandler` and never emits itself. Written here rather than taken from the
 * SDK (`OpenFeatureEventEmitter`) so this module has no runtime dependency on it. Handlers run
 * synchronously in the order added, like the SDK's; one that throws or rejects is logged (when
 * the SDK gave a logger) and does not stop the others.
 */
export class ProviderEmitter implements ProviderEventEmitter<AnyProviderEvent> {
  readonly #handlers = new Map<AnyProviderEvent, EventHandler[]>();
  #logger: Logger | undefined;

  emit(eventType: AnyProviderEvent, context?: EventContext): void {
    // A copy: a handler may remove itself (or others) while we iterate.
    for (const handler of [...(this.#handlers.get(eventType) ?? [])]) {
      try {
        const result = handler(context as EventDetails | undefined);
        if (result instanceof Promise) result.catch((error: unknown) => this.#report(eventType, error));
      } catch (error) {
        this.#report(eventType, error);
      }
    }
  }

  addHandler(eventType: AnyProviderEvent, handler: EventHandler): void {
    const handlers = this.#handlers.get(eventType);
    if (handlers) handlers.push(handler);
    else this.#handlers.set(eventType, [handler]);
  }

  removeHandler(eventType: AnyProviderEvent, handler: EventHandler): void {
    const handlers = this.#handlers.get(eventType);
    const index = handlers?.lastIndexOf(handler) ?? -1;
    if (index >= 0) handlers?.splice(index, 1);
  }

  removeAllHandlers(eventType?: AnyProviderEvent): void {
    if (eventType === undefined) this.#handlers.clear();
    else this.#handlers.delete(eventType);
  }

  getHandlers(eventType: AnyProviderEvent): EventHandler[] {
    return [...(this.#handlers.get(eventType) ?? [])];
  }

  setLogger(logger: Logger): this {
    this.#logger = logger;
    return this;
  }

  #report(eventType: AnyProviderEvent, error: unknown): void {
    try {
      this.#logger?.error(`elite/flags: a ${eventType} handler failed: ${messageOf(error)}`);
    } catch {
      // A broken logger must not break the emitter.
    }
  }
}
