/**
 * A UUID version 7 (RFC 9562): the first 48 bits are the Unix time in milliseconds, the rest is
 * random (74 bits) with the version and variant bits set. Ids made in time order sort in time
 * order, so a store's unique index on them grows at its right edge instead of on a random page
 * per insert (docs/benchmarks.md, "event ids in time order"). The random bits come from
 * `crypto.randomUUID()` (Node.js ≥ 19, browsers, Edge runtimes), whose variant bits are already
 * RFC 9562's.
 */
export function uuidV7(nowMs: number = Date.now()): string {
  const random = globalThis.crypto.randomUUID(); // xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx
  const time = Math.max(0, Math.floor(nowMs)).toString(16).padStart(12, '0').slice(-12);
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${random.slice(15)}`;
}
