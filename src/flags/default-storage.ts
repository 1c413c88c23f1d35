import type { StorageAdapter } from '../adapters/types.js';

type Method =
  | 'getFlag'
  | 'listFlags'
  | 'writeFlag'
  | 'writeFlags'
  | 'deleteFlag'
  | 'listFlagHistory'
  | 'appendEvents'
  | 'queryResults'
  | 'queryMetricStats'
  | 'close';
const METHODS: Method[] = [
  'getFlag',
  'listFlags',
  'writeFlag',
  'writeFlags',
  'deleteFlag',
  'listFlagHistory',
  'appendEvents',
  'queryResults',
  'queryMetricStats',
  'close',
];

/**
 * The store of a client created without one: a new in-memory store (`createMemoryStorage()`),
 * loaded on its first call through a dynamic `import()`. Every store method is async, so nothing
 * waits for it that did not wait already, and the flags entry (what middleware loads before its
 * first evaluation) does not carry the memory store's code. A listener subscribed before the
 * store loads is attached as it loads, before any call made through this object reaches it.
 */
export function createDefaultStorage(): StorageAdapter {
  let loading: Promise<StorageAdapter> | undefined;
  const load = () => {
    loading ??= import('../adapters/memory.js').then((m) => m.createMemoryStorage());
    return loading;
  };
  const storage = { metadata: { name: 'memory' } } as StorageAdapter;
  for (const name of METHODS) {
    (storage as unknown as Record<Method, unknown>)[name] = async (...args: unknown[]) =>
      ((await load())[name] as (...a: unknown[]) => unknown)(...args);
  }
  storage.subscribe = (environment, listener) => {
    let off: (() => void) | undefined;
    let closed = false;
    void load().then((memory) => {
      if (!closed) off = memory.subscribe?.(environment, listener);
    });
    return () => {
      closed = true;
      off?.();
    };
  };
  return storage;
}
