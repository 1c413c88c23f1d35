/**
 * Reading a form the browser posted: `application/x-www-form-urlencoded`, or `multipart/form-data`
 * for the forecast's CSV upload, with a size limit. The result is a list of fields in order
 * (a field may repeat); files are read as UTF-8 text.
 * @packageDocumentation
 */
import type { IncomingMessage } from 'node:http';

/** A posted form: every field's values in the order sent. */
export class FormFields {
  readonly #entries: [string, string][];
  constructor(entries: [string, string][]) {
    this.#entries = entries;
  }
  /** The first value of `name`, or undefined. */
  get(name: string): string | undefined {
    return this.#entries.find(([k]) => k === name)?.[1];
  }
  /** Every value of `name`. */
  getAll(name: string): string[] {
    return this.#entries.filter(([k]) => k === name).map(([, v]) => v);
  }
  /** Field names, in order, once each. */
  names(): string[] {
    return [...new Set(this.#entries.map(([k]) => k))];
  }
}

/** A request body the studio refuses: too large, or of a type it does not read. */
export class BodyError extends Error {
  override readonly name = 'BodyError';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** Reads the body, refusing more than `limitBytes` (413). */
async function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) throw new BodyError(`the request is larger than ${limitBytes} bytes`, 413);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limitBytes) throw new BodyError(`the request is larger than ${limitBytes} bytes`, 413);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The parts of a multipart body: each part's `name` and its content as text. */
function parseMultipart(body: Buffer, boundary: string): [string, string][] {
  const fields: [string, string][] = [];
  const delimiter = Buffer.from(`--${boundary}`);
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const next = body.indexOf(delimiter, start + delimiter.length);
    if (next === -1) break;
    // A part: CRLF, headers, CRLF CRLF, content, CRLF, then the next delimiter.
    const part = body.subarray(start + delimiter.length + 2, next - 2);
    const split = part.indexOf('\r\n\r\n');
    if (split !== -1) {
      const headers = part.subarray(0, split).toString('utf8');
      const name = /content-disposition:[^\r\n]*\bname="([^"]*)"/i.exec(headers)?.[1];
      if (name !== undefined) fields.push([name, part.subarray(split + 4).toString('utf8')]);
    }
    start = next;
  }
  return fields;
}

/** Reads a posted form. Other content types are refused (415), as are bodies over `limitBytes` (413). */
export async function readForm(req: IncomingMessage, limitBytes = 1_000_000): Promise<FormFields> {
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  const body = await readBody(req, limitBytes);
  if (type.startsWith('application/x-www-form-urlencoded')) return new FormFields([...new URLSearchParams(body.toString('utf8'))]);
  if (type.startsWith('multipart/form-data')) {
    const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(req.headers['content-type'] ?? '');
    const value = boundary?.[1] ?? boundary?.[2];
    if (value === undefined) throw new BodyError('a multipart form without a boundary', 400);
    return new FormFields(parseMultipart(body, value.trim()));
  }
  throw new BodyError('the studio reads forms only (application/x-www-form-urlencoded or multipart/form-data)', 415);
}
