/**
 * The pricing experiments' results (`flags.results`): exposures, conversions and statistics
 * per variant. Put a reporting endpoint like this behind your admin authentication.
 */
import type { NextRequest } from 'next/server';
import { CLIENT_PRICING_FLAG, PRICING_FLAG, PURCHASE_EVENT } from '../../../lib/experiments';
import { flags } from '../../../lib/flags-server';
import { withRequestMetrics } from '../../../lib/telemetry-server';

export const dynamic = 'force-dynamic';

export const GET = withRequestMetrics('/api/results', async (request: NextRequest) => {
  const event = request.nextUrl.searchParams.get('event') ?? PURCHASE_EVENT;
  // `?flag=pricing-client`: the experiment of the client component (app/client).
  const flag = request.nextUrl.searchParams.get('flag') === CLIENT_PRICING_FLAG ? CLIENT_PRICING_FLAG : PRICING_FLAG;
  try {
    return Response.json(await flags.results(flag, { event }));
  } catch (error) {
    return Response.json({ error: error instanceof Error ? error.message : String(error) }, { status: 500 });
  }
});
