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

/**
 * The fields of a multipart body, in order, files read as UTF-8 text. Parsed by the runtime's own
 * `Response.formData()` (the Fetch standard's multipart parser, undici's in Node.js): a body it
 * cannot read is refused (400).
 */
async function multipartFields(body: Buffer, contentType: string): Promise<[string, string][]> {
  let form: FormData;
  try {
    form = await new Response(new Uint8Array(body), { headers: { 'content-type': contentType } }).formData();
  } catch (error) {
    throw new BodyError(`a multipart form the studio cannot read (${error instanceof Error ? error.message : String(error)})`, 400);
  }
  const entries: [string, FormDataEntryValue][] = [];
  form.forEach((value, name) => {
    entries.push([name, value]);
  });
  return Promise.all(
    entries.map(async ([name, value]): Promise<[string, string]> => [name, typeof value === 'string' ? value : await value.text()]),
  );
}

/** Reads a posted form. Other content types are refused (415), as are bodies over `limitBytes` (413). */
export async function readForm(req: IncomingMessage, limitBytes = 1_000_000): Promise<FormFields> {
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  const body = await readBody(req, limitBytes);
  if (type.startsWith('application/x-www-form-urlencoded')) return new FormFields([...new URLSearchParams(body.toString('utf8'))]);
  if (type.startsWith('multipart/form-data')) {
    const contentType = req.headers['content-type'] ?? '';
    if (!/;\s*boundary=/i.test(contentType)) throw new BodyError('a multipart form without a boundary', 400);
    return new FormFields(await multipartFields(body, contentType));
  }
  throw new BodyError('the studio reads forms only (application/x-www-form-urlencoded or multipart/form-data)', 415);
}
