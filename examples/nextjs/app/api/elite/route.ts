/**
 * Where the browser reports exposures and conversions (`FlagsProvider endpoint="/api/elite"`):
 * the SDK's tracking handler checks the schema, size, rate and every variant against the
 * server's evaluation before anything reaches the store. `GET` shows its counters (refusals
 * included); put that behind your admin authentication.
 */
import { tracking } from '../../../lib/flags-browser';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

export const POST = (request: Request) => tracking(request);
export const GET = () => Response.json(tracking.stats());
