/**
 * The studio's one way to write HTML: a tagged template that escapes every interpolated value.
 * A value is text unless it is an {@link Html} made by this module (a nested `html` template, or
 * {@link trustedSvg} for the charts our own renderers draw), so a flag description holding
 * `<script>` is shown as those characters, never run.
 * @packageDocumentation
 */

/** Markup that is already safe to insert: made by {@link html} or {@link trustedSvg} only. */
export class Html {
  readonly #markup: string;
  constructor(markup: string, token: symbol) {
    // Only this module holds the token: nothing else can mark a string as safe.
    if (token !== TOKEN) throw new TypeError('Html is made by html`` or trustedSvg()');
    this.#markup = markup;
  }
  /** The markup. */
  toString(): string {
    return this.#markup;
  }
}

const TOKEN = Symbol('studio-html');

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

/** Text as HTML text or as a quoted attribute value: `& < > " ' \`` escaped. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"'`]/g, (c) => ESCAPES[c] as string);

/** A value inside a template: Html as is, arrays joined, nothing for `undefined`, `null` and `false`, the rest escaped as text. */
function render(value: unknown): string {
  if (value instanceof Html) return value.toString();
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(String(value));
}

/** Tagged template: `html\`<td>${flag.description}</td>\`` escapes the description. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] as string;
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] as string);
  return new Html(out, TOKEN);
}

/**
 * An SVG document our own renderers made (`toSVG`, `experimentToSVG`, the studio's interval
 * chart), which escape the text they draw. Refuses anything with a script, an event handler or
 * a foreign object, so that a renderer's bug cannot become script on the page.
 */
export function trustedSvg(svg: string): Html {
  const body = svg.replace(/^<\?xml[^>]*>\s*/, '');
  if (!body.startsWith('<svg') || /<script|<foreignObject|\son[a-z]+\s*=|javascript:/i.test(body)) {
    throw new Error('studio: refused an SVG chart that is not plain drawing');
  }
  return new Html(body, TOKEN);
}

/** Joins Html parts with a separator. */
export const joinHtml = (parts: readonly Html[], separator = ''): Html => new Html(parts.map(String).join(escapeHtml(separator)), TOKEN);
