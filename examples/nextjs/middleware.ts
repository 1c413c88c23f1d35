/**
 * Edge middleware: gives every visitor an anonymous id, assigns the pricing variant and
 * keeps both in cookies. The page is told the assignment through request headers, and the
 * response carries it in `x-elite-variant` (for CDN logs and the end-to-end test).
 *
 * Evaluation here is synchronous and local (`getVariantSync` on the Edge client of
 * lib/flags-edge.ts), so the middleware adds no network round trip, and records no exposures.
 *
 * `/flags-sdk` is the Flags SDK's precompute pattern: the flags of lib/flags-sdk.ts are
 * evaluated here (through our adapter, or from a Flags Explorer override) into a signed code,
 * and the request is rewritten to the static page prerendered for that code.
 */
import { evaluate, serialize } from 'flags/next';
import { type NextRequest, NextResponse } from 'next/server';
import { isPricingVariant, isUserId, PRICING_FLAG, USER_COOKIE, USER_HEADER, VARIANT_COOKIE, VARIANT_HEADER } from './lib/experiments';
import { edgeFlags } from './lib/flags-edge';
import { precomputeFlags } from './lib/flags-sdk';

const YEAR_S = 365 * 24 * 60 * 60;
/** The page served by the precompute pattern; app/flags-sdk/[code] holds its prerendered permutations. */
const PRECOMPUTED_PAGE = '/flags-sdk';

export async function middleware(request: NextRequest) {
  const fromCookie = request.cookies.get(USER_COOKIE)?.value;
  const userId = isUserId(fromCookie) ? fromCookie : crypto.randomUUID();
  const assigned = edgeFlags.getVariantSync(PRICING_FLAG, userId, 'control');
  const variant = isPricingVariant(assigned) ? assigned : 'control';

  // Headers forwarded to the page; set here unconditionally, so a client cannot send its own.
  const headers = new Headers(request.headers);
  headers.set(USER_HEADER, userId);
  headers.set(VARIANT_HEADER, variant);
  if (userId !== fromCookie) {
    // A minted id goes into the forwarded cookies too: the rewrite below is routed through this
    // middleware again, which must keep this id rather than mint a second one (the browser would
    // store the second, and the page would show the first one's variant).
    request.cookies.set(USER_COOKIE, userId);
    headers.set('cookie', request.cookies.toString());
  }

  let response: NextResponse;
  if (request.nextUrl.pathname === PRECOMPUTED_PAGE) {
    // `precompute(flags)` is `evaluate` then `serialize`; evaluate is given the forwarded headers
    // so that `identify` sees the id minted just above on a first visit (and the cookies, which
    // carry a Flags Explorer override).
    const values = await evaluate(precomputeFlags, new Request(request.url, { headers }));
    const code = await serialize(precomputeFlags, values);
    response = NextResponse.rewrite(new URL(`${PRECOMPUTED_PAGE}/${code}`, request.url), { request: { headers } });
  } else {
    response = NextResponse.next({ request: { headers } });
  }

  response.headers.set(VARIANT_HEADER, variant);
  if (userId !== fromCookie) {
    response.cookies.set(USER_COOKIE, userId, { httpOnly: true, sameSite: 'lax', path: '/', maxAge: YEAR_S });
  }
  if (request.cookies.get(VARIANT_COOKIE)?.value !== variant) {
    response.cookies.set(VARIANT_COOKIE, variant, { sameSite: 'lax', path: '/', maxAge: YEAR_S });
  }
  return response;
}

export const config = {
  // Pages only: API routes read the id cookie themselves; static assets, metadata files (icon.svg,
  // robots.txt, images) and the Flags Explorer's /.well-known endpoint need no assignment. Were
  // they matched, a browser's late icon request could mint a second id for a visitor whose
  // cookies were just cleared.
  matcher: ['/((?!api/|\\.well-known/|_next/static|_next/image|[^?]*\\.(?:ico|svg|png|jpe?g|gif|webp|txt|xml|webmanifest)).*)'],
};
