/**
 * The pricing page: a server component. The variant is computed here, on the server, and
 * passed down as props; the client never evaluates the flag, so hydration cannot disagree.
 */
import { cookies, headers } from 'next/headers';
import { after } from 'next/server';
import { isPricingVariant, isUserId, offerOf, PRICING_FLAG, USER_COOKIE, USER_HEADER, VARIANT_HEADER } from '../lib/experiments';
import { flags } from '../lib/flags-server';
import { ChatBox } from './chat-box';
import { ConvertButton } from './convert-button';

// Per-user content: never prerendered or cached.
export const dynamic = 'force-dynamic';

export default async function PricingPage() {
  const requestHeaders = await headers();
  // The middleware forwards the id it assigned (a first visit has no cookie yet).
  const forwarded = requestHeaders.get(USER_HEADER);
  const userId = isUserId(forwarded) ? forwarded : (await cookies()).get(USER_COOKIE)?.value;
  // Evaluated again on Node, from the same definitions: the same variant as the middleware's,
  // and this call records the exposure, where the variant is actually shown.
  const served = isUserId(userId) ? await flags.getVariant(PRICING_FLAG, userId, 'control') : 'control';
  const variant = isPricingVariant(served) ? served : 'control';
  const offer = offerOf(variant);
  // The exposure is buffered; deliver it once the page is sent, before a serverless function
  // can be frozen (a long-running `next start` would also flush it on its 1 s timer).
  after(() => flags.flush());

  return (
    <main style={{ maxWidth: 560, margin: '64px auto', padding: '0 24px' }}>
      <p style={{ opacity: 0.7, margin: 0 }}>TiQology Chat</p>
      <h1 style={{ fontSize: 40, margin: '8px 0 24px' }}>Choose your plan</h1>
      <section
        data-testid="offer"
        data-variant={variant}
        data-middleware-variant={requestHeaders.get(VARIANT_HEADER) ?? ''}
        style={{ border: '1px solid #2a3352', borderRadius: 16, padding: 32, background: '#121a33' }}
      >
        <h2 style={{ margin: 0 }}>{offer.plan}</h2>
        <p style={{ fontSize: 48, fontWeight: 700, margin: '16px 0' }}>
          ${offer.priceUsd}
          <span style={{ fontSize: 18, fontWeight: 400, opacity: 0.7 }}> / month</span>
        </p>
        <p>{offer.headline}</p>
        <ConvertButton priceUsd={offer.priceUsd} />
      </section>
      <p style={{ opacity: 0.6, fontSize: 14 }}>
        Experiment <code>{PRICING_FLAG}</code>, variant <code data-testid="variant">{variant}</code>
      </p>
      <ChatBox />
    </main>
  );
}
