/**
 * An OTLP/HTTP receiver on 127.0.0.1 that follows the protocol as a collector does:
 * POST /v1/traces with `application/json` (the OTLP JSON encoding: hex ids, enum numbers,
 * 64-bit times as decimal strings), POST /v1/metrics with `application/json` or
 * `application/x-protobuf` (see otlp-metrics-decode.ts); another content type 415, another path
 * 404, malformed bodies 400, success 200 with an Export…ServiceResponse in the request's encoding
 * (an empty message: no partial success). Decoded spans and metrics are kept for the test to check.
 * @see https://opentelemetry.io/docs/specs/otlp/#otlphttp
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeMetricsJson, decodeMetricsProtobuf, type ReceivedMetric } from './otlp-metrics-decode.js';

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  status: { code?: number; message?: string };
  attributes: Record<string, unknown>;
  events: { name: string; attributes: Record<string, unknown> }[];
  resource: Record<string, unknown>;
  scope: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
}

type AnyValue = {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: AnyValue[] };
};
type KeyValue = { key: string; value: AnyValue };

const decodeValue = (v: AnyValue): unknown => {
  if ('stringValue' in v) return v.stringValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return v.doubleValue;
  if ('boolValue' in v) return v.boolValue;
  if ('arrayValue' in v) return (v.arrayValue?.values ?? []).map(decodeValue);
  throw new Error(`unsupported AnyValue ${JSON.stringify(v)}`);
};
const decodeAttributes = (list: KeyValue[] | undefined) => Object.fromEntries((list ?? []).map((kv) => [kv.key, decodeValue(kv.value)]));

const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;
const NANOS = /^\d{19}$/;

export function decodeTraces(body: unknown): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  const request = body as {
    resourceSpans?: {
      resource?: { attributes?: KeyValue[] };
      scopeSpans?: { scope?: { name?: string }; spans?: Record<string, unknown>[] }[];
    }[];
  };
  if (!Array.isArray(request.resourceSpans)) throw new Error('resourceSpans missing');
  for (const rs of request.resourceSpans) {
    const resource = decodeAttributes(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        if (!HEX32.test(String(s.traceId)) || !HEX16.test(String(s.spanId)))
          throw new Error(`bad ids ${String(s.traceId)}/${String(s.spanId)}`);
        if (s.parentSpanId !== undefined && s.parentSpanId !== '' && !HEX16.test(String(s.parentSpanId)))
          throw new Error('bad parentSpanId');
        if (!NANOS.test(String(s.startTimeUnixNano)) || !NANOS.test(String(s.endTimeUnixNano))) throw new Error('bad times');
        if (typeof s.name !== 'string' || typeof s.kind !== 'number') throw new Error('bad name/kind');
        out.push({
          traceId: s.traceId as string,
          spanId: s.spanId as string,
          parentSpanId: (s.parentSpanId as string | undefined) ?? '',
          name: s.name,
          kind: s.kind,
          status: (s.status as ReceivedSpan['status']) ?? {},
          attributes: decodeAttributes(s.attributes as KeyValue[]),
          events: ((s.events as { name: string; attributes?: KeyValue[] }[]) ?? []).map((e) => ({
            name: e.name,
            attributes: decodeAttributes(e.attributes),
          })),
          resource,
          scope: ss.scope?.name ?? '',
          startTimeUnixNano: s.startTimeUnixNano as string,
          endTimeUnixNano: s.endTimeUnixNano as string,
        });
      }
    }
  }
  return out;
}

export async function startOtlpReceiver() {
  const spans: ReceivedSpan[] = [];
  /** One entry per accepted /v1/metrics request, in arrival order. */
  const metricExports: ReceivedMetric[][] = [];
  const requests: { path: string; headers: IncomingHttpHeaders; status: number }[] = [];
  let waiters: (() => void)[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = (status: number, body: unknown) => {
        requests.push({ path: req.url ?? '', headers: req.headers, status });
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.method === 'POST' && req.url === '/v1/metrics') return receiveMetrics(req.headers, Buffer.concat(chunks), reply, res);
      if (req.method !== 'POST' || req.url !== '/v1/traces') return reply(404, { code: 5, message: 'not found' });
      if (!String(req.headers['content-type']).startsWith('application/json'))
        return reply(415, { code: 3, message: 'unsupported media type' });
      try {
        spans.push(...decodeTraces(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
      } catch (error) {
        return reply(400, { code: 3, message: (error as Error).message });
      }
      reply(200, { partialSuccess: {} });
      for (const w of waiters) w();
      waiters = [];
    });
  });
  const receiveMetrics = (
    headers: IncomingHttpHeaders,
    body: Buffer,
    reply: (status: number, body: unknown) => void,
    res: import('node:http').ServerResponse,
  ) => {
    const type = String(headers['content-type'] ?? '')
      .split(';')[0]
      ?.trim();
    if (type !== 'application/json' && type !== 'application/x-protobuf') return reply(415, { code: 3, message: 'unsupported media type' });
    try {
      metricExports.push(type === 'application/json' ? decodeMetricsJson(JSON.parse(body.toString('utf8'))) : decodeMetricsProtobuf(body));
    } catch (error) {
      return reply(400, { code: 3, message: (error as Error).message });
    }
    if (type === 'application/json') reply(200, {});
    else {
      // An empty ExportMetricsServiceResponse encodes as zero bytes.
      requests.push({ path: '/v1/metrics', headers, status: 200 });
      res.writeHead(200, { 'content-type': 'application/x-protobuf' });
      res.end();
    }
    for (const w of waiters) w();
    waiters = [];
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    spans,
    metricExports,
    requests,
    /** Resolves at the next accepted request (spans or metrics). */
    next: () => new Promise<void>((resolve) => waiters.push(resolve)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
