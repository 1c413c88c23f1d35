/**
 * The AI chat: `POST /api/chat` with `{ messages: [{ role, content }] }` streams the assistant's
 * answer back as plain text.
 *
 * The OpenAI client is instrumented once, at module scope: every completion becomes a
 * `chat {model}` span (a child of Next.js's request span when tracing is on) and feeds the LLM
 * metrics (`llm_chat_completions_total`, `llm_tokens_total`, `llm_cost_usd_total`,
 * `gen_ai_client_token_usage`). The stream is asked for its usage (`include_usage`) by the
 * instrumentation, so tokens and cost are known for streamed answers too.
 *
 * `OPENAI_BASE_URL` points the client at any OpenAI-compatible endpoint (the end-to-end test
 * runs one on 127.0.0.1); `OPENAI_MODEL` picks the model.
 */
import OpenAI from 'openai';
import { telemetry, withRequestMetrics } from '../../../lib/telemetry-server';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

const MODEL = process.env.OPENAI_MODEL ?? 'gpt-4o-mini';
const MAX_MESSAGES = 20;
const MAX_CHARS = 4_000;

// Built on first use, not at import: `next build` loads this module without OPENAI_API_KEY
// (the client throws without a key; here that becomes a 502 answer).
let client: OpenAI | undefined;
const openai = () => {
  client ??= telemetry.instrumentOpenAI(
    new OpenAI({ baseURL: process.env.OPENAI_BASE_URL, apiKey: process.env.OPENAI_API_KEY, maxRetries: 1 }),
  );
  return client;
};

type ChatMessage = { role: 'user' | 'assistant'; content: string };

/** Only what a browser may send: user and assistant turns, bounded in number and size. */
function readMessages(body: unknown): ChatMessage[] | undefined {
  const messages = (body as { messages?: unknown } | null)?.messages;
  if (!Array.isArray(messages) || messages.length === 0 || messages.length > MAX_MESSAGES) return undefined;
  const ok = messages.every(
    (m: { role?: unknown; content?: unknown }) =>
      (m?.role === 'user' || m?.role === 'assistant') && typeof m.content === 'string' && m.content.length <= MAX_CHARS,
  );
  return ok ? messages.map((m: ChatMessage) => ({ role: m.role, content: m.content })) : undefined;
}

export const POST = withRequestMetrics('/api/chat', async (request: Request) => {
  const messages = readMessages(await request.json().catch(() => undefined));
  if (!messages) {
    return Response.json({ error: `send { messages: [{ role: 'user', content }] }, at most ${MAX_MESSAGES}` }, { status: 400 });
  }
  let stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>;
  try {
    stream = await openai().chat.completions.create({ model: MODEL, messages, stream: true });
  } catch (error) {
    // The span and llm_chat_completions_total{status="error"|"rate_limited"} already have it.
    const status = error instanceof OpenAI.APIError && error.status === 429 ? 429 : 502;
    return Response.json({ error: 'the model is unavailable, try again' }, { status });
  }
  const encoder = new TextEncoder();
  const iterator = stream[Symbol.asyncIterator]();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { value, done } = await iterator.next();
        if (done) return controller.close();
        const text = value.choices[0]?.delta?.content;
        if (text) controller.enqueue(encoder.encode(text));
      } catch (error) {
        controller.error(error);
      }
    },
    // The visitor left: ending the iteration aborts the upstream request and ends the span
    // as `cancelled`.
    async cancel() {
      await iterator.return?.();
    },
  });
  return new Response(body, { headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' } });
});
