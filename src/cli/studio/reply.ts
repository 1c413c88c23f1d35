/**
 * What a studio route answers, and the environment and key parameters every route reads.
 * @packageDocumentation
 */
import type { StorageAdapter } from '@tiqology/elite';
import type { FormFields } from './body.js';
import type { Html } from './html.js';
import type { PageContext } from './layout.js';

/** A route's answer: a page, JSON, or a redirect after a write (303: the browser then GETs it). */
export type Reply = { status: number; html: Html } | { status: number; json: unknown } | { status: 303; location: string };

/** What a route gets for one request. */
export interface RouteContext {
  /** The page frame's data: store label, default environment, form key. */
  page: PageContext;
  /** The store, open for this request. */
  storage: StorageAdapter;
  /** The request's URL (query parameters). */
  url: URL;
  /** The posted form (POST only). */
  form?: FormFields;
  /** Who the studio's writes are attributed to in the flag's history. */
  updatedBy: string;
  /** The directory of rollout plan files (`<flag>.json`), when given. */
  plansDir?: string;
}

const ENV_PATTERN = /^[a-z0-9][a-z0-9._-]{0,127}$/;
const KEY = /^[a-z0-9][a-z0-9._-]{0,127}$/;

/** A request the studio refuses, with the status and a message for the page. */
export class RequestError extends Error {
  override readonly name = 'RequestError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The `env` query parameter, else the studio's environment; a malformed one is a 400. */
export function envOf(ctx: RouteContext): string {
  const env = ctx.url.searchParams.get('env') ?? ctx.page.environment;
  if (!ENV_PATTERN.test(env)) throw new RequestError(400, `environment must match ${ENV_PATTERN.source}, got "${env}"`);
  return env;
}

/** A flag key from the path; a malformed one is a 404 (no such flag can exist). */
export function keyOf(raw: string): string {
  let key: string;
  try {
    key = decodeURIComponent(raw);
  } catch {
    throw new RequestError(404, 'no such flag');
  }
  if (!KEY.test(key)) throw new RequestError(404, `no flag can be named "${key}"`);
  return key;
}

/** A same-site path to go back to after a write (`back` field), never another site. */
export function safeBack(value: string | undefined, fallback: string): string {
  return value !== undefined && /^\/(?![/\\])[^\s]*$/.test(value) ? value : fallback;
}
