/**
 * The pricing test on a static page, by the Flags SDK's precompute pattern: the middleware
 * evaluates `precomputeFlags` for the visitor and rewrites `/flags-sdk` to `/flags-sdk/<code>`,
 * a signed code of the answers; `next build` prerendered one page per permutation
 * (`generateStaticParams`), so the visitor gets a static page of their variant. A Flags Explorer
 * override is in the code too (the middleware's evaluation applied it), so the overridden
 * variant's page is served.
 *
 * A static page records no exposure: measure such a test from the client (`@tiqology/elite/react`,
 * app/client) or count the middleware's assignments.
 */
import { generatePermutations } from 'flags/next';
import { isPricingVariant, offerOf } from '../../../lib/experiments';
import { precomputeFlags, pricingFlag } from '../../../lib/flags-sdk';

export async function generateStaticParams() {
  const codes = await generatePermutations(precomputeFlags);
  return codes.map((code) => ({ code }));
}

export default async function PrecomputedPricingPage({ params }: { params: Promise<{ code: string }> }) {
  const { code } = await params;
  const served = await pricingFlag(code, precomputeFlags);
  const variant = isPricingVariant(served) ? served : 'control';
  const offer = offerOf(variant);
  return (
    <main style={{ maxWidth: 560, margin: '64px auto', padding: '0 24px' }}>
      <p style={{ opacity: 0.7, margin: 0 }}>TiQology Chat</p>
      <h1 style={{ fontSize: 40, margin: '8px 0 24px' }}>Choose your plan</h1>
      <section data-testid="precomputed-offer" data-variant={variant} style={{ border: '1px solid #ccc', borderRadius: 12, padding: 24 }}>
        <h2 style={{ margin: 0 }}>{offer.plan}</h2>
        <p style={{ fontSize: 32, margin: '8px 0' }}>${offer.priceUsd} / month</p>
        <p style={{ margin: 0 }}>{offer.headline}</p>
      </section>
    </main>
  );
}
