import type { Queryable } from './postgres-session.js';

/** A dedicated connection for LISTEN (`pg.Client`), typed structurally. */
export interface ListenClient extends Queryable {
  /** Opens the connection; called once per client (a reconnect makes a new client). */
  connect(): Promise<unknown>;
  /** Closes the connection. */
  end(): Promise<void>;
  /** Receives the NOTIFY messages of the channels LISTENed to. */
  on(event: 'notification', listener: (message: { channel: string; payload?: string }) => void): unknown;
  /** Learns that the connection failed or closed, which starts a reconnect. */
  on(event: 'error' | 'end', listener: (error?: Error) => void): unknown;
  /** Detaches the feed's listeners from a client it gives up on, when the client offers it. */
  removeAllListeners?(): unknown;
}

/** Options of {@link createChangeFeed}. */
export interface ChangeFeedOptions {
  /** Makes the dedicated LISTEN connection, e.g. `() => new pg.Client(url)`. */
  listenClient: () => ListenClient;
  /** Wait before reconnecting after the connection drops, in ms. */
  reconnectDelayMs: number;
}

/** Push invalidation for flag caches: the `subscribe` of a store, and what stops it. */
export interface ChangeFeed {
  /** Calls `listener` with each changed key of `environment`, or `*` after a reconnect; returns the unsubscribe. */
  subscribe(environment: string, listener: (key: string) => void): () => void;
  /** Stops for good: forgets the listeners, cancels a pending reconnect, ends the connection. */
  close(): Promise<void>;
}

/** The NOTIFY channel the migrations' trigger on `feature_flags` sends `environment:key` on. */
const CHANNEL = 'elite_flags';

/**
 * Flag changes pushed by PostgreSQL: `LISTEN elite_flags` on one dedicated connection, opened with
 * the first subscriber. When the connection drops it is reconnected after `reconnectDelayMs`, and
 * every listener is told `*` (changes may have been missed meanwhile). A throwing listener does not
 * stop the others.
 */
export function createChangeFeed(options: ChangeFeedOptions): ChangeFeed {
  const { reconnectDelayMs } = options;
  const listeners = new Set<{ environment: string; listener: (key: string) => void }>();
  let listener: ListenClient | undefined;
  let reconnect: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const dispatch = (payload: string | undefined) => {
    const at = payload?.indexOf(':') ?? -1;
    if (payload === undefined || at < 0) return;
    const environment = payload.slice(0, at);
    const key = payload.slice(at + 1);
    for (const l of listeners) {
      if (l.environment !== environment) continue;
      try {
        l.listener(key);
      } catch {
        // A listener's failure is its own.
      }
    }
  };

  /** Connects the LISTEN connection; after a drop, reconnects and tells listeners to resync. */
  const listen = async (resync: boolean): Promise<void> => {
    if (closed || listeners.size === 0) return;
    const client = options.listenClient();
    listener = client;
    const retry = () => {
      if (closed || listener !== client) return;
      listener = undefined;
      client.removeAllListeners?.();
      client.end().catch(() => {});
      reconnect = setTimeout(() => {
        reconnect = undefined; // fired: a later first subscriber must be able to connect again
        void listen(true);
      }, reconnectDelayMs);
      (reconnect as { unref?: () => void }).unref?.();
    };
    client.on('error', retry);
    client.on('end', retry);
    client.on('notification', (message) => {
      if (message.channel === CHANNEL) dispatch(message.payload);
    });
    try {
      await client.connect();
      await client.query(`listen ${CHANNEL}`);
    } catch {
      retry();
      return;
    }
    // Changes may have been missed while disconnected: every key of every environment is stale.
    if (resync) for (const l of listeners) l.listener('*');
  };

  return {
    subscribe(environment, callback) {
      const entry = { environment, listener: callback };
      listeners.add(entry);
      if (listener === undefined && reconnect === undefined) void listen(false);
      return () => {
        listeners.delete(entry);
      };
    },
    async close() {
      closed = true;
      listeners.clear();
      if (reconnect !== undefined) clearTimeout(reconnect);
      const client = listener;
      listener = undefined;
      client?.removeAllListeners?.();
      await client?.end().catch(() => {});
    },
  };
}
