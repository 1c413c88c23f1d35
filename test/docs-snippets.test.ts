/**
 * Every TypeScript and JavaScript block of README.md and docs/*.md compiles under the project's
 * strict options against the package's public entries, every import present, and the blocks that
 * can run on their own do, exiting 0.
 *
 * - Each block is a module of its own (```ts, ```typescript, ```tsx, ```js, ```jsx). A block marked
 *   `continued` (```js continued) is appended to the block before it: one program shown in steps.
 *   A block marked `fragment` (```ts fragment) is a shape, not code, and is skipped: see FRAGMENTS.
 * - Names a block uses for the reader's own values (`userId`, `points`, the app's `storage`, …)
 *   are declared, typed, in test/docs-snippets/globals.d.ts; none of them may be a name the SDK
 *   exports, so a missing SDK import is always an error.
 * - Runnable: a block that uses none of those placeholders, reads no `process.env` (a URL, a key)
 *   and imports nothing but the SDK and `node:` built-ins: no server, no secret, no app code of the
 *   reader's. It is bundled from src/ with esbuild
 *   and run by Node from the repository root (the worked examples read its data files, as
 *   examples/node does), and must exit 0 within 30 s.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleSnippet, type CheckResult, extractSnippets, markdownFiles, type Snippet, typeCheck } from './docs-snippets/snippets.js';

const root = new URL('..', import.meta.url).pathname;
const globalsFile = join(root, 'test/docs-snippets/globals.d.ts');
const all = markdownFiles(root).flatMap((doc) => extractSnippets(root, doc));
const snippets = all.filter((s) => !s.flags.includes('fragment'));
const at = (s: Snippet) => `${s.doc}:${s.line}`;

/** The blocks that are shapes rather than code, and why; a `fragment` anywhere else fails. */
const FRAGMENTS: Record<string, string> = {
  'docs/experiments.md': 'the shape of what results() returns, `?` marking optional fields',
  'docs/cli.md': 'one entry of the command table of src/cli/registry.ts, out of its array',
};

let checked: CheckResult | undefined;
const check = () => {
  checked ??= typeCheck(root, snippets, globalsFile);
  return checked;
};
const selfOrBuiltin = (specifier: string) => /^(@tiqology\/elite(\/|$)|node:)/.test(specifier);
const runnable = () =>
  snippets.filter(
    (s) =>
      check().placeholders.get(s.file)?.length === 0 &&
      (check().imports.get(s.file) ?? []).every(selfOrBuiltin) &&
      !/\bprocess\.env\b/.test(s.code),
  );

// Bundles go to a directory of their own under .tmp/ (git-ignored), so Node resolves the SDK's
// dependencies from the repository's node_modules; only that directory is removed afterwards.
mkdirSync(join(root, '.tmp'), { recursive: true });
const bundles = mkdtempSync(join(root, '.tmp', 'docs-snippets-'));
afterAll(() => rmSync(bundles, { recursive: true, force: true }));

describe('docs code blocks', () => {
  it('finds the blocks of README.md and docs/*.md; `fragment` only where listed', () => {
    expect(snippets.length).toBeGreaterThanOrEqual(35);
    expect(new Set(snippets.map((s) => s.doc))).toContain('README.md');
    const fragments = all.filter((s) => s.flags.includes('fragment'));
    expect(fragments.map((s) => `${at(s)}: ${FRAGMENTS[s.doc] ?? 'not a shape the test knows'}`)).toEqual(
      fragments.map((s) => `${at(s)}: ${FRAGMENTS[s.doc]}`),
    );
    expect(fragments.length).toBeLessThanOrEqual(Object.keys(FRAGMENTS).length);
  });

  it("declare nothing: the reader's own values live in test/docs-snippets/globals.d.ts, so the runner knows them", () => {
    const declaring = all.filter((snippet) => /^\s*declare\s/m.test(snippet.code)).map(at);
    expect(declaring).toEqual([]);
  });

  it('compile under strict TypeScript against the public entries (Markdown file:line, TS code, message)', () => {
    expect(check().errors).toEqual([]);
  }, 120_000);

  it('declare no placeholder that the SDK exports (a missing import would go unnoticed)', () => {
    expect(check().declared).toContain('userId');
    expect(check().shadowed).toEqual([]);
  });

  it('run, when they need nothing of the reader (exit 0)', async () => {
    const blocks = runnable();
    // Not vacuous: the error handling, the statistics, the worked forecast and the detector at least.
    // Counted per file, not by line: the docs move.
    const perFile = (doc: string) => blocks.filter((snippet) => snippet.doc === doc).length;
    expect(perFile('docs/errors.md')).toBeGreaterThanOrEqual(1);
    expect(perFile('docs/experiments.md')).toBeGreaterThanOrEqual(1);
    expect(perFile('docs/forecast.md')).toBeGreaterThanOrEqual(2);
    const failures: string[] = [];
    for (const snippet of blocks) {
      const out = join(bundles, `${snippet.file.split('/').pop()}.mjs`);
      await bundleSnippet(root, snippet, out);
      try {
        await promisify(execFile)(process.execPath, [out], { cwd: root, timeout: 30_000 });
      } catch (error) {
        const e = error as { code?: number; signal?: string; stderr?: string };
        const stderr = (e.stderr || String(error)).trim().split('\n').slice(0, 8).join('\n');
        failures.push(`${at(snippet)}: exit ${e.code ?? e.signal}: ${stderr}`);
      }
    }
    expect(failures).toEqual([]);
  }, 300_000);
});
