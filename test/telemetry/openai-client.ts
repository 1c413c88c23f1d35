/**
 * The setup the OpenAI suites share: one OpenAI server on 127.0.0.1 per file and, for each test, a
 * new telemetry instance with the real `openai` client instrumented by it (the `oldest-sdks` project
 * runs the same files on an older `openai`).
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { createTelemetry, type Telemetry } from '../../src/telemetry/index.js';
import { startOpenAIServer } from './openai-server.js';

/** What a test reads: replaced before each test, so read through this object. */
export interface InstrumentedOpenAI {
  server: Awaited<ReturnType<typeof startOpenAIServer>>;
  t: Telemetry;
  client: OpenAI;
  /** The telemetry instance's warnings in this test. */
  warnings: string[];
  /** The value of the first metrics line starting with `prefix`, undefined when there is none. */
  sample(prefix: string): Promise<number | undefined>;
}

/** Registers the hooks; `maxRetries` is the client's. */
export function openAIPerTest(maxRetries: number): InstrumentedOpenAI {
  const use = {
    warnings: [] as string[],
    async sample(prefix: string) {
      const line = (await use.t.metrics()).split('\n').find((l) => l.startsWith(prefix));
      return line === undefined ? undefined : Number(line.split(' ').pop());
    },
  } as InstrumentedOpenAI;
  beforeAll(async () => {
    use.server = await startOpenAIServer();
  });
  afterAll(async () => {
    await use.server.close();
  });
  beforeEach(() => {
    use.server.seen.length = 0;
    use.warnings.length = 0;
    use.t = createTelemetry({ logger: { warn: (m: string) => use.warnings.push(m), error: () => {} } });
    use.client = use.t.instrumentOpenAI(new OpenAI({ apiKey: 'sk-test', baseURL: use.server.baseURL, maxRetries }));
  });
  return use;
}
