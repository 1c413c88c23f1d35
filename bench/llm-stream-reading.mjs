// What the LLM stream benches (bench/llm-stream-floor.mjs, bench/llm-stream-parts.mjs) share: reading
// a stream to its end, the least a reader that sees each chunk adds (one promise per chunk), and the
// GenAI attributes an instrumented chat stream sets, as [key, value] pairs.

/** Reads an async-iterable stream to its end. */
export const drain = async (stream) => {
  for await (const _chunk of stream);
};

const same = (result) => result;

/** Replaces a Stainless stream's `iterator` with one that adds one `then` per chunk and nothing else. */
export const perChunkPromise = (stream) => {
  const open = stream.iterator;
  stream.iterator = () => {
    const source = open.call(stream);
    return {
      next: () => source.next().then(same),
      return: (value) => source.return(value),
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  };
  return stream;
};

/** The request and response attributes of a chat stream's span against `host`. */
export function streamAttributes(host, { model = 'gpt-4o-2024-08-06', id = 'chatcmpl-1' } = {}) {
  return {
    request: Object.entries({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'server.address': host,
      'server.port': 443,
      'gen_ai.request.stream': true,
    }),
    response: Object.entries({
      'gen_ai.response.model': model,
      'gen_ai.response.id': id,
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 120,
      'gen_ai.usage.output_tokens': 30,
      'gen_ai.usage.cache_read.input_tokens': 100,
      'gen_ai.usage.reasoning.output_tokens': 10,
      'gen_ai.response.time_to_first_chunk': 0.001,
    }),
  };
}
