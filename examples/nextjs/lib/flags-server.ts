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
import { createMemoryStorage } from '@tiqology/elite/adapters/memory';
import { FLAGS } from './experiments';

const CONFIGURED = Symbol.for('@tiqology/elite-example-nextjs/flags-configured');
const state = globalThis as Record<symbol, boolean | undefined>;

if (!state[CONFIGURED]) {
  state[CONFIGURED] = true;
  // The memory store keeps events for this process only: swap in createPostgresStorage(pool)
  // (or the Supabase adapter) to keep them across instances and deploys.
  flags.configure({ storage: createMemoryStorage({ flags: FLAGS }), bootstrap: FLAGS });
}

export { flags };
