/**
 * The Node-runtime flags client: server components and route handlers import `flags` from
 * here. Exposures and conversions are recorded in this runtime only (the middleware's
 * client does not track), so one store sees every event.
 *
 * `flags` is the SDK's process-wide client (kept under a global symbol, so every route
 * bundle that Next.js compiles shares it); it is configured once per process, because a
 * second `configure` would replace the client and its in-memory events.
 */
import { flags } from '@tiqology/elite';
import { FLAGS } from './experiments';

const CONFIGURED = Symbol.for('@tiqology/elite-example-nextjs/flags-configured');
const state = globalThis as Record<symbol, boolean | undefined>;

if (!state[CONFIGURED]) {
  state[CONFIGURED] = true;
  // No storage given: the client's embedded memory store keeps the events, for this process
  // only, and the bootstrap definitions serve evaluation and results() (the store never has
  // the flags). Pass createPostgresStorage(pool) (or the Supabase adapter) to keep events
  // across instances and deploys, and to change flags without a redeploy.
  flags.configure({ bootstrap: FLAGS });
}

export { flags };
