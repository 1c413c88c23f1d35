/**
 * The studio's HTTP server (node:http, no framework): access checks first (loopback host, token
 * when bound elsewhere, the form key on every write), then the routes. Every answer carries a
 * content security policy that allows the studio's own script and styles only, and refuses to be
 * framed; errors are pages with the message redacted (no database URL, password or key).
 * @packageDocumentation
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { StorageAdapter } from '@tiqology/elite';
import { redact } from '../io.js';
import { type AccessPolicy, checkAccess, checkWriteOrigin, isLoopback, newSecret } from './access.js';
import { STUDIO_CSS, STUDIO_JS } from './assets.js';
import { BodyError, readForm } from './body.js';
import { listExperiments, showExperiment } from './experiment-routes.js';
import { editFlag, listFlags, showFlag, toggleFlag } from './flag-routes.js';
import { type ForecastSources, forecastPage, runForecast } from './forecast-routes.js';
import { notice, type PageContext, page } from './layout.js';
import { type Reply, RequestError, type RouteContext } from './reply.js';

/** A store for one request, and how to let it go (a flags file is read afresh per request). */
export interface StudioStore {
  /** What the page calls the store (never a secret). */
  label: string;
  /** The store for one request. */
  acquire(): Promise<{ storage: StorageAdapter; release(): Promise<void> }>;
}

/** Options of {@link startStudio}. */
export interface StudioOptions {
  /** Where flags, events and history are read and written. */
  store: StudioStore;
  /** The environment shown first. */
  environment: string;
  /** Address to bind. Default `127.0.0.1`; any other than loopback requires `token`. */
  host?: string;
  /** Port; 0 (default) picks a free one. */
  port?: number;
  /** The access token; required when `host` is not loopback, optional on loopback. */
  token?: string;
  /** Who writes are attributed to in the flags' history. Default `studio`. */
  updatedBy?: string;
  /** Values never to show on a page (passwords, keys), on top of URL passwords. */
  secrets?: readonly string[];
  /** The directory of guarded-rollout plan files, `<flag>.json` as `tiqology rollout run --plan` reads them. */
  plansDir?: string;
  /** Forecast inputs: the working directory for CSV paths, a Prometheus URL. */
  forecast?: Partial<ForecastSources>;
}

/** A running studio. */
export interface RunningStudio {
  /** `http://127.0.0.1:<port>/`: the address bound (the token is not in it). */
  url: string;
  /** The underlying server. */
  server: Server;
  /** Stops accepting connections and closes open ones. */
  close(): Promise<void>;
}

type Route = {
  method: 'GET' | 'POST';
  pattern: RegExp;
  handle(ctx: RouteContext, match: RegExpExecArray, sources: ForecastSources): Promise<Reply>;
};

const ROUTES: readonly Route[] = [
  { method: 'GET', pattern: /^\/flags\/?$/, handle: (ctx) => listFlags(ctx) },
  { method: 'GET', pattern: /^\/flags\/([^/]+)$/, handle: (ctx, m) => showFlag(ctx, m[1] as string) },
  { method: 'POST', pattern: /^\/flags\/([^/]+)\/toggle$/, handle: (ctx, m) => toggleFlag(ctx, m[1] as string) },
  { method: 'POST', pattern: /^\/flags\/([^/]+)\/edit$/, handle: (ctx, m) => editFlag(ctx, m[1] as string) },
  { method: 'GET', pattern: /^\/experiments\/?$/, handle: (ctx) => listExperiments(ctx) },
  { method: 'GET', pattern: /^\/experiments\/([^/]+)$/, handle: (ctx, m) => showExperiment(ctx, m[1] as string, false) },
  { method: 'GET', pattern: /^\/experiments\/([^/]+)\/results\.json$/, handle: (ctx, m) => showExperiment(ctx, m[1] as string, true) },
  { method: 'GET', pattern: /^\/forecast\/?$/, handle: (ctx, _m, s) => forecastPage(ctx, s) },
  { method: 'POST', pattern: /^\/forecast\/?$/, handle: (ctx, _m, s) => runForecast(ctx, s) },
];

const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** The request handler of a studio; exported for tests that drive it without a socket. */
export function createStudioHandler(
  options: StudioOptions,
  policy: AccessPolicy,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const formKey = newSecret();
  const pageContext: PageContext = { storeLabel: options.store.label, environment: options.environment, formKey };
  const secrets = options.secrets ?? [];
  const sources: ForecastSources = {
    cwd: options.forecast?.cwd ?? process.cwd(),
    ...(options.forecast?.prometheusUrl ? { prometheusUrl: options.forecast.prometheusUrl } : {}),
  };
  const send = (res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}) => {
    res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), ...headers });
    res.end(body);
  };
  const errorPage = (res: ServerResponse, status: number, message: string) =>
    send(
      res,
      status,
      'text/html; charset=utf-8',
      String(page(pageContext, 'flags', status === 404 ? 'Not found' : 'Refused', notice(redact(message, secrets), 'bad'))),
    );

  return async (req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://studio.invalid');
    } catch {
      return send(res, 400, 'text/plain; charset=utf-8', 'bad request');
    }
    const access = checkAccess(req, url, policy);
    if (!access.ok) return send(res, access.status, 'text/plain; charset=utf-8', `tiqology studio: ${access.reason}\n`);
    if (access.redirectTo !== undefined) {
      res.writeHead(303, {
        ...SECURITY_HEADERS,
        Location: access.redirectTo,
        ...(access.setCookie ? { 'Set-Cookie': access.setCookie } : {}),
      });
      return void res.end();
    }
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    if (method === 'GET' && url.pathname === '/') {
      res.writeHead(303, { ...SECURITY_HEADERS, Location: '/flags' });
      return void res.end();
    }
    if (method === 'GET' && url.pathname === '/assets/studio.css') return send(res, 200, 'text/css; charset=utf-8', STUDIO_CSS);
    if (method === 'GET' && url.pathname === '/assets/studio.js') return send(res, 200, 'text/javascript; charset=utf-8', STUDIO_JS);
    const candidates = ROUTES.filter((r) => r.pattern.test(url.pathname));
    const route = candidates.find((r) => r.method === method);
    if (route === undefined) {
      if (candidates.length > 0)
        return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n', { Allow: candidates.map((r) => r.method).join(', ') });
      return errorPage(res, 404, `no page at ${url.pathname}`);
    }
    let lease: Awaited<ReturnType<StudioStore['acquire']>> | undefined;
    try {
      const ctx: RouteContext = {
        page: pageContext,
        storage: undefined as never,
        url,
        updatedBy: options.updatedBy ?? 'studio',
        ...(options.plansDir === undefined ? {} : { plansDir: options.plansDir }),
      };
      if (method === 'POST') {
        ctx.form = await readForm(req, url.pathname.startsWith('/forecast') ? 20_000_000 : 1_000_000);
        const refused = checkWriteOrigin(req, ctx.form.get('_key'), formKey);
        if (refused !== undefined) return errorPage(res, 403, `nothing was written: ${refused}`);
      }
      lease = await options.store.acquire();
      ctx.storage = lease.storage;
      const reply = await route.handle(ctx, route.pattern.exec(url.pathname) as RegExpExecArray, sources);
      if ('location' in reply) {
        res.writeHead(303, { ...SECURITY_HEADERS, Location: reply.location });
        return void res.end();
      }
      if ('json' in reply) return send(res, reply.status, 'application/json; charset=utf-8', `${JSON.stringify(reply.json, null, 2)}\n`);
      return send(res, reply.status, 'text/html; charset=utf-8', String(reply.html));
    } catch (error) {
      if (error instanceof RequestError || error instanceof BodyError) return errorPage(res, error.status, error.message);
      const message = error instanceof Error ? error.message : 'unknown error';
      return errorPage(res, 500, `the studio could not answer: ${message}`);
    } finally {
      await lease?.release().catch(() => {});
    }
  };
}

/**
 * Starts a studio. Bound to loopback unless `host` says otherwise; then `token` is required
 * (a `StudioConfigError` otherwise). Resolves once the port is bound.
 */
export async function startStudio(options: StudioOptions): Promise<RunningStudio> {
  const host = options.host ?? '127.0.0.1';
  const loopback = isLoopback(host);
  if (!loopback && (options.token === undefined || options.token.length < 16)) {
    throw new StudioConfigError(
      `the studio bound to ${host} is reachable from other machines: it needs an access token of 16 characters or more`,
    );
  }
  const policy: AccessPolicy = { loopback, ...(options.token === undefined ? {} : { token: options.token }) };
  const handler = createStudioHandler(options, policy);
  const server = createServer((req, res) => {
    handler(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolvePromise());
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shown}:${address.port}/`,
    server,
    close: () =>
      new Promise((resolvePromise) => {
        server.close(() => resolvePromise());
        server.closeAllConnections();
      }),
  };
}

/** A studio option that cannot work (no token off loopback). */
export class StudioConfigError extends Error {
  override readonly name = 'StudioConfigError';
}
