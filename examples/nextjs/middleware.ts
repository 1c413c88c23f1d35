/**
 * Edge middleware: gives every visitor an anonymous id, assigns the pricing variant and
 * keeps both in cookies. The page is told the assignment through request headers, and the
 * response carries it in `x-elite-variant` (for CDN logs and the end-to-end test).
 *
 * Evaluation here is synchronous and local (`getVariantSync` on a client built from the
 * shared definitions), so the middleware adds no network round trip. It records no
 * exposures: the Edge realm's memory is not the Node one's, and the page records the
 * exposure when it actually renders the variant.
 */
import { createFlags } from '@tiqology/elite/flags';
import { type NextRequest, NextResponse } from 'next/server';
import { FLAGS, isPricingVariant, isUserId, PRICING_FLAG, USER_COOKIE, USER_HEADER, VARIANT_COOKIE, VARIANT_HEADER } from './lib/experiments';

// Module scope: built once per Edge isolate, reused by every request it serves. The bootstrap
// definitions stay in force past the cache TTL: the client's own (empty) memory store never
// had these flags, so they are the fallback.
const edgeFlags = createFlags({ bootstrap: FLAGS, trackExposures: false });

const YEAR_S = 365 * 24 * 60 * 60;

export function middleware(request: NextRequest) {
  const fromCookie = request.cookies.get(USER_COOKIE)?.value;
  const userId = isUserId(fromCookie) ? fromCookie : crypto.randomUUID();
  const assigned = edgeFlags.getVariantSync(PRICING_FLAG, userId, 'control');
  const variant = isPricingVariant(assigned) ? assigned : 'control';

  // Headers forwarded to the page; set here unconditionally, so a client cannot send its own.
  const headers = new Headers(request.headers);
  headers.set(USER_HEADER, userId);
  headers.set(VARIANT_HEADER, variant);
  const response = NextResponse.next({ request: { headers } });

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
  // Pages only: API routes read the id cookie themselves; static assets and metadata files
  // (icon.svg, robots.txt, images) need no assignment. Were they matched, a browser's late icon
  // request could mint a second id for a visitor whose cookies were just cleared.
  matcher: ['/((?!api/|_next/static|_next/image|[^?]*\\.(?:ico|svg|png|jpe?g|gif|webp|txt|xml|webmanifest)).*)'],
};
