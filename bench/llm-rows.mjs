// The real-SDK rows of the telemetry bench (bench/telemetry.bench.mjs): the same call through the
// real SDK packages (openai, @anthropic-ai/sdk, ai with @ai-sdk/openai), once on a raw client and
// once on one instrumented by a telemetry instance, every client talking to the same fake provider
// (bench/llm-fixtures.mjs: in process through the SDK's `fetch` option, or over 127.0.0.1).
//
// Peers on the same calls, timed in the same rounds (each row lists the ones that cover it):
// - `openllmetry`: OpenLLMetry's @traceloop/instrumentation-openai and -anthropic, with
//   `traceContent: false` (no prompts or answers on the span, like ours by default). They patch the
//   SDK classes' prototypes, which would touch every client of the package; so they patch a copy
//   loaded from the package's CommonJS build, and are compared with a raw client of a second
//   CommonJS copy (`raw-cjs`), so both sides run the same build.
// - `langfuse`: Langfuse's observeOpenAI (@langfuse/openai), a proxy around one client; it always
//   puts the prompt and the answer on its span (it has no option to leave them out).
// - `ai-sdk-telemetry`: the AI SDK's own OpenTelemetry spans (`experimental_telemetry`, inputs and
//   outputs not recorded), which Langfuse and OpenLLMetry use for AI SDK apps; compared with the
//   raw model.
// All of them emit their spans through the globally registered tracer provider, as ours does.

import { createRequire } from 'node:module';
import { join, sep } from 'node:path';
import { fakeFetch, startAnswerServer } from './llm-fixtures.mjs';

/** The raw variant each peer is compared with. */
export const PEER_BASES = { openllmetry: 'raw-cjs', langfuse: 'raw', 'ai-sdk-telemetry': 'raw' };

/**
 * The rows, each `[id, label, make, peers]`: `make(t)` returns the call on a client instrumented by
 * telemetry instance `t` (raw when undefined); `peers` is a list of `[variant, call]`. `close()`
 * stops the HTTP server of `transport: 'http'`.
 */
export async function loadLlmRows({ transport: how, tracerProvider }) {
  const { default: OpenAI } = await import('openai');
  const { default: Anthropic } = await import('@anthropic-ai/sdk');
  const { generateText, streamText, wrapLanguageModel } = await import('ai');
  const { createOpenAI } = await import('@ai-sdk/openai');
  const server = how === 'http' ? await startAnswerServer() : undefined;
  const origin = server?.origin ?? 'http://api.bench.invalid';
  const transport = server === undefined ? { fetch: fakeFetch } : {};
  const openaiOptions = { apiKey: 'sk-bench', baseURL: `${origin}/v1`, maxRetries: 0, ...transport };
  const anthropicOptions = { apiKey: 'sk-ant-bench', baseURL: origin, maxRetries: 0, openTelemetry: false, ...transport };
  const newOpenAI = () => new OpenAI(openaiOptions);
  const newAnthropic = () => new Anthropic(anthropicOptions);
  const aiProvider = createOpenAI({ apiKey: 'sk-bench', baseURL: `${origin}/v1`, ...transport });
  const drain = async (stream) => {
    for await (const _item of stream);
  };
  const messages = [{ role: 'user', content: 'hi' }];
  const chatBody = { model: 'gpt-4o', messages };
  const chatStreamBody = { ...chatBody, stream: true, stream_options: { include_usage: true } };
  const responsesBody = { model: 'gpt-4o', input: 'hi' };
  const messageBody = { model: 'claude-sonnet-4-6', max_tokens: 64, messages };
  const scope = { userId: 'user-1', feature: 'chat', flags: { 'new-prompt': 'treatment' } };
  // A language-model middleware that changes nothing: the AI SDK's own cost of a wrapped model.
  const noopMiddleware = { specificationVersion: 'v3' };

  // The peers' clients (see the header). OpenLLMetry patches a CommonJS copy of each SDK; the raw
  // CommonJS client is made from a second copy, loaded apart from the first.
  const require = createRequire(import.meta.url);
  const freshCopy = (name) => {
    const dir = join(require.resolve(name).split(`${sep}node_modules${sep}${name}${sep}`)[0], 'node_modules', name) + sep;
    for (const key of Object.keys(require.cache)) if (key.startsWith(dir)) delete require.cache[key];
    return require(name);
  };
  const rawCjs = { OpenAI: freshCopy('openai').OpenAI, Anthropic: freshCopy('@anthropic-ai/sdk').Anthropic };
  const { OpenAI: OpenAICjs } = freshCopy('openai');
  const anthropicCjs = freshCopy('@anthropic-ai/sdk');
  const { OpenAIInstrumentation } = require('@traceloop/instrumentation-openai');
  const { AnthropicInstrumentation } = require('@traceloop/instrumentation-anthropic');
  const { observeOpenAI } = await import('@langfuse/openai');
  const openllmetryOpenAI = new OpenAIInstrumentation({ traceContent: false });
  openllmetryOpenAI.setTracerProvider(tracerProvider);
  openllmetryOpenAI.manuallyInstrument(OpenAICjs);
  const openllmetryAnthropic = new AnthropicInstrumentation({ traceContent: false });
  openllmetryAnthropic.setTracerProvider(tracerProvider);
  // Its manual entry point also wraps the legacy Completions resource, which @anthropic-ai/sdk 1.x
  // no longer has: it gets a stand-in class in its place.
  const { Messages, Beta } = anthropicCjs.Anthropic;
  openllmetryAnthropic.manuallyInstrument({
    ...anthropicCjs,
    Anthropic: {
      Completions: class {
        create() {}
      },
      Messages,
      Beta,
    },
  });
  const cjsOpenAI = new OpenAICjs(openaiOptions);
  const cjsAnthropic = new anthropicCjs.Anthropic(anthropicOptions);
  const rawCjsOpenAI = new rawCjs.OpenAI(openaiOptions);
  const rawCjsAnthropic = new rawCjs.Anthropic(anthropicOptions);
  const langfuseOpenAI = observeOpenAI(newOpenAI());
  const langfuseAttributed = observeOpenAI(newOpenAI(), { userId: scope.userId, sessionId: 'session-1' });
  const aiTelemetry = { isEnabled: true, recordInputs: false, recordOutputs: false };
  // Each call once, on a given client (or model): ours and the peers run the same ones.
  const chat = (client) => client.chat.completions.create(chatBody);
  const chatStream = async (client) => drain(await client.chat.completions.create(chatStreamBody));
  const responses = (client) => client.responses.create(responsesBody);
  const responsesStream = async (client) => drain(await client.responses.create({ ...responsesBody, stream: true }));
  const embeddings = (client) => client.embeddings.create({ model: 'text-embedding-3-small', input: 'hi' });
  const message = (client) => client.messages.create(messageBody);
  const messageStream = async (client) => drain(await client.messages.create({ ...messageBody, stream: true }));
  const generate = (model, telemetry) => generateText({ model, prompt: 'hi', experimental_telemetry: telemetry });
  const streamed = (model, telemetry) => drain(streamText({ model, prompt: 'hi', experimental_telemetry: telemetry }).textStream);
  // From a telemetry instance (undefined: raw) to the call on a client instrumented by it.
  const onOpenAI = (call) => (t) => {
    const client = t ? t.instrumentOpenAI(newOpenAI()) : newOpenAI();
    return () => call(client);
  };
  const onAnthropic = (call) => (t) => {
    const client = t ? t.instrumentAnthropic(newAnthropic()) : newAnthropic();
    return () => call(client);
  };
  const onModel = (call) => (t) => {
    const raw = aiProvider.chat('gpt-4o');
    const model = t ? wrapLanguageModel({ model: raw, middleware: t.aiSdkMiddleware() }) : raw;
    return () => call(model);
  };
  // The raw variant is a model wrapped in a middleware that does nothing.
  const onWrappedModel = (call) => (t) => {
    const model = wrapLanguageModel({ model: aiProvider.chat('gpt-4o'), middleware: t ? t.aiSdkMiddleware() : noopMiddleware });
    return () => call(model);
  };
  // Per OpenAI call, the raw CommonJS client and the two peers.
  const openaiPeers = (call) => [
    ['raw-cjs', () => call(rawCjsOpenAI)],
    ['openllmetry', () => call(cjsOpenAI)],
    ['langfuse', () => call(langfuseOpenAI)],
  ];
  const anthropicPeers = (call) => [
    ['raw-cjs', () => call(rawCjsAnthropic)],
    ['openllmetry', () => call(cjsAnthropic)],
  ];
  const aiPeers = (call) => [['ai-sdk-telemetry', () => call(aiProvider.chat('gpt-4o'), aiTelemetry)]];

  // Each row: id, label, a factory from a telemetry instance to the call, the peers.
  const rows = [
    ['openai-chat', 'openai chat.completions.create (JSON)', onOpenAI(chat), openaiPeers(chat)],
    [
      'openai-chat-stream',
      'openai chat.completions.create (stream of 6 chunks, read to the end)',
      onOpenAI(chatStream),
      openaiPeers(chatStream),
    ],
    [
      'openai-chat-stream-attributed',
      'the same stream inside telemetry.withAttribution({ userId, feature, flags })',
      (t) => {
        const call = onOpenAI(chatStream)(t);
        return t ? () => t.withAttribution(scope, call) : call;
      },
      [['langfuse', () => chatStream(langfuseAttributed)]],
    ],
    ['openai-responses', 'openai responses.create (JSON)', onOpenAI(responses), openaiPeers(responses)],
    ['openai-responses-stream', 'openai responses.create (stream of 10 events)', onOpenAI(responsesStream), openaiPeers(responsesStream)],
    ['openai-embeddings', 'openai embeddings.create', onOpenAI(embeddings), [['langfuse', () => embeddings(langfuseOpenAI)]]],
    ['anthropic', '@anthropic-ai/sdk messages.create (JSON)', onAnthropic(message), anthropicPeers(message)],
    [
      'anthropic-stream',
      '@anthropic-ai/sdk messages.create (stream of 8 events)',
      onAnthropic(messageStream),
      anthropicPeers(messageStream),
    ],
    ['ai-sdk', 'ai generateText (@ai-sdk/openai chat model, middleware)', onModel(generate), aiPeers(generate)],
    ['ai-sdk-noop', 'the same generateText; raw = a model wrapped in a middleware that does nothing', onWrappedModel(generate), []],
    ['ai-sdk-stream', 'ai streamText, textStream read to the end', onModel(streamed), aiPeers(streamed)],
    ['ai-sdk-stream-noop', 'the same streamText; raw = a model wrapped in a middleware that does nothing', onWrappedModel(streamed), []],
  ];
  return { rows, close: async () => server?.close() };
}
