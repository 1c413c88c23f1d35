/**
 * The pricing test declared for Vercel's Flags SDK (`flags/next`), with our flags as its
 * `decide` source (`@tiqology/elite/flags/vercel`). The middleware evaluates it for the
 * precompute pattern (app/flags-sdk/[code]: one static page per variant), and the Flags
 * Explorer can override it (the SDK reads the `vercel-flag-overrides` cookie before it calls
 * `decide`). Edge-safe: the middleware imports it.
 */
import { createFlagsSdkAdapter } from '@tiqology/elite/flags/vercel';
import { flag } from 'flags/next';
import { isUserId, PRICING_FLAG, PRICING_VARIANTS, USER_HEADER } from './experiments';
import { edgeFlags } from './flags-edge';

/** Where the flags are managed, shown by the Flags Explorer. */
export const FLAGS_ORIGIN = 'https://github.com/tiqology/elite/blob/main/examples/nextjs/lib/experiments.ts';

const elite = createFlagsSdkAdapter(edgeFlags, { origin: FLAGS_ORIGIN });

/** The served variant of `pricing-test`: the same as the middleware's `getVariantSync` and the page's `getVariant`. */
export const pricingFlag = flag<string, string>({
  key: PRICING_FLAG,
  adapter: elite.variant(),
  // The id the middleware forwards (set on every request, so a client cannot choose it; a first
  // visit has no cookie yet). Without one, the default.
  identify: ({ headers }) => {
    const id = headers.get(USER_HEADER);
    return isUserId(id) ? id : undefined;
  },
  defaultValue: 'control',
  // The permutations of the static pages, and the Explorer's choices.
  options: [...PRICING_VARIANTS],
});

/** The flags one precomputed code carries (the static page's URL segment). */
export const precomputeFlags = [pricingFlag] as const;
