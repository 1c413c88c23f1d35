/**
 * The demo's fixed scenario: the environment, the three flags it defines, the price and
 * conversion rate of each pricing variant, and the capacity its scaling decision compares the
 * forecast with. Data only, so the simulation and the printed summary read the same numbers.
 * @packageDocumentation
 */
import type { FlagDefinition } from '@tiqology/elite';

/** The environment the demo's flags are defined and read in. */
export const DEMO_ENVIRONMENT = 'production';

/** Monthly price and the share of exposed users who buy, per variant of `pricing-test`. */
export const PRICING = {
  control: { priceUsd: 20, conversionRate: 0.04 },
  'annual-discount': { priceUsd: 25, conversionRate: 0.056 },
  premium: { priceUsd: 30, conversionRate: 0.031 },
} as const;

/** A variant key of `pricing-test`. */
export type PricingVariant = keyof typeof PRICING;

/** The demo's flags: a toggle, a progressive rollout and the pricing experiment. */
export const DEMO_FLAGS: FlagDefinition[] = [
  { key: 'dark-mode', environment: DEMO_ENVIRONMENT, enabled: true, description: 'A plain toggle' },
  { key: 'new-checkout', environment: DEMO_ENVIRONMENT, enabled: true, rollout: 25, description: 'Progressive rollout at 25%' },
  {
    key: 'pricing-test',
    environment: DEMO_ENVIRONMENT,
    enabled: true,
    description: 'Three price points',
    variants: [
      { key: 'control', weight: 34, value: { priceUsd: PRICING.control.priceUsd } },
      { key: 'annual-discount', weight: 33, value: { priceUsd: PRICING['annual-discount'].priceUsd } },
      { key: 'premium', weight: 33, value: { priceUsd: PRICING.premium.priceUsd } },
    ],
  },
];

/** Load the current fleet handles at 100%, in requests per hour of the bundled series. */
export const DEMO_CAPACITY = 58_000;
