/**
 * The cryptography of request overrides, on Web Crypto (Node.js 20, Edge, browsers): the HMAC-SHA256
 * signature of the package's own cookie and header, and the decryption of the Vercel Toolbar's
 * `vercel-flag-overrides` cookie (a compact JWE, `alg: "dir"`, `enc: "A256GCM"`, keyed by the
 * base64url-decoded `FLAGS_SECRET`, whose claims are `{ o: overrides, pur: "overrides", exp }`).
 * Nothing here throws on a value from a request: a bad one is `undefined`.
 * @module
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Bytes of a base64url string (padding optional); undefined when it is not one. */
export function fromBase64url(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(text)) return undefined;
  try {
    const binary = atob(text.replace(/=+$/, '').replace(/-/g, '+').replace(/_/g, '/'));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

/** The base64url form (no padding) of bytes. */
export function toBase64url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** An HMAC-SHA256 key for signing and verifying. */
export const hmacKey = (secret: string): Promise<CryptoKey> =>
  crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);

/** An AES-256-GCM key for decrypting, from the 32 bytes of `FLAGS_SECRET`. */
export const aesKey = (bytes: Uint8Array<ArrayBuffer>): Promise<CryptoKey> =>
  crypto.subtle.importKey('raw', bytes, 'AES-GCM', false, ['decrypt']);

/** `payload.signature`, both base64url: the payload's JSON and its HMAC-SHA256. */
export async function sign(key: CryptoKey, json: string): Promise<string> {
  const payload = toBase64url(encoder.encode(json));
  const signature = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(payload)));
  return `${payload}.${toBase64url(signature)}`;
}

/** The JSON object a signed value carries when its signature holds (checked in constant time), else undefined. */
export async function verify(key: CryptoKey, value: string): Promise<Record<string, unknown> | undefined> {
  const [payload, signature, extra] = value.split('.');
  if (payload === undefined || signature === undefined || extra !== undefined) return undefined;
  const signatureBytes = fromBase64url(signature);
  const payloadBytes = fromBase64url(payload);
  if (signatureBytes === undefined || payloadBytes === undefined) return undefined;
  if (!(await crypto.subtle.verify('HMAC', key, signatureBytes, encoder.encode(payload)))) return undefined;
  return parse(decoder.decode(payloadBytes));
}

/**
 * The overrides of a `vercel-flag-overrides` cookie, or undefined when it does not decrypt with the key,
 * is not for overrides (`pur`), or has expired (`exp`, in seconds) or is not valid yet (`nbf`).
 */
export async function decryptVercelOverrides(key: CryptoKey, value: string, nowMs: number): Promise<unknown> {
  const parts = value.split('.');
  if (parts.length !== 5 || parts[1] !== '') return undefined;
  const [protectedHeader, , ivText, ciphertextText, tagText] = parts as [string, string, string, string, string];
  const header = fromBase64url(protectedHeader);
  const iv = fromBase64url(ivText);
  const ciphertext = fromBase64url(ciphertextText);
  const tag = fromBase64url(tagText);
  if (!header || !iv || !ciphertext || !tag || iv.length !== 12 || tag.length !== 16) return undefined;
  const h = parse(decoder.decode(header)) as { alg?: unknown; enc?: unknown; zip?: unknown } | undefined;
  if (h?.alg !== 'dir' || h.enc !== 'A256GCM' || h.zip !== undefined) return undefined;
  const sealed = new Uint8Array(ciphertext.length + tag.length);
  sealed.set(ciphertext);
  sealed.set(tag, ciphertext.length);
  let plain: ArrayBuffer;
  try {
    // The additional data is the protected header as it appears in the token (RFC 7516 §5.2).
    plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData: encoder.encode(protectedHeader) }, key, sealed);
  } catch {
    return undefined;
  }
  const claims = parse(decoder.decode(plain)) as { o?: unknown; pur?: unknown; exp?: unknown; nbf?: unknown } | undefined;
  if (claims === undefined || !Object.hasOwn(claims, 'o')) return undefined;
  const purpose = claims.pur;
  if (!(purpose === 'overrides' || (Array.isArray(purpose) && purpose.includes('overrides')))) return undefined;
  const now = nowMs / 1000;
  if (claims.exp !== undefined && !(typeof claims.exp === 'number' && claims.exp > now)) return undefined;
  if (claims.nbf !== undefined && !(typeof claims.nbf === 'number' && claims.nbf <= now)) return undefined;
  return claims.o;
}

/** The value of a JSON text that is an object, else undefined. */
function parse(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
