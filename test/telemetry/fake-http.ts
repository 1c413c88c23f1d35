/**
 * Helpers of the fake provider servers: a JSON-body POST handler on 127.0.0.1 that records what it
 * saw, and an SSE writer that sends frames with an optional delay and notes an abort.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SeenRequest {
  url: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
  aborted: boolean;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string, seen: SeenRequest[]) => void;

export async function startFakeServer(handler: Handler) {
  const seen: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, res, Buffer.concat(chunks).toString('utf8'), seen));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Sends `frames` as text/event-stream, `delayMs` apart; marks `record.aborted` when the client hangs up first. */
export function sendSse(res: ServerResponse, frames: string[], record: SeenRequest, delayMs = 0): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.on('close', () => {
    if (!res.writableFinished) record.aborted = true;
  });
  let i = 0;
  const next = () => {
    if (res.destroyed) return;
    if (i === frames.length) return void res.end();
    res.write(frames[i++]);
    setTimeout(next, delayMs);
  };
  next();
}

/** True when the request's content type is JSON (what every provider API requires of a POST). */
export const isJson = (req: IncomingMessage) => /^application\/json\b/i.test(String(req.headers['content-type']));
