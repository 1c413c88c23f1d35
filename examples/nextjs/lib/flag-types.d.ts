/**
 * The app's flags for the SDK's React hooks: a key not declared here is a type error, and
 * `useVariant` / `useFlagValue` return the declared types.
 */
import type { PricingOffer, PricingVariant } from './experiments';

declare module '@tiqology/elite/react' {
  interface FlagTypes {
    'pricing-client': { variant: PricingVariant; value: PricingOffer };
  }
}
