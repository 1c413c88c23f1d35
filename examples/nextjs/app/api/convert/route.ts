/**
 * Records a purchase for the visitor's experiment: `flags.track` buffers the event and
 * `after()` flushes it once the response is sent (`waitUntil(flags.flush())` on platforms
 * that freeze the function after responding).
 */
import { after, type NextRequest } from 'next/server';
import { isPricingVariant, isUserId, offerOf, PRICING_FLAG, PURCHASE_EVENT, USER_COOKIE } from '../../../lib/experiments';
import { flags } from '../../../lib/flags-server';
import { withRequestMetrics } from '../../../lib/telemetry-server';

export const POST = withRequestMetrics('/api/convert', async (request: NextRequest) => {
  const userId = request.cookies.get(USER_COOKIE)?.value;
  if (!isUserId(userId)) {
    return Response.json({ ok: false, error: 'no visitor id: load the pricing page first' }, { status: 400 });
  }
  // The price charged is the one the user was shown: the same deterministic assignment.
  const served = await flags.getVariant(PRICING_FLAG, userId, 'control');
  const variant = isPricingVariant(served) ? served : 'control';
  flags.track(PURCHASE_EVENT, userId, { value: offerOf(variant).priceUsd, properties: { plan: offerOf(variant).plan } });
  after(() => flags.flush());
  return Response.json({ ok: true, variant });
});
