/**
 * A series from the telemetry's Prometheus, for the forecast page: one PromQL query over the last
 * 14 days at an hourly step (`/api/v1/query_range`), turned into CSV text for the CSV reader. The
 * base URL is given when the studio starts (never typed into the page, never shown), so the page
 * cannot be used to make the studio fetch other addresses.
 * @packageDocumentation
 */

const DAY_MS = 86_400_000;

/** The query's first series as CSV (`timestamp,value`), or a message saying why not. */
export async function readPrometheusCsv(
  baseUrl: string,
  promql: string,
  now: number = Date.now(),
): Promise<{ text: string; label: string } | string> {
  if (promql.length > 2_000) return 'the PromQL query is longer than 2000 characters';
  const end = Math.floor(now / 3_600_000) * 3_600;
  const url = new URL('api/v1/query_range', baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  url.searchParams.set('query', promql);
  url.searchParams.set('start', String(end - (14 * DAY_MS) / 1000));
  url.searchParams.set('end', String(end));
  url.searchParams.set('step', '3600');
  let body: { status?: string; error?: string; data?: { result?: { values?: [number, string][] }[] } };
  try {
    // fetch refuses URLs with credentials: user:password@ becomes a Basic authorization header.
    const headers: Record<string, string> = {};
    if (url.username !== '' || url.password !== '') {
      headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
      url.username = '';
      url.password = '';
    }
    const response = await fetch(url, { headers, signal: AbortSignal.timeout(15_000) });
    body = (await response.json()) as typeof body;
    if (!response.ok || body.status !== 'success') return `Prometheus refused the query: ${body.error ?? `HTTP ${response.status}`}`;
  } catch (error) {
    return `cannot read Prometheus: ${(error as Error).name === 'TimeoutError' ? 'no answer in 15 s' : 'unreachable'}`;
  }
  const values = body.data?.result?.[0]?.values ?? [];
  if (values.length === 0) return 'the query returned no series: check it in Prometheus first';
  const rows = values.map(([t, v]) => `${new Date(t * 1000).toISOString()},${v}`);
  return { text: `timestamp,value\n${rows.join('\n')}\n`, label: `Prometheus: ${promql}` };
}
