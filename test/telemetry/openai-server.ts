/**
 * An OpenAI-compatible Chat Completions server on 127.0.0.1, strict where the real API is:
 * bearer auth, JSON body with `model` and non-empty `messages`, `stream_options` only with
 * `stream: true` (400 otherwise, as the API answers), SSE chunks ending in `data: [DONE]`,
 * `usage: null` on every chunk and a final usage-only chunk when `include_usage` is set.
 * Scenarios by model name: `rate-limited` → 429, `broken` → 500, `slow-stream` → many chunks
 * 20 ms apart (for callers that break out).
 * @see https://platform.openai.com/docs/api-reference/chat
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export const USAGE = {
  prompt_tokens: 120,
  completion_tokens: 30,
  total_tokens: 150,
  prompt_tokens_details: { cached_tokens: 100, audio_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: 10, audio_tokens: 0 },
};

export interface SeenRequest {
  body: Record<string, unknown>;
  aborted: boolean;
}

export async function startOpenAIServer() {
  const seen: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const error = (status: number, message: string, type: string, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify({ error: { message, type, param: null, code: null } }));
      };
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') return error(404, 'Unknown request URL', 'invalid_request_error');
      if (!/^Bearer \S+$/.test(String(req.headers.authorization))) return error(401, 'Incorrect API key provided', 'invalid_request_error');
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return error(400, 'We could not parse the JSON body of your request.', 'invalid_request_error');
      }
      const record: SeenRequest = { body, aborted: false };
      seen.push(record);
      if (typeof body.model !== 'string' || !Array.isArray(body.messages) || body.messages.length === 0) {
        return error(400, "'messages' and 'model' are required", 'invalid_request_error');
      }
      if (body.stream_options != null && body.stream !== true) {
        return error(400, "The 'stream_options' parameter is only allowed when 'stream' is enabled.", 'invalid_request_error');
      }
      if (body.model === 'rate-limited') {
        return error(429, 'Rate limit reached for requests', 'requests', { 'retry-after-ms': '5', 'x-ratelimit-remaining-requests': '0' });
      }
      if (body.model === 'broken')
        return error(500, 'The server had an error while processing your request.', 'server_error', { 'retry-after-ms': '5' });
      const id = `chatcmpl-${seen.length}`;
      const created = Math.floor(Date.now() / 1000);
      const model = body.model === 'gpt-4o' ? 'gpt-4o-2024-08-06' : String(body.model);
      if (body.stream !== true) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            id,
            object: 'chat.completion',
            created,
            model,
            choices: [
              { index: 0, message: { role: 'assistant', content: 'Hello there!', refusal: null }, logprobs: null, finish_reason: 'stop' },
            ],
            usage: USAGE,
          }),
        );
        return;
      }
      const includeUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
      const pieces = body.model === 'slow-stream' ? Array.from({ length: 50 }, (_, i) => `w${i} `) : ['Hel', 'lo', ' there!'];
      const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
        `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices, ...(includeUsage ? { usage: null } : {}), ...extra })}\n\n`;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.on('close', () => {
        if (!res.writableFinished) record.aborted = true;
      });
      const frames = [
        chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]),
        ...pieces.map((p) => chunk([{ index: 0, delta: { content: p }, finish_reason: null }])),
        chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]),
        ...(includeUsage ? [chunk([], { usage: USAGE })] : []),
        'data: [DONE]\n\n',
      ];
      const delay = body.model === 'slow-stream' ? 20 : 0;
      let i = 0;
      const next = () => {
        if (res.destroyed) return;
        if (i === frames.length) return void res.end();
        res.write(frames[i++]);
        setTimeout(next, delay);
      };
      next();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
