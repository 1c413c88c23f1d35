import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { findCycles, judgeCycles } from '../scripts/check-cycles.mjs';
import { findOversized, judgeSizes } from '../scripts/check-size-bars.mjs';

// The real src/ is checked here too, so `npm test` fails as `npm run lint` does when src/ gains a cycle
// or an oversized file. Each script runs once as a child process on a failing fixture (exit code and
// output, as lint sees them); the other cases call the same functions in-process (a process per case
// costs seconds on a loaded machine).
const run = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '..');
const cyclesScript = path.join(repo, 'scripts/check-cycles.mjs');
const sizesScript = path.join(repo, 'scripts/check-size-bars.mjs');

async function check(script: string, args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [script, ...args], { cwd: repo });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

const fixtures: string[] = [];
afterEach(() => {
  for (const dir of fixtures.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A throwaway source tree: `{ 'a/types.ts': '...' }`. */
function tree(files: Record<string, string>): string {
  const root = path.join(mkdtempSync(path.join(tmpdir(), 'elite-structure-')), 'src');
  fixtures.push(path.dirname(root));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
  return root;
}

describe('import cycles', () => {
  it('src/ has none beyond the allowlisted ones', () => {
    const { edges } = JSON.parse(readFileSync(path.join(repo, 'scripts/cycles-allowlist.json'), 'utf8'));
    const { failing } = judgeCycles(findCycles(path.join(repo, 'src'), path.join(repo, 'tsconfig.json')), edges);
    expect(failing).toEqual([]);
  });

  it('fails on two files importing only each other’s types, through `.js` specifiers', async () => {
    const root = tree({
      'flags/types.ts': "import type { Store } from '../adapters/types.js';\nexport interface Flag { store: Store }\n",
      'adapters/types.ts': "import type { Flag } from '../flags/types.js';\nexport interface Store { read(): Flag }\n",
    });
    const { code, output } = await check(cyclesScript, ['--root', root]);
    expect(code).toBe(1);
    expect(output).toContain('src/adapters/types.ts -> src/flags/types.ts -> src/adapters/types.ts');
  });

  it('follows `export type … from`, `import()` and `import("…").T` as edges', () => {
    const edges: [name: string, text: string][] = [
      ['re-export', "export type { A } from './a.js';\n"],
      ['dynamic import', "export const load = () => import('./a.js');\n"],
      ['import type query', "export type B = import('./a.js').A;\n"],
    ];
    for (const [name, edge] of edges) {
      const root = tree({ 'a.ts': "import type { B } from './b.js';\nexport type A = { b?: B };\n", 'b.ts': edge });
      expect(
        findCycles(root).map((c) => c.files),
        name,
      ).toEqual([['src/a.ts', 'src/b.ts']]);
    }
  });

  it('passes on a tree whose imports point one way', () => {
    const root = tree({
      'definitions/types.ts': 'export interface Flag { key: string }\n',
      'flags/types.ts': "import type { Flag } from '../definitions/types.js';\nexport type Flags = Flag[];\n",
      'adapters/types.ts': "import type { Flag } from '../definitions/types.js';\nexport interface Store { read(): Flag }\n",
    });
    expect(findCycles(root)).toEqual([]);
  });

  it('allowlists exact imports only: a new import that joins a listed cycle fails', () => {
    const files = {
      'a.ts': "import type { B } from './b.js';\nexport type A = B;\n",
      'b.ts': "import type { A } from './a.js';\nexport type B = A;\n",
    };
    const root = tree(files);
    const allowed = ['src/a.ts -> src/b.ts', 'src/b.ts -> src/a.ts'];
    expect(judgeCycles(findCycles(root), allowed)).toMatchObject({ failing: [], stale: [] });

    writeFileSync(path.join(root, 'c.ts'), "import type { A } from './a.js';\nexport type C = A;\n");
    writeFileSync(path.join(root, 'b.ts'), "import type { C } from './c.js';\nexport type B = C;\n");
    const { failing, stale } = judgeCycles(findCycles(root), allowed);
    expect(failing.map((c) => c.files)).toEqual([['src/a.ts', 'src/b.ts', 'src/c.ts']]);
    expect(stale).toEqual(['src/b.ts -> src/a.ts']);
  });
});

describe('size bars', () => {
  const lines = (n: number) => `${Array.from({ length: n }, (_, i) => `export const v${i} = ${i};`).join('\n')}\n`;
  const fn = (name: string, bodyLines: number) =>
    `export function ${name}(): number {\n${'  let x = 0;\n'.repeat(bodyLines - 3)}  return x;\n}\n`;

  it('src/ has nothing over the bars beyond the allowlisted offenders', () => {
    const { offenders } = JSON.parse(readFileSync(path.join(repo, 'scripts/size-bars-allowlist.json'), 'utf8'));
    expect(judgeSizes(findOversized(path.join(repo, 'src')), offenders).failing).toEqual([]);
  });

  it('fails on a file over 450 lines and a top-level function over 150, and passes at the bars', async () => {
    const atBars = tree({ 'ok.ts': lines(450), 'fn.ts': fn('fits', 150) });
    expect(findOversized(atBars)).toEqual([]);

    const over = tree({
      'big.ts': lines(451),
      'fn.ts': fn('long', 151),
      'arrow.ts': `export const arrow = () => {\n${'  1;\n'.repeat(150)}};\n`,
    });
    const { code, output } = await check(sizesScript, ['--root', over]);
    expect(code).toBe(1);
    expect(output).toContain('src/big.ts: 451 lines > 450');
    expect(output).toContain('src/fn.ts#long: 151 lines > 150');
    expect(output).toContain('src/arrow.ts#arrow: 152 lines > 150');
  });

  it('does not measure tests, conformance suites, generated files or SQL', () => {
    const root = tree({
      'a.test.ts': lines(500),
      'storage.case.ts': lines(500),
      'gen.ts': `// @generated by a script\n${lines(500)}`,
      'migration.sql': 'select 1;\n'.repeat(500),
    });
    expect(findOversized(root)).toEqual([]);
  });

  it('tolerates allowlisted offenders and fails on anyone new', () => {
    const root = tree({ 'big.ts': lines(460) });
    const allowed = { 'src/big.ts': 460, 'src/gone.ts': 500 };
    expect(judgeSizes(findOversized(root), allowed)).toEqual({
      failing: [],
      tolerated: [{ id: 'src/big.ts', lines: 460, limit: 450, listed: 460 }],
      stale: ['src/gone.ts'],
    });

    writeFileSync(path.join(root, 'new.ts'), lines(451));
    expect(judgeSizes(findOversized(root), allowed).failing).toEqual([{ id: 'src/new.ts', lines: 451, limit: 450 }]);
  });
});
