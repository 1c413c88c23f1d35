// The provider answers the telemetry bench replays: OpenAI (Chat Completions, Responses,
// Embeddings) and Anthropic (Messages), JSON and SSE, in the shapes the real APIs send (the same
// shapes as the test servers under test/telemetry). One responder serves them two ways: as a
// `fetch` function handed to the real SDK clients (no socket: the SDK's whole request and
// response path runs, the network's cost is in no row), or from a node:http server on 127.0.0.1.

import { createServer } from 'node:http';

const OPENAI_USAGE = {
  prompt_tokens: 120,
  completion_tokens: 30,
  total_tokens: 150,
  prompt_tokens_details: { cached_tokens: 100, audio_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: 10, audio_tokens: 0 },
};
const RESPONSES_USAGE = {
  input_tokens: 120,
  input_tokens_details: { cached_tokens: 100 },
  output_tokens: 30,
  output_tokens_details: { reasoning_tokens: 10 },
  total_tokens: 150,
};
const ANTHROPIC_USAGE = { input_tokens: 20, cache_creation_input_tokens: 1000, cache_read_input_tokens: 3000, output_tokens: 30 };
const PIECES = ['Hel', 'lo', ' there!'];
const created = 1_733_000_000;

const sse = (frames) => ({ status: 200, type: 'text/event-stream', text: frames.join('') });
const json = (value) => ({ status: 200, type: 'application/json', text: JSON.stringify(value) });

function chat(body) {
  const model = body.model === 'gpt-4o' ? 'gpt-4o-2024-08-06' : body.model;
  const id = 'chatcmpl-1';
  if (body.stream !== true) {
    return json({
      id,
      object: 'chat.completion',
      created,
      model,
      choices: [
        { index: 0, message: { role: 'assistant', content: 'Hello there!', refusal: null }, logprobs: null, finish_reason: 'stop' },
      ],
      usage: OPENAI_USAGE,
      system_fingerprint: 'fp_1',
    });
  }
  const usage = body.stream_options?.include_usage === true;
  const chunk = (choices, extra = {}) =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices, ...(usage ? { usage: null } : {}), ...extra })}\n\n`;
  return sse([
    chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]),
    ...PIECES.map((content) => chunk([{ index: 0, delta: { content }, finish_reason: null }])),
    chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]),
    ...(usage ? [chunk([], { usage: OPENAI_USAGE })] : []),
    'data: [DONE]\n\n',
  ]);
}

function responses(body) {
  const model = body.model === 'gpt-4o' ? 'gpt-4o-2024-08-06' : body.model;
  const message = {
    type: 'message',
    id: 'msg_1',
    status: 'completed',
    role: 'assistant',
    content: [{ type: 'output_text', text: 'Hello there!', annotations: [] }],
  };
  const response = (status, output, usage) => ({
    id: 'resp_1',
    object: 'response',
    created_at: created,
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
  if (body.stream !== true) return json(response('completed', [message], RESPONSES_USAGE));
  let sequence = 0;
  const event = (type, data) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data, sequence_number: sequence++ })}\n\n`;
  const item = { ...message, status: 'in_progress', content: [] };
  return sse([
    event('response.created', { response: response('in_progress', [], null) }),
    event('response.in_progress', { response: response('in_progress', [], null) }),
    event('response.output_item.added', { output_index: 0, item }),
    event('response.content_part.added', {
      item_id: 'msg_1',
      output_index: 0,
      content_index: 0,
      part: { type: 'output_text', text: '', annotations: [] },
    }),
    ...PIECES.map((delta) => event('response.output_text.delta', { item_id: 'msg_1', output_index: 0, content_index: 0, delta })),
    event('response.output_text.done', { item_id: 'msg_1', output_index: 0, content_index: 0, text: 'Hello there!' }),
    event('response.output_item.done', { output_index: 0, item: message }),
    event('response.completed', { response: response('completed', [message], RESPONSES_USAGE) }),
  ]);
}

function embeddings(body) {
  const vector = [0.1, -0.2, 0.3];
  const embedding = body.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
  return json({
    object: 'list',
    data: [{ object: 'embedding', index: 0, embedding }],
    model: 'text-embedding-3-small',
    usage: { prompt_tokens: 8, total_tokens: 8 },
  });
}

function messages(body) {
  const message = {
    id: 'msg_01',
    type: 'message',
    role: 'assistant',
    model: `${body.model}-20250929`,
    content: [{ type: 'text', text: 'Hello there!' }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: ANTHROPIC_USAGE,
  };
  if (body.stream !== true) return json(message);
  const event = (type, data) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  return sse([
    event('message_start', { message: { ...message, content: [], stop_reason: null, usage: { ...ANTHROPIC_USAGE, output_tokens: 1 } } }),
    event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    event('ping', {}),
    ...PIECES.map((text) => event('content_block_delta', { index: 0, delta: { type: 'text_delta', text } })),
    event('content_block_stop', { index: 0 }),
    event('message_delta', {
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: ANTHROPIC_USAGE.output_tokens },
    }),
    event('message_stop', {}),
  ]);
}

const ROUTES = { '/v1/chat/completions': chat, '/v1/responses': responses, '/v1/embeddings': embeddings, '/v1/messages': messages };

/** The answer to a POST of `bodyText` to `path`. */
export function answer(path, bodyText) {
  const route = ROUTES[path];
  if (route === undefined) return { status: 404, type: 'application/json', text: '{"error":{"message":"not found"}}' };
  return route(JSON.parse(bodyText));
}

/** A `fetch` that answers in process, as the server would. */
export async function fakeFetch(input, init) {
  const url = new URL(typeof input === 'string' ? input : (input.url ?? String(input)));
  const reply = answer(url.pathname, typeof init?.body === 'string' ? init.body : await new Response(init?.body).text());
  return new Response(reply.text, { status: reply.status, headers: { 'content-type': reply.type, 'request-id': 'req_1' } });
}

/** The same answers from a node:http server on 127.0.0.1; resolves to { origin, close() }. */
export async function startAnswerServer() {
  const server = createServer((req, res) => {
    const parts = [];
    req.on('data', (part) => parts.push(part));
    req.on('end', () => {
      const reply = answer(String(req.url), Buffer.concat(parts).toString('utf8'));
      res.writeHead(reply.status, { 'content-type': reply.type, 'request-id': 'req_1' });
      res.end(reply.text);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return { origin: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(resolve)) };
}
