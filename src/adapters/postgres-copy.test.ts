import { describe, expect, it, vi } from 'vitest';
import { copyFromText, copyText } from './postgres-copy.js';

describe('copyFromText', () => {
  it('makes no text and sends nothing through a query() that cannot COPY (the caller inserts instead)', async () => {
    const query = vi.fn(async () => ({ rows: [], rowCount: 0 }));
    const makeText = vi.fn(() => 'a\tb\n');
    await expect(copyFromText({ query }, 'copy t from stdin', makeText)).resolves.toBe(false);
    expect(makeText).not.toHaveBeenCalled();
    expect(query).not.toHaveBeenCalled();
  });

  it('gives a pooled client that cannot COPY back at once, its text not made', async () => {
    const release = vi.fn();
    const pool = { query: vi.fn(), connect: vi.fn(async () => ({ query: vi.fn(), release })), idleCount: 0 };
    const makeText = vi.fn(() => '');
    await expect(copyFromText(pool as never, 'copy t from stdin', makeText)).resolves.toBe(false);
    expect(release).toHaveBeenCalledOnce();
    expect(makeText).not.toHaveBeenCalled();
  });

  it('sends the text made as one chunk, then the end of the data, on a client that can COPY', async () => {
    const sent: string[] = [];
    const connection = {
      query: (sql: string) => sent.push(`query ${sql}`),
      sendCopyFromChunk: (chunk: Buffer) => sent.push(`data ${chunk.toString('utf8')}`),
      endCopyFrom: () => sent.push('done'),
    };
    const client = {
      connection,
      query(copy: { submit(c: typeof connection): void; handleCopyInResponse(c: typeof connection): void; handleReadyForQuery(): void }) {
        copy.submit(connection);
        copy.handleCopyInResponse(connection);
        copy.handleReadyForQuery();
      },
    };
    await expect(copyFromText(client as never, 'copy t from stdin', () => 'é\t\\N\n')).resolves.toBe(true);
    expect(sent).toEqual(['query copy t from stdin', 'data é\t\\N\n', 'done']);
  });
});

describe('copyText', () => {
  it('spells null as \\N and escapes what could end a column, a row or the data', () => {
    expect(copyText(null)).toBe('\\N');
    expect(copyText(undefined)).toBe('\\N');
    expect(copyText(1.5)).toBe('1.5');
    expect(copyText('a\tb\nc\rd\\e')).toBe('a\\tb\\nc\\rd\\\\e');
    expect(copyText('\\.')).toBe('\\\\.');
  });
});
