/**
 * A UUID version 7 (RFC 9562): the first 48 bits are the Unix time in milliseconds, the rest is
 * random (74 bits) with the version and variant bits set. Ids made in time order sort in time
 * order, so a store's unique index on them grows at its right edge instead of on a random page
 * per insert (docs/benchmarks.md, "event ids in time order"). The random bits come from
 * `crypto.randomUUID()` (Node.js ≥ 19, browsers, Edge runtimes), whose variant bits are already
 * RFC 9562's.
 */
export function uuidV7(nowMs: number = Date.now()): string {
  const ms = Math.max(0, Math.floor(nowMs));
  if (ms !== lastMs) {
    // Ids made within one millisecond share their time field: spelled out once (most of the cost).
    const time = ms.toString(16).padStart(12, '0').slice(-12);
    lastPrefix = `${time.slice(0, 8)}-${time.slice(8, 12)}-7`;
    lastMs = ms;
  }
  return lastPrefix + globalThis.crypto.randomUUID().slice(15); // xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx
}

let lastMs = -1;
let lastPrefix = '';
