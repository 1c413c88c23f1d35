/**
 * The server side of flags in client components (app/client). A second client over the same
 * store as `flags` (lib/flags-server.ts), so `flags.results()` sees its events, made with
 * `trackExposures: false`: rendering the snapshot on the server records nothing, and the
 * exposure is recorded when the browser has rendered the variant and reports it to
 * `/api/elite`, which checks it against this client's own evaluation.
 */
import { createFlags } from '@tiqology/elite';
import { createTrackingHandler, type TrackingHandler } from '@tiqology/elite/react/server';
import type { NextRequest } from 'next/server';
import { FLAGS, isUserId, PURCHASE_EVENT, USER_COOKIE } from './experiments';
import { flags } from './flags-server';

// Once per process, as lib/flags-server.ts: every route bundle shares the client and the
// handler (its rate limits and counters).
const KEY = Symbol.for('@tiqology/elite-example-nextjs/browser-flags');
type Shared = { browserFlags: ReturnType<typeof createFlags>; tracking: TrackingHandler };
const state = globalThis as { [KEY]?: Shared };

function create(): Shared {
  const browserFlags = createFlags({ storage: flags.storage, bootstrap: FLAGS, trackExposures: false });
  const tracking = createTrackingHandler({
    flags: browserFlags,
    // The HttpOnly id cookie the middleware set: the browser's script can neither read nor choose it.
    user: (request) => {
      const id = (request as NextRequest).cookies.get(USER_COOKIE)?.value;
      return isUserId(id) ? id : undefined;
    },
    events: [PURCHASE_EVENT],
  });
  return { browserFlags, tracking };
}

state[KEY] ??= create();
export const { browserFlags, tracking } = state[KEY];
