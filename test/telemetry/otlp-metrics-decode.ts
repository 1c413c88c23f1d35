/**
 * Decoding of an OTLP ExportMetricsServiceRequest, as a collector's OTLP/HTTP receiver does, in both
 * encodings the protocol allows: JSON (`application/json`: 64-bit integers as decimal strings or
 * numbers, enums as numbers, lowerCamelCase fields) and binary protobuf (`application/x-protobuf`),
 * the latter read field by field with the numbers of opentelemetry/proto metrics/v1/metrics.proto,
 * common/v1/common.proto and resource/v1/resource.proto. Anything malformed throws (the receiver
 * answers 400).
 * @see https://opentelemetry.io/docs/specs/otlp/#otlphttp
 */

export interface ReceivedPoint {
  attributes: Record<string, unknown>;
  startTimeUnixNano: string;
  timeUnixNano: string;
  /** Sum and gauge points. */
  value?: number;
  /** Histogram points. */
  count?: number;
  sum?: number;
  bucketCounts?: number[];
  explicitBounds?: number[];
}

export interface ReceivedMetric {
  name: string;
  description: string;
  unit: string;
  kind: 'sum' | 'gauge' | 'histogram';
  /** 1 delta, 2 cumulative (sum and histogram). */
  temporality?: number;
  monotonic?: boolean;
  points: ReceivedPoint[];
  resource: Record<string, unknown>;
  scope: string;
}

const NANOS = /^\d{1,20}$/;
const TEMPORALITIES = new Set([1, 2]);

const u64 = (value: unknown, field: string): number => {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  throw new Error(`${field}: not a uint64`);
};
const nanos = (value: unknown, field: string): string => {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !NANOS.test(text)) throw new Error(`${field}: not a time in ns`);
  return text;
};

// ---- JSON ------------------------------------------------------------------------------------

type Json = Record<string, unknown>;
const obj = (value: unknown, field: string): Json => {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${field}: not an object`);
  return value as Json;
};
const arr = (value: unknown, field: string): unknown[] => {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new Error(`${field}: not an array`);
  return value;
};

function jsonAnyValue(value: unknown): unknown {
  const v = obj(value, 'AnyValue');
  if ('stringValue' in v) return String(v.stringValue);
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return Number(v.doubleValue);
  if ('boolValue' in v) return Boolean(v.boolValue);
  if ('arrayValue' in v) return arr(obj(v.arrayValue, 'arrayValue').values, 'values').map(jsonAnyValue);
  throw new Error(`unsupported AnyValue ${JSON.stringify(v)}`);
}
const jsonAttributes = (list: unknown) =>
  Object.fromEntries(
    arr(list, 'attributes').map((kv) => {
      const { key, value } = obj(kv, 'KeyValue');
      if (typeof key !== 'string') throw new Error('KeyValue.key: not a string');
      return [key, jsonAnyValue(value)];
    }),
  );

function jsonPoint(raw: unknown, kind: ReceivedMetric['kind']): ReceivedPoint {
  const p = obj(raw, 'dataPoint');
  const point: ReceivedPoint = {
    attributes: jsonAttributes(p.attributes),
    startTimeUnixNano: nanos(p.startTimeUnixNano, 'startTimeUnixNano'),
    timeUnixNano: nanos(p.timeUnixNano, 'timeUnixNano'),
  };
  if (kind === 'histogram') {
    point.count = u64(p.count, 'count');
    if (p.sum !== undefined) point.sum = Number(p.sum);
    point.bucketCounts = arr(p.bucketCounts, 'bucketCounts').map((c) => u64(c, 'bucketCounts'));
    point.explicitBounds = arr(p.explicitBounds, 'explicitBounds').map(Number);
  } else if ('asDouble' in p) point.value = Number(p.asDouble);
  else if ('asInt' in p) point.value = Number(p.asInt);
  else throw new Error('number point without asDouble/asInt');
  return point;
}

function jsonMetric(raw: unknown, resource: Record<string, unknown>, scope: string): ReceivedMetric {
  const m = obj(raw, 'metric');
  if (typeof m.name !== 'string' || m.name === '') throw new Error('metric.name missing');
  const kinds = (['sum', 'gauge', 'histogram', 'exponentialHistogram', 'summary'] as const).filter((k) => m[k] !== undefined);
  if (kinds.length !== 1) throw new Error(`metric ${m.name}: exactly one data field expected, got ${kinds.join(',') || 'none'}`);
  const kind = kinds[0] as ReceivedMetric['kind'];
  if (kind !== 'sum' && kind !== 'gauge' && kind !== 'histogram') throw new Error(`metric ${m.name}: ${kind} not expected here`);
  const data = obj(m[kind], kind);
  const metric: ReceivedMetric = {
    name: m.name,
    description: String(m.description ?? ''),
    unit: String(m.unit ?? ''),
    kind,
    points: arr(data.dataPoints, 'dataPoints').map((p) => jsonPoint(p, kind)),
    resource,
    scope,
  };
  if (kind !== 'gauge') metric.temporality = Number(data.aggregationTemporality);
  if (kind === 'sum') metric.monotonic = data.isMonotonic === true;
  return metric;
}

/** The metrics of an OTLP JSON request body (already parsed). */
export function decodeMetricsJson(body: unknown): ReceivedMetric[] {
  const request = obj(body, 'request');
  if (!Array.isArray(request.resourceMetrics)) throw new Error('resourceMetrics missing');
  const out: ReceivedMetric[] = [];
  for (const rm of request.resourceMetrics) {
    const r = obj(rm, 'resourceMetrics');
    const resource = jsonAttributes(r.resource === undefined ? [] : obj(r.resource, 'resource').attributes);
    for (const sm of arr(r.scopeMetrics, 'scopeMetrics')) {
      const s = obj(sm, 'scopeMetrics');
      const scope = s.scope === undefined ? '' : String(obj(s.scope, 'scope').name ?? '');
      for (const m of arr(s.metrics, 'metrics')) out.push(jsonMetric(m, resource, scope));
    }
  }
  return check(out);
}

// ---- protobuf --------------------------------------------------------------------------------

/** One field of a protobuf message: its number, wire type and raw value. */
interface Field {
  no: number;
  wire: number;
  /** Varint (as bigint), fixed64/fixed32 (bytes), or the bytes of a length-delimited field. */
  varint?: bigint;
  bytes?: Uint8Array;
}

function readVarint(buf: Uint8Array, pos: { i: number }): bigint {
  let result = 0n;
  for (let shift = 0n; shift < 70n; shift += 7n) {
    if (pos.i >= buf.length) throw new Error('protobuf: truncated varint');
    const byte = buf[pos.i++] as number;
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return result;
  }
  throw new Error('protobuf: varint too long');
}

function fields(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  const pos = { i: 0 };
  while (pos.i < buf.length) {
    const key = readVarint(buf, pos);
    const no = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (no === 0) throw new Error('protobuf: field number 0');
    const take = (n: number) => {
      if (pos.i + n > buf.length) throw new Error('protobuf: truncated field');
      const bytes = buf.subarray(pos.i, pos.i + n);
      pos.i += n;
      return bytes;
    };
    if (wire === 0) out.push({ no, wire, varint: readVarint(buf, pos) });
    else if (wire === 1) out.push({ no, wire, bytes: take(8) });
    else if (wire === 2) out.push({ no, wire, bytes: take(Number(readVarint(buf, pos))) });
    else if (wire === 5) out.push({ no, wire, bytes: take(4) });
    else throw new Error(`protobuf: unsupported wire type ${wire}`);
  }
  return out;
}

const expectWire = (f: Field, wire: number, what: string) => {
  if (f.wire !== wire) throw new Error(`protobuf: ${what} has wire type ${f.wire}, expected ${wire}`);
};
const str = (f: Field, what: string) => {
  expectWire(f, 2, what);
  return new TextDecoder('utf-8', { fatal: true }).decode(f.bytes);
};
const fixed64 = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
const double = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, 8).getFloat64(0, true);
const f64 = (f: Field, what: string) => {
  expectWire(f, 1, what);
  return fixed64(f.bytes as Uint8Array);
};
const dbl = (f: Field, what: string) => {
  expectWire(f, 1, what);
  return double(f.bytes as Uint8Array);
};
/** A repeated fixed64/double field: packed (one length-delimited run) or one value per field. */
const packed = (f: Field, read: (bytes: Uint8Array) => number | bigint): number[] => {
  if (f.wire === 1) return [Number(read(f.bytes as Uint8Array))];
  expectWire(f, 2, 'packed field');
  const bytes = f.bytes as Uint8Array;
  if (bytes.length % 8 !== 0) throw new Error('protobuf: packed 64-bit run not a multiple of 8');
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i += 8) out.push(Number(read(bytes.subarray(i, i + 8))));
  return out;
};

function pbAnyValue(buf: Uint8Array): unknown {
  for (const f of fields(buf)) {
    if (f.no === 1) return str(f, 'AnyValue.string_value');
    if (f.no === 2) return f.varint !== 0n;
    if (f.no === 3) return Number(BigInt.asIntN(64, f.varint as bigint));
    if (f.no === 4) return dbl(f, 'AnyValue.double_value');
    if (f.no === 5)
      return fields(f.bytes as Uint8Array)
        .filter((v) => v.no === 1)
        .map((v) => pbAnyValue(v.bytes as Uint8Array));
  }
  throw new Error('protobuf: unsupported AnyValue');
}
function pbKeyValue(buf: Uint8Array): [string, unknown] {
  let key: string | undefined;
  let value: unknown;
  for (const f of fields(buf)) {
    if (f.no === 1) key = str(f, 'KeyValue.key');
    if (f.no === 2) value = pbAnyValue(f.bytes as Uint8Array);
  }
  if (key === undefined) throw new Error('protobuf: KeyValue without key');
  return [key, value];
}

function pbPoint(buf: Uint8Array, kind: ReceivedMetric['kind']): ReceivedPoint {
  const point: ReceivedPoint = { attributes: {}, startTimeUnixNano: '0', timeUnixNano: '0' };
  const attributesNo = kind === 'histogram' ? 9 : 7;
  for (const f of fields(buf)) {
    if (f.no === attributesNo) {
      const [key, value] = pbKeyValue(f.bytes as Uint8Array);
      point.attributes[key] = value;
    } else if (f.no === 2) point.startTimeUnixNano = String(f64(f, 'start_time_unix_nano'));
    else if (f.no === 3) point.timeUnixNano = String(f64(f, 'time_unix_nano'));
    else if (kind !== 'histogram' && f.no === 4) point.value = dbl(f, 'as_double');
    else if (kind !== 'histogram' && f.no === 6) {
      expectWire(f, 1, 'as_int');
      point.value = Number(BigInt.asIntN(64, fixed64(f.bytes as Uint8Array)));
    } else if (kind === 'histogram' && f.no === 4) point.count = Number(f64(f, 'count'));
    else if (kind === 'histogram' && f.no === 5) point.sum = dbl(f, 'sum');
    else if (kind === 'histogram' && f.no === 6) point.bucketCounts = [...(point.bucketCounts ?? []), ...packed(f, fixed64)];
    else if (kind === 'histogram' && f.no === 7) point.explicitBounds = [...(point.explicitBounds ?? []), ...packed(f, double)];
  }
  if (kind === 'histogram') {
    point.count ??= 0;
    point.bucketCounts ??= [];
    point.explicitBounds ??= [];
  } else if (point.value === undefined) throw new Error('protobuf: number point without as_double/as_int');
  return point;
}

const KIND_BY_FIELD: Record<number, ReceivedMetric['kind'] | 'other'> = { 5: 'gauge', 7: 'sum', 9: 'histogram', 10: 'other', 11: 'other' };

function pbMetric(buf: Uint8Array, resource: Record<string, unknown>, scope: string): ReceivedMetric {
  const metric: ReceivedMetric = { name: '', description: '', unit: '', kind: 'gauge', points: [], resource, scope };
  let dataFields = 0;
  for (const f of fields(buf)) {
    if (f.no === 1) metric.name = str(f, 'Metric.name');
    else if (f.no === 2) metric.description = str(f, 'Metric.description');
    else if (f.no === 3) metric.unit = str(f, 'Metric.unit');
    else if (KIND_BY_FIELD[f.no] !== undefined) {
      dataFields++;
      const kind = KIND_BY_FIELD[f.no];
      if (kind === 'other') throw new Error(`metric ${metric.name}: exponential histogram or summary not expected here`);
      metric.kind = kind as ReceivedMetric['kind'];
      for (const d of fields(f.bytes as Uint8Array)) {
        if (d.no === 1) metric.points.push(pbPoint(d.bytes as Uint8Array, metric.kind));
        else if (d.no === 2 && metric.kind !== 'gauge') metric.temporality = Number(d.varint);
        else if (d.no === 3 && metric.kind === 'sum') metric.monotonic = d.varint !== 0n;
      }
      if (metric.kind === 'sum') metric.monotonic ??= false;
    }
  }
  if (metric.name === '') throw new Error('metric.name missing');
  if (dataFields !== 1) throw new Error(`metric ${metric.name}: exactly one data field expected, got ${dataFields}`);
  return metric;
}

/** The metrics of an OTLP protobuf request body. */
export function decodeMetricsProtobuf(body: Uint8Array): ReceivedMetric[] {
  const out: ReceivedMetric[] = [];
  for (const rm of fields(body)) {
    if (rm.no !== 1) continue;
    expectWire(rm, 2, 'resource_metrics');
    const resource: Record<string, unknown> = {};
    const scopes: Uint8Array[] = [];
    for (const f of fields(rm.bytes as Uint8Array)) {
      if (f.no === 1) {
        for (const a of fields(f.bytes as Uint8Array)) {
          if (a.no !== 1) continue;
          const [key, value] = pbKeyValue(a.bytes as Uint8Array);
          resource[key] = value;
        }
      } else if (f.no === 2) scopes.push(f.bytes as Uint8Array);
    }
    for (const sm of scopes) {
      let scope = '';
      const metrics: Uint8Array[] = [];
      for (const f of fields(sm)) {
        if (f.no === 1) for (const s of fields(f.bytes as Uint8Array)) if (s.no === 1) scope = str(s, 'scope.name');
        if (f.no === 2) metrics.push(f.bytes as Uint8Array);
      }
      for (const m of metrics) out.push(pbMetric(m, resource, scope));
    }
  }
  return check(out);
}

/** What a metric must satisfy whatever the encoding: known temporality, consistent histogram buckets. */
function check(metrics: ReceivedMetric[]): ReceivedMetric[] {
  for (const m of metrics) {
    if (m.kind !== 'gauge' && !TEMPORALITIES.has(m.temporality as number)) throw new Error(`metric ${m.name}: bad aggregationTemporality`);
    for (const p of m.points) {
      if (BigInt(p.timeUnixNano) < BigInt(p.startTimeUnixNano)) throw new Error(`metric ${m.name}: time before start time`);
      if (m.kind !== 'histogram') continue;
      const counts = p.bucketCounts ?? [];
      const bounds = p.explicitBounds ?? [];
      // No buckets at all is allowed (count and sum only); else one more count than bounds.
      if ((counts.length > 0 || bounds.length > 0) && counts.length !== bounds.length + 1)
        throw new Error(`metric ${m.name}: bucketCounts must be explicitBounds + 1`);
      if (counts.length > 0 && counts.reduce((a, b) => a + b, 0) !== p.count)
        throw new Error(`metric ${m.name}: bucketCounts do not add up to count`);
    }
  }
  return metrics;
}
