'use client';

import { useFlagValue, useTrack, useVariant } from '@tiqology/elite/react';
import { useEffect, useState } from 'react';
import { CLIENT_PRICING_FLAG, PURCHASE_EVENT, offerOf } from '../../lib/experiments';

/**
 * The offer, read with the SDK's hooks from the provider's snapshot: typed by
 * lib/flag-types.d.ts (`variant` is a PricingVariant, the value a PricingOffer). Rendering it
 * reports the exposure; "Buy" reports the conversion, both to /api/elite.
 */
export function PricingCard() {
  const variant = useVariant(CLIENT_PRICING_FLAG, 'control') ?? 'control';
  const offer = useFlagValue(CLIENT_PRICING_FLAG, offerOf('control'));
  const track = useTrack();
  const [bought, setBought] = useState(false);
  // Set once React has hydrated the server's HTML (the end-to-end test waits for it).
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);

  return (
    <section
      data-testid="client-offer"
      data-variant={variant}
      data-hydrated={hydrated ? 'true' : 'false'}
      style={{ border: '1px solid #2a3352', borderRadius: 16, padding: 32, background: '#121a33' }}
    >
      <h2 style={{ margin: 0 }}>{offer.plan}</h2>
      <p style={{ fontSize: 48, fontWeight: 700, margin: '16px 0' }}>
        ${offer.priceUsd}
        <span style={{ fontSize: 18, fontWeight: 400, opacity: 0.7 }}> / month</span>
      </p>
      <p>{offer.headline}</p>
      <button
        type="button"
        data-testid="buy"
        disabled={bought}
        onClick={() => {
          track(PURCHASE_EVENT, { value: offer.priceUsd, properties: { plan: offer.plan } });
          setBought(true);
        }}
        style={{ fontSize: 18, padding: '12px 24px', borderRadius: 10, border: 0, background: '#5b7cfa', color: 'white', cursor: 'pointer' }}
      >
        Buy for ${offer.priceUsd}
      </button>
      <p data-testid="buy-status" data-status={bought ? 'sent' : 'idle'}>
        {bought ? 'Thanks, you are subscribed.' : ''}
      </p>
    </section>
  );
}
