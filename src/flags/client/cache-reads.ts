import { validateFlag } from '../../definitions/validate.js';
import { EliteError, isEliteError } from '../../internal/errors.js';
import type { CompiledFlag } from '../evaluate.js';
import type { FlagDefinition } from '../types.js';
import type { CacheCore, Entry, Failure, RefreshResult } from './cache-types.js';

// The flag cache's reads from the store, loaded with the first one (cache.ts keeps what evaluation
// touches, and the one-read-per-key bookkeeping, in the flags entry). What a store returns goes through
// the detailed validator (validateFlag), which comes in this chunk too.

/**
 * Reads one flag from the store, within `timeoutMs` of `asked` (ms since the epoch), and caches it unless a change was announced
 * since `generation`. Never rejects: a failure becomes an entry (last good definition marked stale,
 * or the error).
 */
export function read(c: CacheCore, key: string, generation: number, asked: number): Promise<Entry> {
  const keep = (entry: Entry): Entry => {
    if (!c.closed() && (c.generations.get(key) ?? 0) === generation) c.keep(key, entry);
    return entry;
  };
  return timed(
    c,
    asked,
    Promise.resolve().then(() => c.storage.getFlag(key, c.environment)),
  )
    .then((definition) => {
      if (definition !== undefined) c.fallback.delete(key);
      c.hooks.storeAnswered();
      const flag = definition === undefined ? c.fallback.get(key) : c.compile(definition, validateFlag);
      return keep({ flag, expiresAt: c.clock() + c.ttlMs, stale: false });
    })
    .catch((cause: unknown) => {
      if (isEliteError(cause, 'TIMEOUT')) c.counters.storageErrors++;
      const error = isEliteError(cause) ? cause : c.reporter.storageError(`reading flag "${key}"`, cause);
      c.reporter.report(error);
      const previous = c.entries.get(key);
      const expiresAt = c.clock() + c.retryMs;
      if (previous !== undefined && previous.failure === undefined) {
        return keep({ flag: previous.flag, expiresAt, stale: previous.flag !== undefined });
      }
      const failure: Failure = [isEliteError(error, 'INVALID_FLAG') ? 'PARSE_ERROR' : 'GENERAL', error.message];
      return keep({ flag: undefined, expiresAt, stale: false, failure });
    });
}

/** Reloads every flag of the environment from the store, within `timeoutMs` of `asked`. Never rejects. */
export async function refresh(c: CacheCore, asked: number): Promise<RefreshResult> {
  if (c.closed()) {
    return { ok: false, error: new EliteError('CLOSED', 'elite/flags: the flags client is closed; create a new one') };
  }
  const put = (key: string, flag: CompiledFlag | undefined) => c.keep(key, { flag, expiresAt: c.clock() + c.ttlMs, stale: false });
  let definitions: FlagDefinition[];
  try {
    definitions = await timed(
      c,
      asked,
      Promise.resolve().then(() => c.storage.listFlags(c.environment)),
    );
    c.hooks.storeAnswered();
  } catch (cause) {
    const error = isEliteError(cause, 'TIMEOUT') ? cause : c.reporter.storageError('listing flags', cause);
    for (const key of [...c.entries.keys()]) {
      const entry = c.entries.get(key) as Entry;
      if (entry.expiresAt <= c.clock() && entry.flag !== undefined) entry.stale = true;
    }
    c.reporter.report(error);
    return { ok: false, error };
  }
  const seen = new Set<string>();
  for (const definition of definitions) {
    seen.add(definition.key);
    c.fallback.delete(definition.key);
    try {
      put(definition.key, c.compile(definition, validateFlag));
    } catch (error) {
      // One bad definition must not hide the others; the last good one (if any) stays.
      c.reporter.report(error);
    }
  }
  // Flags deleted from the store: remember they are gone. A bootstrap flag the store has
  // never had stays (see the cache's fallback).
  for (const key of [...c.entries.keys()]) if (!seen.has(key)) put(key, c.fallback.get(key));
  return { ok: true, flags: seen.size };
}

/**
 * Loads what a flag's prerequisites name (and theirs) when it is not fresh in the cache, so an
 * awaited evaluation sees them; `seen` stops at a cycle two concurrent writes could have made.
 */
export async function loadRequired(c: CacheCore, flag: CompiledFlag, seen = new Set<string>()): Promise<void> {
  for (const { flag: key } of flag.links) {
    if (seen.has(key) || c.closed()) continue;
    seen.add(key);
    await c.settled(key);
    const entry = c.fresh(key) ?? (await c.load(key));
    if (entry.flag !== undefined) await loadRequired(c, entry.flag, seen);
  }
}

/**
 * The detailed validation of bootstrap definitions, after the compact one of `createFlags`: what it
 * alone refuses (a mistake inside a targeting condition) is reported through `onError` and the log.
 * The definition stays in use, as it was accepted.
 */
export function recheck(c: CacheCore, definitions: readonly FlagDefinition[]): void {
  for (const definition of definitions) {
    try {
      validateFlag(definition);
    } catch (error) {
      c.reporter.report(error);
    }
  }
}

/**
 * `promise`, or `TIMEOUT` if `timeoutMs` from `asked` comes first. The time is counted from when the
 * read was asked for, not from here: this chunk may have had to load first.
 */
function timed<T>(c: CacheCore, asked: number, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    const timeout = () =>
      reject(new EliteError('TIMEOUT', `elite/flags: the ${c.storage.metadata.name} store did not answer within ${c.timeoutMs} ms`));
    const left = asked + c.timeoutMs - Date.now();
    // Already past (the chunk took that long to load): TIMEOUT at once, as a timer started when the
    // read was asked for would have fired by now.
    if (left <= 0) timeout();
    else timer = setTimeout(timeout, left);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
