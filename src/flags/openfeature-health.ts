/**
 * The store's health as the OpenFeature provider reports it: `PROVIDER_STALE` or
 * `PROVIDER_ERROR` when the store goes down, `PROVIDER_READY` when it is back.
 * @packageDocumentation
 */
import type { AnyProviderEvent, EventContext, ProviderEvents } from '@openfeature/server-sdk';
import { messageOf } from '../internal/errors.js';
import type { RefreshResult } from './client/index.js';

// ProviderEvents is an enum in the SDK; its values are written out (no runtime import).
const READY = 'PROVIDER_READY' as ProviderEvents.Ready;
const STALE = 'PROVIDER_STALE' as ProviderEvents.Stale;
const ERROR = 'PROVIDER_ERROR' as ProviderEvents.Error;

/** What the provider has seen of the store: `ready`, or down with the last known flags (`stale`) or without them (`error`). */
export type StoreState = 'ready' | 'stale' | 'error';

/**
 * Tracks whether the flags client can reach its store. An answer that hints at an outage (served
 * `STALE`, or an `ERROR` from a failed store read) is confirmed with one `refresh()` of the client
 * before anything is emitted, so a single slow read does not flip the provider's status; at most
 * one such check runs per `intervalMs` while the store looks healthy. Once down, the store is
 * probed every `intervalMs` (timer unref'd: it never keeps a process alive) until a refresh
 * succeeds, and then `PROVIDER_READY` is emitted. Never throws.
 */
export class StoreHealth {
  #state: StoreState = 'ready';
  #checking = false;
  #lastCheck = Number.NEGATIVE_INFINITY;
  #timer: ReturnType<typeof setInterval> | undefined;
  readonly #refresh: () => Promise<RefreshResult>;
  readonly #emit: (event: AnyProviderEvent, context?: EventContext) => void;
  readonly #intervalMs: number;

  /**
   * @param refresh the client's `refresh()`: a successful one proves the store is back.
   * @param emit where events go (the provider's emitter).
   * @param intervalMs time between probes while the store is down, and between checks while it is up.
   */
  constructor(refresh: () => Promise<RefreshResult>, emit: (event: AnyProviderEvent, context?: EventContext) => void, intervalMs: number) {
    this.#refresh = refresh;
    this.#emit = emit;
    this.#intervalMs = intervalMs;
  }

  /** The state last reported. */
  get state(): StoreState {
    return this.#state;
  }

  /** An answer hinted at an outage (`stale`: the last known flags were served; `error`: nothing could be). */
  suspect(kind: Exclude<StoreState, 'ready'>): void {
    if (this.#state !== 'ready' || this.#checking || Date.now() - this.#lastCheck < this.#intervalMs) return;
    void this.#check(kind);
  }

  /** The store is known to be down (say, the first refresh failed): reports it and starts probing. */
  down(kind: Exclude<StoreState, 'ready'>, error: unknown): void {
    if (this.#state === kind) return;
    this.#state = kind;
    this.#emit(kind === 'stale' ? STALE : ERROR, { message: `elite/flags: the flag store cannot be read: ${messageOf(error)}` });
    if (this.#timer === undefined) {
      this.#timer = setInterval(() => void this.#check(kind), this.#intervalMs);
      this.#timer.unref?.();
    }
  }

  /** Stops probing (the provider is closed). */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #check(kind: Exclude<StoreState, 'ready'>): Promise<void> {
    if (this.#checking) return;
    this.#checking = true;
    this.#lastCheck = Date.now();
    try {
      const result = await this.#refresh();
      if (!result.ok) this.down(this.#state === 'ready' ? kind : this.#state, result.error);
      else if (this.#state !== 'ready') {
        this.stop();
        this.#state = 'ready';
        this.#emit(READY, { message: 'elite/flags: the flag store answers again' });
      }
    } catch (error) {
      // refresh() resolves with { ok: false } by contract; a stand-in client might reject.
      this.down(this.#state === 'ready' ? kind : this.#state, error);
    } finally {
      this.#checking = false;
    }
  }
}
