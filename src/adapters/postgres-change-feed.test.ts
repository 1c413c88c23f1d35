import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createChangeFeed, type ListenClient } from './postgres-change-feed.js';

/** A LISTEN connection that connects, records its queries and can be dropped by the test. */
class FakeListenClient extends EventEmitter {
  queries: string[] = [];
  ended = false;
  async connect(): Promise<void> {}
  async query(text: string): Promise<{ rows: unknown[] }> {
    this.queries.push(text);
    return { rows: [] };
  }
  async end(): Promise<void> {
    this.ended = true;
  }
}

afterEach(() => {
  vi.useRealTimers();
});

describe('createChangeFeed', () => {
  it('connects on the first subscriber and dispatches notifications of its environment', async () => {
    const clients: FakeListenClient[] = [];
    const feed = createChangeFeed({
      listenClient: () => clients[clients.push(new FakeListenClient()) - 1] as unknown as ListenClient,
      reconnectDelayMs: 10,
    });
    const seen: string[] = [];
    feed.subscribe('production', (key) => seen.push(key));
    await vi.waitFor(() => expect(clients[0]?.queries).toEqual(['listen elite_flags']));
    clients[0]?.emit('notification', { channel: 'elite_flags', payload: 'production:pricing-test' });
    clients[0]?.emit('notification', { channel: 'elite_flags', payload: 'staging:other' });
    expect(seen).toEqual(['pricing-test']);
    await feed.close();
    expect(clients[0]?.ended).toBe(true);
  });

  it('after a drop with nobody subscribed, a new subscriber still gets a LISTEN connection', async () => {
    vi.useFakeTimers();
    const clients: FakeListenClient[] = [];
    const feed = createChangeFeed({
      listenClient: () => clients[clients.push(new FakeListenClient()) - 1] as unknown as ListenClient,
      reconnectDelayMs: 100,
    });
    const unsubscribe = feed.subscribe('production', () => {});
    await vi.waitFor(() => expect(clients[0]?.queries).toHaveLength(1));
    clients[0]?.emit('end');
    unsubscribe();
    // The reconnect fires with no subscriber left: nothing to connect for.
    await vi.advanceTimersByTimeAsync(150);
    expect(clients).toHaveLength(1);
    const seen: string[] = [];
    feed.subscribe('production', (key) => seen.push(key));
    await vi.waitFor(() => expect(clients[1]?.queries).toEqual(['listen elite_flags']));
    clients[1]?.emit('notification', { channel: 'elite_flags', payload: 'production:new-checkout' });
    expect(seen).toEqual(['new-checkout']);
    await feed.close();
  });
});
