/**
 * A Gemini API server on 127.0.0.1 (`models/{model}:generateContent`,
 * `:streamGenerateContent?alt=sse`, `:embedContent` and `:batchEmbedContents`), strict where the real API is: the `x-goog-api-key` header
 * (403 PERMISSION_DENIED without it, 400 INVALID_ARGUMENT for an unknown key), a JSON content type and body with non-empty `contents`
 * (400 INVALID_ARGUMENT), an unknown model answered 404 NOT_FOUND, errors in Google's body
 * (`{ error: { code, message, status } }`). `promptTokenCount` includes `cachedContentTokenCount`;
 * `thoughtsTokenCount` is reported apart from `candidatesTokenCount`, as the API does. Scenarios by
 * model name: `gemini-stream-error` → an error frame midway through the stream; `gemini-rate-limited` →
 * 429 RESOURCE_EXHAUSTED. Embeddings: each request of a batch names the URL's model (400 otherwise)
 * and has non-empty `content.parts`; the answer has no usage, as the API's has none.
 * @see https://ai.google.dev/api/generate-content
 */
import type { ServerResponse } from 'node:http';
import { isJson, type SeenRequest, sendSse, startFakeServer } from './fake-http.js';

export const GEMINI_USAGE = {
  promptTokenCount: 120,
  cachedContentTokenCount: 100,
  candidatesTokenCount: 20,
  thoughtsTokenCount: 10,
  totalTokenCount: 150,
};

const KNOWN = new Set(['gemini-2.5-flash', 'gemini-stream-error', 'gemini-rate-limited']);
/** The API keys this server knows; any other is answered 400 INVALID_ARGUMENT, as the API does. */
export const VALID_KEYS = new Set<unknown>(['g-test', 'gemini-test-key', 'k']);
const EMBEDDING_MODELS = new Set(['gemini-embedding-001']);
const hasParts = (content: unknown) =>
  Array.isArray((content as { parts?: unknown } | null)?.parts) && (content as { parts: unknown[] }).parts.length > 0;
const embedding = (i: number) => ({ values: [0.1 * (i + 1), -0.2, 0.3] });

const error = (res: ServerResponse, code: number, status: string, message: string) => {
  res.writeHead(code, { 'content-type': 'application/json; charset=UTF-8' });
  res.end(JSON.stringify({ error: { code, message, status } }));
};

export async function startGeminiServer() {
  const fake = await startFakeServer((req, res, text, seen) => {
    const match = /^\/v1beta\/models\/([^/:?]+):(generateContent|streamGenerateContent|embedContent|batchEmbedContents)(\?alt=sse)?$/.exec(
      String(req.url),
    );
    if (req.method !== 'POST' || match === null) return error(res, 404, 'NOT_FOUND', 'The requested URL was not found on this server.');
    const [, model = '', method, sse] = match;
    if (typeof req.headers['x-goog-api-key'] !== 'string' || req.headers['x-goog-api-key'] === '')
      return error(
        res,
        403,
        'PERMISSION_DENIED',
        "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
      );
    if (!VALID_KEYS.has(req.headers['x-goog-api-key']))
      return error(res, 400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.');
    if (!isJson(req)) return error(res, 400, 'INVALID_ARGUMENT', 'Invalid JSON payload received. Unexpected content type.');
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text);
    } catch {
      return error(res, 400, 'INVALID_ARGUMENT', 'Invalid JSON payload received.');
    }
    const record: SeenRequest = { url: String(req.url), headers: req.headers, body, aborted: false };
    seen.push(record);
    if (method === 'embedContent' || method === 'batchEmbedContents') {
      if (!EMBEDDING_MODELS.has(model))
        return error(res, 404, 'NOT_FOUND', `models/${model} is not found for API version v1beta, or is not supported for ${method}.`);
      const requests = method === 'embedContent' ? [{ model: `models/${model}`, content: body.content }] : body.requests;
      if (!Array.isArray(requests) || requests.length === 0)
        return error(res, 400, 'INVALID_ARGUMENT', '* BatchEmbedContentsRequest.requests: requests is not specified');
      for (const [i, request] of (requests as { model?: unknown; content?: unknown }[]).entries()) {
        if (request?.model !== `models/${model}`)
          return error(
            res,
            400,
            'INVALID_ARGUMENT',
            `* BatchEmbedContentsRequest.requests[${i}].model: model in the request must match the model in the URL`,
          );
        if (!hasParts(request.content))
          return error(res, 400, 'INVALID_ARGUMENT', `* BatchEmbedContentsRequest.requests[${i}].content.parts: contents are required`);
      }
      res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
      res.end(
        JSON.stringify(method === 'embedContent' ? { embedding: embedding(0) } : { embeddings: requests.map((_r, i) => embedding(i)) }),
      );
      return;
    }
    if (!Array.isArray(body.contents) || body.contents.length === 0)
      return error(res, 400, 'INVALID_ARGUMENT', '* GenerateContentRequest.contents: contents is not specified');
    if (!KNOWN.has(model))
      return error(res, 404, 'NOT_FOUND', `models/${model} is not found for API version v1beta, or is not supported for generateContent.`);
    if (model === 'gemini-rate-limited') return error(res, 429, 'RESOURCE_EXHAUSTED', 'Resource has been exhausted (e.g. check quota).');
    const responseId = `resp-${seen.length}`;
    const chunk = (text: string, finishReason?: string) => ({
      candidates: [{ content: { parts: [{ text }], role: 'model' }, ...(finishReason ? { finishReason } : {}), index: 0 }],
      ...(finishReason ? { usageMetadata: GEMINI_USAGE } : {}),
      modelVersion: 'gemini-2.5-flash',
      responseId,
    });
    if (method === 'generateContent') {
      res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
      res.end(JSON.stringify(chunk('Hello there!', 'STOP')));
      return;
    }
    if (sse !== '?alt=sse') return error(res, 400, 'INVALID_ARGUMENT', 'streamGenerateContent is tested here with alt=sse only');
    const frame = (value: unknown) => `data: ${JSON.stringify(value)}\r\n\r\n`;
    if (model === 'gemini-stream-error') {
      return sendSse(
        res,
        [frame(chunk('Hel')), frame({ error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } })],
        record,
      );
    }
    sendSse(res, [frame(chunk('Hel')), frame(chunk('lo')), frame(chunk(' there!', 'STOP'))], record);
  });
  return { ...fake, baseURL: `${fake.origin}/v1beta` };
}
