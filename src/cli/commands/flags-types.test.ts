import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../test/cli/in-process.js';
import { declarationOf, typeOfJson } from './flags-types.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const FIXTURE = 'test/types/typed-keys/fixtures/flags.json';

describe('tiqology flags types', () => {
  it('writes the declaration the typed-keys type test compiles against (fixtures/flags.d.ts is current)', async () => {
    const run = await runCli(['flags', 'types', '--file', FIXTURE], { cwd: root });
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toBe(readFileSync(join(root, 'test/types/typed-keys/fixtures/flags.d.ts'), 'utf8'));
    // Only the flags of the environment asked for; both entries of the package are augmented.
    expect(run.stdout).not.toContain('staging-only');
    expect(run.stdout).toContain("declare module '@tiqology/elite' {");
    expect(run.stdout).toContain("declare module '@tiqology/elite/flags' {");
    const staging = await runCli(['flags', 'types', '--file', FIXTURE, '--env', 'staging'], { cwd: root });
    expect(staging.stdout).toContain("'staging-only': { variant: 'on' | 'off'; value: boolean };");
  });

  it('writes --out and reports it; --json names the flags', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'elite-types-'));
    const out = join(dir, 'flags.d.ts');
    const run = await runCli(['flags', 'types', '--file', join(root, FIXTURE), '--out', out, '--json'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ out, flags: ['checkout.layout', 'dark-mode', 'pricing-test', 'regions'] });
    expect(readFileSync(out, 'utf8')).toContain("'pricing-test': { variant: 'control' | 'variant-a' | 'variant-b';");
    const text = await runCli(['flags', 'types', '--file', join(root, FIXTURE), '--out', 'types.d.ts'], { cwd: dir });
    expect(text.stdout).toMatch(/^types\.d\.ts: types of 4 flags from the production flags of /);
    const misplaced = await runCli(['flags', 'list', '--file', join(root, FIXTURE), '--out', 'x.d.ts'], { cwd: dir });
    expect(misplaced).toMatchObject({ code: 2, stderr: expect.stringMatching(/--out applies to flags types/) });
  });

  it('types JSON values by shape, primitives widened, names quoted where needed', () => {
    expect(typeOfJson(3)).toBe('number');
    expect(typeOfJson('blue')).toBe('string');
    expect(typeOfJson(null)).toBe('null');
    expect(typeOfJson([1, 'a', 2])).toBe('(number | string)[]');
    expect(typeOfJson([])).toBe('JsonValue[]');
    expect(typeOfJson({})).toBe('Record<string, never>');
    expect(typeOfJson({ 'max-tokens': 5, model: 'x', "it's": true, nested: { on: false } })).toBe(
      "{ 'max-tokens': number; model: string; 'it\\'s': boolean; nested: { on: boolean } }",
    );
  });

  it('declares an empty registry when there are no flags (then any key is allowed, as without the file)', () => {
    expect(declarationOf([], 'nowhere')).toContain('  interface FlagRegistry {\n\n  }');
  });
});

describe('tiqology flags types --react', () => {
  it("types the React hooks from the same file: a misspelt key is an error, useVariant returns the flag's variants", async () => {
    const ts = await import('typescript');
    const dir = mkdtempSync(join(tmpdir(), 'elite-types-react-'));
    const run = await runCli(['flags', 'types', '--file', join(root, FIXTURE), '--react', '--out', join(dir, 'flags.d.ts')], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(join(dir, 'flags.d.ts'), 'utf8')).toContain("declare module '@tiqology/elite/react' {\n  interface FlagTypes {");
    // A component of the app: the expected errors must occur, and nothing else may fail.
    const app = join(dir, 'app.ts');
    writeFileSync(
      app,
      [
        "import { useFlagValue, useVariant } from '@tiqology/elite/react';",
        "const variant: 'control' | 'variant-a' | 'variant-b' | undefined = useVariant('pricing-test');",
        "const price: number = useFlagValue('pricing-test', { price: 20, badge: null }).price;",
        '// @ts-expect-error a misspelt key',
        "useVariant('pricing-tset');",
        '// @ts-expect-error not a variant of the flag',
        "const wrong: 'control' | undefined = useVariant('pricing-test');",
        'export { price, variant, wrong };',
      ].join('\n'),
    );
    const program = ts.createProgram([app, join(dir, 'flags.d.ts')], {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      baseUrl: root,
      paths: {
        '@tiqology/elite': ['src/index.ts'],
        '@tiqology/elite/flags': ['src/flags/index.ts'],
        '@tiqology/elite/react': ['src/react/index.ts'],
      },
      typeRoots: [join(root, 'node_modules/@types')],
      types: [],
    });
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file === undefined || !d.file.fileName.includes('/src/'))
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(problems).toEqual([]);
    const misplaced = await runCli(['flags', 'list', '--file', join(root, FIXTURE), '--react'], { cwd: dir });
    expect(misplaced).toMatchObject({ code: 2, stderr: expect.stringMatching(/--react applies to flags types/) });
  }, 60_000);
});
