import { describe, expect, it, vi } from 'vitest';
import { createLazyChangeHandler } from './change-feed-loader.js';

describe('createLazyChangeHandler', () => {
  it('loads nothing before a notification, then answers settled() once the reload the notification started has answered', async () => {
    const loads: string[] = [];
    let finish: (() => void) | undefined;
    const handler = createLazyChangeHandler(
      {
        inflight: () => undefined,
        load: (key) => {
          loads.push(key);
          return new Promise<void>((resolve) => {
            finish = resolve;
          });
        },
        refresh: async () => {},
      },
      10,
    );
    // No notification yet: nothing under way, nothing to wait for.
    expect(handler.settled('a')).toBeUndefined();
    handler.changed('a');
    const settled = handler.settled('a');
    expect(settled).toBeInstanceOf(Promise);
    let done = false;
    void settled?.then(() => {
      done = true;
    });
    // The handler's module loads, then takes the notification: one reload of `a`.
    await vi.waitFor(() => expect(loads).toEqual(['a']));
    expect(done).toBe(false);
    finish?.();
    await settled;
    expect(done).toBe(true);
    // Loaded: later calls go to the handler directly.
    expect(handler.settled('b')).toBeUndefined();
  });
});
