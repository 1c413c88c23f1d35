/**
 * The pricing offer in a client component. This server component evaluates the flag for the
 * visitor and hands the answer (not the flag's definition) to `FlagsProvider`; the client
 * component renders from it, on the server and again when hydrating, so both agree and the
 * first paint already shows the visitor's price.
 */
import { FlagsProvider } from '@tiqology/elite/react';
import { createSnapshot } from '@tiqology/elite/react/server';
import { cookies, headers } from 'next/headers';
import { CLIENT_PRICING_FLAG, isUserId, USER_COOKIE, USER_HEADER } from '../../lib/experiments';
import { browserFlags } from '../../lib/flags-browser';
import { PricingCard } from './pricing-card';

export const dynamic = 'force-dynamic';

export default async function ClientPricingPage() {
  const forwarded = (await headers()).get(USER_HEADER);
  const userId = isUserId(forwarded) ? forwarded : (await cookies()).get(USER_COOKIE)?.value;
  const snapshot = isUserId(userId) ? await createSnapshot(browserFlags, userId, { flags: [CLIENT_PRICING_FLAG] }) : { v: 1 as const, flags: {} };
  return (
    <main style={{ maxWidth: 560, margin: '64px auto', padding: '0 24px' }}>
      <p style={{ opacity: 0.7, margin: 0 }}>TiQology Chat</p>
      <h1 style={{ fontSize: 40, margin: '8px 0 24px' }}>Choose your plan</h1>
      <FlagsProvider snapshot={snapshot} endpoint="/api/elite">
        <PricingCard />
      </FlagsProvider>
    </main>
  );
}
