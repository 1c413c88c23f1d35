/**
 * The Edge runtime's flags client, for the middleware (and the Flags SDK declarations it
 * evaluates, lib/flags-sdk.ts). Evaluation is synchronous and local, from the shared
 * definitions, so the middleware adds no network round trip. It records no exposures: the
 * Edge realm's memory is not the Node one's, and the page records the exposure when it
 * actually renders the variant.
 *
 * Module scope: built once per Edge isolate, reused by every request it serves. The bootstrap
 * definitions stay in force past the cache TTL: the client's own (empty) memory store never
 * had these flags, so they are the fallback.
 */
import { createFlags } from '@tiqology/elite/flags';
import { FLAGS } from './experiments';

export const edgeFlags = createFlags({ bootstrap: FLAGS, trackExposures: false });
