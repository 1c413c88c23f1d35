import type { ChangeHandler, ChangeHooks } from './change-feed.js';

/**
 * The change handler of ./change-feed.ts, loaded on the first change notification: a client whose
 * store sends none (or has no change feed) never loads it, and evaluation never waits for it.
 * Before the first notification no reload is under way, so `settled` answers undefined; while the
 * handler loads, it answers once the loaded handler has taken the notifications so far.
 */
export function createLazyChangeHandler(hooks: ChangeHooks, maxKeys: number): ChangeHandler {
  let handler: ChangeHandler | undefined;
  let loading: Promise<ChangeHandler> | undefined;
  const load = () => {
    loading ??= import('./change-feed.js').then((m) => {
      handler = m.createChangeHandler(hooks, maxKeys);
      return handler;
    });
    return loading;
  };
  return {
    changed(key) {
      if (handler) handler.changed(key);
      else void load().then((h) => h.changed(key));
    },
    settled: (key) => (handler ? handler.settled(key) : loading?.then((h) => h.settled(key))),
    refreshAll() {
      if (handler) handler.refreshAll();
      else void load().then((h) => h.refreshAll());
    },
  };
}
