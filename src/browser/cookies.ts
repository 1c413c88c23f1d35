/**
 * The value of cookie `name` in the request's `Cookie` header, decoded, or undefined. For the
 * `user` option of `createTrackingHandler` with a plain Web `Request` (a Next.js `NextRequest`
 * has `request.cookies.get(name)` too).
 */
export function readCookie(request: Request, name: string): string | undefined {
  const header = request.headers.get('cookie');
  if (header === null) return undefined;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) {
      try {
        return decodeURIComponent(part.slice(at + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
