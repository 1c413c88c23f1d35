/**
 * A Discord-protocol webhook server on 127.0.0.1: "Execute Webhook" as Discord documents it.
 * POST /api/webhooks/{id}/{token} with a JSON body; 204 No Content, or 200 with the message
 * object when `?wait=true`; 404 Unknown Webhook (10015) for an unknown token; 401 Invalid Webhook
 * Token (50027); 400 Invalid Form Body (50035) when a limit is broken or 50006 for an empty
 * message; 429 with `retry_after` (seconds, float) in the body and Retry-After in the headers.
 * @see https://discord.com/developers/docs/resources/webhook#execute-webhook
 * @see https://discord.com/developers/docs/resources/message#embed-object-embed-limits
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Posted {
  token: string;
  wait: boolean;
  body: {
    content?: string;
    username?: string;
    embeds?: {
      title?: string;
      description?: string;
      fields?: { name: string; value: string }[];
      footer?: { text: string };
      author?: { name: string };
    }[];
  };
  at: number;
  status: number;
}

/** Discord's limits, checked independently of the SDK's constants. */
export function limitProblem(body: Posted['body']): string | undefined {
  if (body.content !== undefined && body.content.length > 2000) return 'content: Must be 2000 or fewer in length.';
  if (body.username !== undefined && body.username.length > 80) return 'username: Must be 80 or fewer in length.';
  const embeds = body.embeds ?? [];
  if (embeds.length > 10) return 'embeds: Must be 10 or fewer in length.';
  let total = 0;
  for (const e of embeds) {
    if ((e.title?.length ?? 0) > 256) return 'embeds.title: Must be 256 or fewer in length.';
    if ((e.description?.length ?? 0) > 4096) return 'embeds.description: Must be 4096 or fewer in length.';
    if ((e.fields?.length ?? 0) > 25) return 'embeds.fields: Must be 25 or fewer in length.';
    for (const f of e.fields ?? []) {
      if (!f.name || f.name.length > 256) return 'embeds.fields.name: Must be between 1 and 256 in length.';
      if (!f.value || f.value.length > 1024) return 'embeds.fields.value: Must be between 1 and 1024 in length.';
      total += f.name.length + f.value.length;
    }
    total += (e.title?.length ?? 0) + (e.description?.length ?? 0) + (e.footer?.text.length ?? 0) + (e.author?.name.length ?? 0);
  }
  if (total > 6000) return 'embeds: Embed size exceeds maximum size of 6000';
  return undefined;
}

/** `hang`: accept every request, read it, and never answer (a webhook behind a stuck proxy). */
export async function startDiscordServer(options: { rateLimitFirst?: number; retryAfterSeconds?: number; hang?: boolean } = {}) {
  const posted: Posted[] = [];
  let rateLimited = 0;
  let nextId = 1_100_000_000_000_000_000n;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const m = /^\/api\/webhooks\/(\d+)\/([\w-]+)$/.exec(url.pathname);
      const reply = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
        if (posted.length > 0 && posted[posted.length - 1]?.status === -1) (posted[posted.length - 1] as Posted).status = status;
        res.writeHead(status, body === undefined ? headers : { 'content-type': 'application/json', ...headers });
        res.end(body === undefined ? undefined : JSON.stringify(body));
      };
      if (req.method !== 'POST' || !m) return reply(405, { message: '405: Method Not Allowed', code: 0 });
      const token = m[2] as string;
      let body: Posted['body'] = {};
      try {
        if (!String(req.headers['content-type']).startsWith('application/json')) throw new Error('type');
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return reply(400, { message: 'Cannot send an empty message', code: 50006 });
      }
      posted.push({ token, wait: url.searchParams.get('wait') === 'true', body, at: performance.now(), status: -1 });
      if (options.hang) return;
      if (token === 'unauthorized') return reply(401, { message: 'Invalid Webhook Token', code: 50027 });
      if (!token.startsWith('good')) return reply(404, { message: 'Unknown Webhook', code: 10015 });
      if (rateLimited < (options.rateLimitFirst ?? 0)) {
        rateLimited++;
        const retryAfter = options.retryAfterSeconds ?? 0.05;
        return reply(
          429,
          { message: 'You are being rate limited.', retry_after: retryAfter, global: false },
          {
            'retry-after': String(Math.ceil(retryAfter)),
            'x-ratelimit-limit': '5',
            'x-ratelimit-remaining': '0',
            'x-ratelimit-scope': 'shared',
          },
        );
      }
      if (!body.content && (body.embeds ?? []).length === 0) return reply(400, { message: 'Cannot send an empty message', code: 50006 });
      const problem = limitProblem(body);
      if (problem) return reply(400, { message: 'Invalid Form Body', code: 50035, errors: { detail: problem } });
      if (url.searchParams.get('wait') !== 'true') return reply(204);
      nextId++;
      reply(200, {
        id: String(nextId),
        type: 0,
        channel_id: '42',
        webhook_id: m[1],
        content: body.content ?? '',
        embeds: body.embeds ?? [],
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/webhooks/123456789012345678`;
  return {
    base,
    posted,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
