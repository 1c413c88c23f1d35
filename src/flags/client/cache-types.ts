import type { StorageAdapter } from '../../adapters/types.js';
import type { Lru } from '../../internal/lru.js';
import type { CompiledFlag } from '../evaluate.js';
import type { EvaluationErrorCode, FlagDefinition } from '../types.js';
import type { Counters, Reporter } from './report.js';

// The types of the flag cache (cache.ts) that its lazily loaded store reads (cache-reads.ts) share with it.

/** What `refresh()` resolves to; it never rejects. */
export type RefreshResult =
  | {
      /** Every flag of the environment was read. */
      ok: true;
      /** How many flags the store listed. */
      flags: number;
    }
  | {
      /** The store could not be read; the cached definitions stay in use. */
      ok: false;
      /** Why the store could not be read. */
      error: Error;
    };

/** One flag as cached. */
export interface Entry {
  /** Undefined when the store has no such flag (cached too, so misses do not hammer it). */
  readonly flag: CompiledFlag | undefined;
  /** When the TTL runs out (ms since the epoch); the entry stays after it as the last known good. */
  readonly expiresAt: number;
  /** Set when the store failed after this entry expired: answers say `STALE`. */
  stale: boolean;
  /** Set when the store failed and there was no earlier definition to fall back on. */
  failure?: Failure;
}

/** Why the client could not produce an entry: the error code and message answers carry. */
export type Failure = [errorCode: EvaluationErrorCode, errorMessage: string];

/** What the cache tells the rest of the client. */
export interface CacheHooks {
  /** The store answered: events held back by an earlier failure can go now. */
  storeAnswered(): void;
  /** The store says `key` does not exist (any more): what is kept per flag can go. */
  flagGone(key: string): void;
}

/** A validator of definitions: returns the definition or throws `INVALID_FLAG`. */
export type Validator = (input: unknown) => FlagDefinition;

/** What the store reads (cache-reads.ts) use of the cache: its state and a few of its methods. */
export interface CacheCore {
  readonly environment: string;
  readonly storage: StorageAdapter;
  readonly ttlMs: number;
  /** How long a failed read's answer is kept before the store is asked again. */
  readonly retryMs: number;
  /** Longest wait for one store read, in ms. */
  readonly timeoutMs: number;
  readonly clock: () => number;
  readonly counters: Counters;
  readonly reporter: Reporter;
  readonly hooks: CacheHooks;
  readonly entries: Lru<Entry>;
  /** Per key, bumped by push invalidations (see {@link FlagCache}). */
  readonly generations: Map<string, number>;
  /** Bootstrap definitions, the fallback of their key while the store has never shown it. */
  readonly fallback: Map<string, CompiledFlag>;
  closed(): boolean;
  fresh(key: string): Entry | undefined;
  load(key: string): Promise<Entry>;
  /** The reload of `key` announced by a change, if one is under way. */
  settled(key: string): Promise<void> | undefined;
  keep(key: string, entry: Entry): void;
  compile(definition: FlagDefinition, validate: Validator): CompiledFlag;
}
