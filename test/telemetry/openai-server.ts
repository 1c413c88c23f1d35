/**
 * An OpenAI API server on 127.0.0.1 (Chat Completions, Responses, Embeddings), strict where the
 * real API is: bearer auth (401), a JSON content type and body (400), `model` and non-empty
 * `messages`/`input` (400), `stream_options` only with `stream: true` (400), an unknown model
 * answered 404 `model_not_found` in OpenAI's error body. Chat streams end in `data: [DONE]`, with
 * `usage: null` on every chunk and a final usage-only chunk when `include_usage` is set; Responses
 * streams are typed events (`event: response.output_text.delta` …). Scenarios by model name:
 * `rate-limited` → 429, `broken` → 500, `slow-stream` → many chunks 20 ms apart, `stream-error`
 * → an error midway through the stream (Chat: a `data: {"error": …}` frame; Responses: an
 * `error` event), `ft:…` → a fine-tuned model the price table does not know.
 * @see https://platform.openai.com/docs/api-reference
 */
import type { ServerResponse } from 'node:http';
import { isJson, type SeenRequest, sendSse, startFakeServer } from './fake-http.js';

export type { SeenRequest } from './fake-http.js';

export const USAGE = {
  prompt_tokens: 120,
  completion_tokens: 30,
  total_tokens: 150,
  prompt_tokens_details: { cached_tokens: 100, audio_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: 10, audio_tokens: 0 },
};

export const RESPONSES_USAGE = {
  input_tokens: 120,
  input_tokens_details: { cached_tokens: 100 },
  output_tokens: 30,
  output_tokens_details: { reasoning_tokens: 10 },
  total_tokens: 150,
};

export const EMBEDDING_TOKENS = 8;

const KNOWN = new Set([
  'gpt-4o',
  'gpt-4o-mini',
  'o3-mini',
  'text-embedding-3-small',
  'rate-limited',
  'broken',
  'slow-stream',
  'stream-error',
]);
const SNAPSHOT: Record<string, string> = { 'gpt-4o': 'gpt-4o-2024-08-06', 'gpt-4o-mini': 'gpt-4o-mini-2024-07-18' };

const error = (res: ServerResponse, status: number, message: string, type: string, code: string | null = null, headers = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ error: { message, type, param: null, code } }));
};

export async function startOpenAIServer() {
  const fake = await startFakeServer((req, res, text, seen) => {
    const routes = ['/v1/chat/completions', '/v1/responses', '/v1/embeddings'];
    if (req.method !== 'POST' || !routes.includes(String(req.url))) return error(res, 404, 'Unknown request URL', 'invalid_request_error');
    if (!/^Bearer \S+$/.test(String(req.headers.authorization)))
      return error(res, 401, 'Incorrect API key provided', 'invalid_request_error', 'invalid_api_key');
    if (!isJson(req)) return error(res, 400, 'Invalid Content-Type header, expected application/json', 'invalid_request_error');
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text);
    } catch {
      return error(res, 400, 'We could not parse the JSON body of your request.', 'invalid_request_error');
    }
    const record: SeenRequest = { url: String(req.url), headers: req.headers, body, aborted: false };
    seen.push(record);
    const model = body.model;
    if (typeof model !== 'string') return error(res, 400, 'you must provide a model parameter', 'invalid_request_error');
    if (!KNOWN.has(model) && !model.startsWith('ft:'))
      return error(
        res,
        404,
        `The model \`${model}\` does not exist or you do not have access to it.`,
        'invalid_request_error',
        'model_not_found',
      );
    if (model === 'rate-limited')
      return error(res, 429, 'Rate limit reached for requests', 'requests', 'rate_limit_exceeded', {
        'retry-after-ms': '5',
        'x-ratelimit-remaining-requests': '0',
      });
    if (model === 'broken')
      return error(res, 500, 'The server had an error while processing your request.', 'server_error', null, { 'retry-after-ms': '5' });
    if (req.url === '/v1/embeddings') return embeddings(res, body);
    if (req.url === '/v1/responses') return responses(res, body, record, seen.length);
    return chat(res, body, record, seen.length);
  });
  return { ...fake, baseURL: `${fake.origin}/v1` };
}

function embeddings(res: ServerResponse, body: Record<string, unknown>) {
  const inputs = Array.isArray(body.input) ? body.input : [body.input];
  if (inputs.length === 0 || inputs.some((i) => typeof i !== 'string' || i === ''))
    return error(res, 400, "'input' must be a non-empty string or array of strings", 'invalid_request_error');
  const vector = [0.1, -0.2, 0.3];
  const embedding = body.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      object: 'list',
      data: inputs.map((_, index) => ({ object: 'embedding', index, embedding })),
      model: 'text-embedding-3-small',
      usage: { prompt_tokens: EMBEDDING_TOKENS, total_tokens: EMBEDDING_TOKENS },
    }),
  );
}

function chat(res: ServerResponse, body: Record<string, unknown>, record: SeenRequest, n: number) {
  if (!Array.isArray(body.messages) || body.messages.length === 0)
    return error(res, 400, "'messages' is required", 'invalid_request_error');
  if (body.stream_options != null && body.stream !== true)
    return error(res, 400, "The 'stream_options' parameter is only allowed when 'stream' is enabled.", 'invalid_request_error');
  const id = `chatcmpl-${n}`;
  const created = Math.floor(Date.now() / 1000);
  const model = SNAPSHOT[String(body.model)] ?? String(body.model);
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
  const deltas = pieces.map((p) => chunk([{ index: 0, delta: { content: p }, finish_reason: null }]));
  const first = chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]);
  if (body.model === 'stream-error') {
    const failure = { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: null };
    return sendSse(res, [first, ...deltas.slice(0, 2), `data: ${JSON.stringify({ error: failure })}\n\n`], record);
  }
  const frames = [
    first,
    ...deltas,
    chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]),
    ...(includeUsage ? [chunk([], { usage: USAGE })] : []),
    'data: [DONE]\n\n',
  ];
  sendSse(res, frames, record, body.model === 'slow-stream' ? 20 : 0);
}

function responses(res: ServerResponse, body: Record<string, unknown>, record: SeenRequest, n: number) {
  if (body.input === undefined || body.input === '' || (Array.isArray(body.input) && body.input.length === 0))
    return error(res, 400, "Missing required parameter: 'input'.", 'invalid_request_error');
  const id = `resp_${n}`;
  const model = SNAPSHOT[String(body.model)] ?? String(body.model);
  const text = 'Hello there!';
  const message = (content: string) => ({
    type: 'message',
    id: `msg_${n}`,
    status: 'completed',
    role: 'assistant',
    content: [{ type: 'output_text', text: content, annotations: [] }],
  });
  const response = (status: string, output: unknown[], usage: unknown) => ({
    id,
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    status,
    error: null,
    incomplete_details: null,
    model,
    output,
    usage,
    parallel_tool_calls: true,
    tool_choice: 'auto',
    tools: [],
    temperature: 1,
    top_p: 1,
  });
  if (body.stream !== true) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(response('completed', [message(text)], RESPONSES_USAGE)));
    return;
  }
  let sequence = 0;
  const event = (type: string, data: Record<string, unknown>) =>
    `event: ${type}\ndata: ${JSON.stringify({ type, ...data, sequence_number: sequence++ })}\n\n`;
  const pieces = body.model === 'slow-stream' ? Array.from({ length: 50 }, (_, i) => `w${i} `) : ['Hel', 'lo', ' there!'];
  const item = { type: 'message', id: `msg_${n}`, status: 'in_progress', role: 'assistant', content: [] };
  const head = [
    event('response.created', { response: response('in_progress', [], null) }),
    event('response.in_progress', { response: response('in_progress', [], null) }),
    event('response.output_item.added', { output_index: 0, item }),
    event('response.content_part.added', {
      item_id: item.id,
      output_index: 0,
      content_index: 0,
      part: { type: 'output_text', text: '', annotations: [] },
    }),
  ];
  const deltas = pieces.map((delta) => event('response.output_text.delta', { item_id: item.id, output_index: 0, content_index: 0, delta }));
  if (body.model === 'stream-error') {
    return sendSse(
      res,
      [...head, ...deltas.slice(0, 2), event('error', { code: 'server_error', message: 'The server had an error.', param: null })],
      record,
    );
  }
  const frames = [
    ...head,
    ...deltas,
    event('response.output_text.done', { item_id: item.id, output_index: 0, content_index: 0, text }),
    event('response.output_item.done', { output_index: 0, item: message(text) }),
    event('response.completed', { response: response('completed', [message(text)], RESPONSES_USAGE) }),
  ];
  sendSse(res, frames, record, body.model === 'slow-stream' ? 20 : 0);
}
