/**
 * An Anthropic Messages API server on 127.0.0.1, strict where the real API is: an API key in
 * `x-api-key` or `Authorization: Bearer` (401 `authentication_error`), `anthropic-version` (400), a JSON content type and body, `model`,
 * `max_tokens` and non-empty `messages` (400 `invalid_request_error`), an unknown model answered
 * 404 `not_found_error`, errors in Anthropic's body (`{ type: 'error', error: { type, message } }`)
 * with a `request-id` header. Streams are typed SSE events (`message_start` … `message_stop`, with
 * a `ping`). Usage reports `input_tokens` EXCLUDING the cache reads and writes, as the API does.
 * Scenarios by model name: `claude-overloaded` → 529 `overloaded_error`, `claude-stream-error` →
 * an `error` event (`overloaded_error`) midway through the stream, `claude-slow` → many deltas
 * 20 ms apart.
 * @see https://docs.anthropic.com/en/api/messages
 */
import type { ServerResponse } from 'node:http';
import { isJson, type SeenRequest, sendSse, startFakeServer } from './fake-http.js';

export const ANTHROPIC_USAGE = { input_tokens: 20, cache_creation_input_tokens: 1000, cache_read_input_tokens: 3000, output_tokens: 30 };

const KNOWN = new Set([
  'claude-sonnet-4-5',
  'claude-sonnet-4-5-20250929',
  'claude-3-5-sonnet-20241022',
  'claude-overloaded',
  'claude-stream-error',
  'claude-slow',
]);

const error = (res: ServerResponse, status: number, type: string, message: string) => {
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': 'req_test' });
  res.end(JSON.stringify({ type: 'error', error: { type, message } }));
};

export async function startAnthropicServer() {
  return startFakeServer((req, res, text, seen) => {
    if (req.method !== 'POST' || req.url !== '/v1/messages') return error(res, 404, 'not_found_error', 'Not Found');
    // The key comes as `x-api-key` or, from SDK 1.x on, as `Authorization: Bearer`.
    const key = req.headers['x-api-key'] ?? /^Bearer (\S+)$/.exec(String(req.headers.authorization))?.[1];
    if (typeof key !== 'string' || key === '') return error(res, 401, 'authentication_error', 'x-api-key header is required');
    if (typeof req.headers['anthropic-version'] !== 'string')
      return error(res, 400, 'invalid_request_error', 'anthropic-version: header is required');
    if (!isJson(req)) return error(res, 400, 'invalid_request_error', 'Content-Type must be application/json');
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text);
    } catch {
      return error(res, 400, 'invalid_request_error', 'The request body is not valid JSON.');
    }
    const record: SeenRequest = { url: String(req.url), headers: req.headers, body, aborted: false };
    seen.push(record);
    if (typeof body.model !== 'string') return error(res, 400, 'invalid_request_error', 'model: Field required');
    if (typeof body.max_tokens !== 'number') return error(res, 400, 'invalid_request_error', 'max_tokens: Field required');
    if (!Array.isArray(body.messages) || body.messages.length === 0)
      return error(res, 400, 'invalid_request_error', 'messages: at least one message is required');
    if (!KNOWN.has(body.model)) return error(res, 404, 'not_found_error', `model: ${body.model}`);
    if (body.model === 'claude-overloaded') return error(res, 529, 'overloaded_error', 'Overloaded');
    const id = `msg_0${seen.length}`;
    const message = {
      id,
      type: 'message',
      role: 'assistant',
      model: body.model,
      content: [{ type: 'text', text: 'Hello there!' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: ANTHROPIC_USAGE,
    };
    if (body.stream !== true) {
      res.writeHead(200, { 'content-type': 'application/json', 'request-id': 'req_test' });
      res.end(JSON.stringify(message));
      return;
    }
    const event = (type: string, data: Record<string, unknown>) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
    const pieces = body.model === 'claude-slow' ? Array.from({ length: 50 }, (_, i) => `w${i} `) : ['Hel', 'lo', ' there!'];
    const start = [
      event('message_start', {
        message: { ...message, content: [], stop_reason: null, usage: { ...ANTHROPIC_USAGE, output_tokens: 1 } },
      }),
      event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
      event('ping', {}),
    ];
    const deltas = pieces.map((text) => event('content_block_delta', { index: 0, delta: { type: 'text_delta', text } }));
    if (body.model === 'claude-stream-error') {
      return sendSse(
        res,
        [...start, ...deltas.slice(0, 2), event('error', { error: { type: 'overloaded_error', message: 'Overloaded' } })],
        record,
      );
    }
    const frames = [
      ...start,
      ...deltas,
      event('content_block_stop', { index: 0 }),
      event('message_delta', {
        delta: { stop_reason: 'end_turn', stop_sequence: null },
        usage: { output_tokens: ANTHROPIC_USAGE.output_tokens },
      }),
      event('message_stop', {}),
    ];
    sendSse(res, frames, record, body.model === 'claude-slow' ? 20 : 0);
  });
}
