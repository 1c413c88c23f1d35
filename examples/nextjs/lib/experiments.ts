/**
 * The experiment definitions, shared by both runtimes of the app.
 *
 * Middleware runs on the Edge runtime and route handlers and server components on Node: in
 * `next start` they are separate JavaScript realms, and on a platform they may be separate
 * machines. Nothing in memory is shared between them, so each builds its flags client from
 * this module. Bucketing is a pure function of (flag definition, user id), so both compute
 * the same variant for the same user without talking to each other.
 *
 * In production the definitions would come from a shared store (the PostgreSQL or Supabase
 * adapter on Node; a snapshot on the Edge): see docs/nextjs.md.
 *
 * This module must stay Edge-safe: types and data only.
 */
import type { FlagDefinition } from '@tiqology/elite';

export const PRICING_FLAG = 'pricing-test';

/** The same offers, shown by a client component (app/client): assigned on the server, rendered and measured in the browser. */
export const CLIENT_PRICING_FLAG = 'pricing-client';

/** The conversion the experiment is judged on. */
export const PURCHASE_EVENT = 'purchase';

/** What each arm of the pricing test shows. */
export interface PricingOffer {
  plan: string;
  priceUsd: number;
  headline: string;
}

export const PRICING_VARIANTS = ['control', 'variant-a', 'variant-b'] as const;
export type PricingVariant = (typeof PRICING_VARIANTS)[number];

const OFFERS: Record<PricingVariant, PricingOffer> = {
  control: { plan: 'Pro', priceUsd: 20, headline: 'Unlimited chats with every model' },
  'variant-a': { plan: 'Pro', priceUsd: 25, headline: 'Unlimited chats, priority access to new models' },
  'variant-b': { plan: 'Pro Plus', priceUsd: 30, headline: 'Unlimited chats, priority access and a team workspace' },
};

export const FLAGS: FlagDefinition[] = [
  {
    key: PRICING_FLAG,
    environment: 'production',
    enabled: true,
    description: 'Three price points for the Pro plan',
    variants: [
      { key: 'control', weight: 34, value: { ...OFFERS.control } },
      { key: 'variant-a', weight: 33, value: { ...OFFERS['variant-a'] } },
      { key: 'variant-b', weight: 33, value: { ...OFFERS['variant-b'] } },
    ],
  },
  {
    key: CLIENT_PRICING_FLAG,
    environment: 'production',
    enabled: true,
    description: 'The three price points, in a client component hydrated from a snapshot of answers',
    variants: [
      { key: 'control', weight: 34, value: { ...OFFERS.control } },
      { key: 'variant-a', weight: 33, value: { ...OFFERS['variant-a'] } },
      { key: 'variant-b', weight: 33, value: { ...OFFERS['variant-b'] } },
    ],
  },
];

export const isPricingVariant = (value: unknown): value is PricingVariant =>
  typeof value === 'string' && (PRICING_VARIANTS as readonly string[]).includes(value);

export const offerOf = (variant: PricingVariant): PricingOffer => OFFERS[variant];

/** Cookie holding the anonymous user id (the experiment's targeting key). HttpOnly. */
export const USER_COOKIE = 'elite-uid';
/** Cookie holding the assigned variant, readable by client-side analytics. */
export const VARIANT_COOKIE = 'elite-pricing';
/** Request header the middleware forwards to the page, and response header it sets. */
export const USER_HEADER = 'x-elite-user-id';
export const VARIANT_HEADER = 'x-elite-variant';

/** User ids the middleware accepts from a cookie; anything else is replaced by a new id. */
export const isUserId = (value: unknown): value is string => typeof value === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(value);
