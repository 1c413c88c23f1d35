/**
 * The frame of every studio page: the document head (no inline script: the content security
 * policy allows the studio's own script only), a skip link, the header with the navigation and
 * the store's name (never its URL or key), and the main region.
 * @packageDocumentation
 */
import { type Html, html } from './html.js';

/** What every page shows about the running studio. */
export interface PageContext {
  /** The store's name for people: `flags.json`, `postgres 127.0.0.1:5432/app` (no password). */
  storeLabel: string;
  /** The environment the pages show by default. */
  environment: string;
  /** The form key each posting form carries (see access.ts). */
  formKey: string;
}

const SECTIONS = [
  { id: 'flags', href: '/flags', label: 'Flags' },
  { id: 'experiments', href: '/experiments', label: 'Experiments' },
  { id: 'forecast', href: '/forecast', label: 'Forecast' },
] as const;

/** A section of the studio, for the navigation's current page. */
export type Section = (typeof SECTIONS)[number]['id'];

/** The hidden field every posting form carries. */
export const formKeyField = (ctx: PageContext): Html => html`<input type="hidden" name="_key" value="${ctx.formKey}">`;

/** A whole page. */
export function page(ctx: PageContext, section: Section, title: string, body: Html): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · tiqology studio</title>
<link rel="stylesheet" href="/assets/studio.css">
<script src="/assets/studio.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header>
<span class="brand">tiqology studio</span>
<nav aria-label="Sections"><ul>${SECTIONS.map(
    (s) => html`<li><a href="${s.href}"${s.id === section ? html` aria-current="page"` : ''}>${s.label}</a></li>`,
  )}</ul></nav>
<span class="store">Store: ${ctx.storeLabel}</span>
</header>
<main id="main" tabindex="-1">
<h1>${title}</h1>
${body}
</main>
</body>
</html>
`;
}

/** A notice box: `good` after a write, `bad` for a refusal, plain for information. */
export const notice = (text: string | Html, kind: 'good' | 'bad' | 'info' = 'info'): Html =>
  html`<div class="notice ${kind === 'info' ? '' : kind}" role="${kind === 'bad' ? 'alert' : 'status'}">${text}</div>`;
