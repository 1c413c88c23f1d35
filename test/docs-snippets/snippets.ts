/**
 * The code blocks of README.md and docs/*.md as modules: extracted from the Markdown, type-checked
 * together in one TypeScript program (strict, the project's options), and bundled for Node when
 * they can run on their own. Used by test/docs-snippets.test.ts.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build, type Plugin } from 'esbuild';
import ts from 'typescript';

/** One module made of fenced code blocks of a Markdown file. */
export interface Snippet {
  /** The Markdown file, relative to the repository (`docs/flags.md`). */
  doc: string;
  /** 1-based line of the opening fence in `doc`; the block's first line is `line + 1`. */
  line: number;
  /** The fence's language: ts, tsx, js or jsx. */
  lang: 'ts' | 'tsx' | 'js' | 'jsx';
  /** The words after the language in the fence's info string (`fragment`). */
  flags: string[];
  code: string;
  /**
   * The blocks this module is made of: one, or a block and the blocks marked `continued` after it
   * (one program shown in steps, with prose between). `start` is the 0-based line in `code` where
   * the block whose opening fence is on line `fence` begins.
   */
  parts: { start: number; fence: number }[];
  /** Where the module lives in the program: a path under the repository that exists only in memory. */
  file: string;
}

const LANGS: Record<string, Snippet['lang']> = { ts: 'ts', typescript: 'ts', tsx: 'tsx', js: 'js', javascript: 'js', jsx: 'jsx' };

/** The Markdown the package documents itself in: README.md and docs/*.md (not the generated docs/api/). */
export function markdownFiles(root: string): string[] {
  const docs = readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => `docs/${f}`);
  return ['README.md', ...docs];
}

/** Every ```ts, ```typescript, ```tsx, ```js and ```jsx block of `doc`, `continued` ones joined to the block before. */
export function extractSnippets(root: string, doc: string, text = readFileSync(join(root, doc), 'utf8')): Snippet[] {
  const out: Snippet[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,})\s*([\w-]*)(.*)$/.exec(lines[i] as string);
    if (!open) continue;
    const [, fence, info, rest] = open as unknown as [string, string, string, string];
    let end = i + 1;
    while (end < lines.length && !(lines[end] as string).startsWith(fence)) end++;
    const lang = LANGS[info.toLowerCase()];
    const flags = rest.trim().split(/\s+/).filter(Boolean);
    const code = `${lines.slice(i + 1, end).join('\n')}\n`;
    const previous = out.at(-1);
    if (lang && flags.includes('continued')) {
      if (!previous || previous.lang !== lang) throw new Error(`${doc}:${i + 1}: a \`continued\` block follows no ${info} block`);
      previous.parts.push({ start: previous.code.split('\n').length - 1, fence: i + 1 });
      previous.code += code;
    } else if (lang) {
      const name = `${doc.replace(/[^\w]/g, '_')}_L${i + 1}.${lang}`;
      out.push({ doc, line: i + 1, lang, flags, code, parts: [{ start: 0, fence: i + 1 }], file: join(root, '.docs-snippets', name) });
    }
    i = end;
  }
  return out;
}

/** The Markdown line of the 0-based `line` of `snippet.code`. */
export function markdownLine(snippet: Snippet, line: number): number {
  let part = { start: 0, fence: snippet.line };
  for (const p of snippet.parts) if (p.start <= line) part = p;
  return part.fence + 1 + line - part.start;
}

/** `@tiqology/elite` and its subpaths (package.json "exports") → the source file each is built from. */
export function selfPaths(root: string): Record<string, string> {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; exports: Record<string, unknown> };
  const paths: Record<string, string> = {};
  for (const subpath of Object.keys(pkg.exports)) {
    if (subpath === './package.json') continue;
    const rel = subpath === '.' ? '' : subpath.slice(2);
    const candidates = rel === '' ? ['src/index.ts'] : [`src/${rel}/index.ts`, `src/${rel}.ts`];
    const source = candidates.find((c) => existsSync(join(root, c)));
    if (!source) throw new Error(`docs snippets: no source for the subpath ${subpath} (looked for ${candidates.join(', ')})`);
    paths[rel === '' ? pkg.name : `${pkg.name}/${rel}`] = join(root, source);
  }
  return paths;
}

/** What the type check found. */
export interface CheckResult {
  /** `doc:line: TS1234: message`, the line being the Markdown line; none means every block compiles. */
  errors: string[];
  /** Per snippet file: the placeholders (names of the globals file) it uses. */
  placeholders: Map<string, string[]>;
  /** Per snippet file: the modules it imports. */
  imports: Map<string, string[]>;
  /** The values the globals file declares, and those among them that the SDK exports too. */
  declared: string[];
  shadowed: string[];
}

/**
 * Type-checks every snippet in one program with the project's compiler options (strict,
 * noUncheckedIndexedAccess, …), `@tiqology/elite` mapped to `src/`, and `globalsFile` declaring
 * the reader's own values that snippets use without defining (`userId`, `points`, …).
 */
export function typeCheck(root: string, snippets: Snippet[], globalsFile: string): CheckResult {
  const config = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile);
  const base = ts.parseJsonConfigFileContent(config.config, ts.sys, root).options;
  const self = selfPaths(root);
  const options: ts.CompilerOptions = {
    ...base,
    noEmit: true,
    allowJs: true,
    checkJs: true,
    jsx: ts.JsxEmit.Preserve,
    // Each block is a module of its own, imports or not: their top-level names never collide.
    moduleDetection: ts.ModuleDetectionKind.Force,
    paths: Object.fromEntries(Object.entries(self).map(([name, file]) => [name, [file]])),
  };
  const byFile = new Map(snippets.map((s) => [s.file, s]));
  const host = ts.createCompilerHost(options, true);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (f) => byFile.has(f) || fileExists.call(host, f);
  host.readFile = (f) => byFile.get(f)?.code ?? readFile.call(host, f);
  host.getSourceFile = (f, language, ...rest) => {
    const snippet = byFile.get(f);
    return snippet ? ts.createSourceFile(f, snippet.code, language, true) : getSourceFile.call(host, f, language, ...rest);
  };
  const program = ts.createProgram([globalsFile, ...byFile.keys()], options, host);
  const checker = program.getTypeChecker();

  const where = (d: ts.Diagnostic) => {
    if (!d.file) return 'compiler options';
    const { line } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
    const snippet = byFile.get(d.file.fileName);
    return snippet ? `${snippet.doc}:${markdownLine(snippet, line)}` : `${relative(root, d.file.fileName)}:${line + 1}`;
  };
  const files = [globalsFile, ...byFile.keys()].map((f) => program.getSourceFile(f) as ts.SourceFile);
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...files.flatMap((f) => [...program.getSyntacticDiagnostics(f), ...program.getSemanticDiagnostics(f)]),
  ];
  const errors = diagnostics.map((d) => `${where(d)}: TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);

  const globals = program.getSourceFile(globalsFile) as ts.SourceFile;
  const placeholders = new Map<string, string[]>();
  const imports = new Map<string, string[]>();
  for (const file of byFile.keys()) {
    const used = new Set<string>();
    const specifiers: string[] = [];
    const visit = (node: ts.Node) => {
      if (ts.isIdentifier(node)) {
        // `{ storage }` names the property; the value it takes is the variable of that name.
        const symbol = ts.isShorthandPropertyAssignment(node.parent)
          ? checker.getShorthandAssignmentValueSymbol(node.parent)
          : checker.getSymbolAtLocation(node);
        if (symbol?.declarations?.some((d) => d.getSourceFile() === globals)) used.add(symbol.name);
      }
      if (
        (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
        node.moduleSpecifier &&
        ts.isStringLiteral(node.moduleSpecifier)
      ) {
        specifiers.push(node.moduleSpecifier.text);
      }
      if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
        const [arg] = node.arguments;
        specifiers.push(arg && ts.isStringLiteral(arg) ? arg.text : '<computed>');
      }
      ts.forEachChild(node, visit);
    };
    visit(program.getSourceFile(file) as ts.SourceFile);
    placeholders.set(file, [...used].sort());
    imports.set(file, specifiers);
  }

  // A placeholder that is also something the SDK exports would hide a missing import.
  const declared = checker
    .getSymbolsInScope(globals, ts.SymbolFlags.Value)
    .filter((s) => s.declarations?.some((d) => d.getSourceFile() === globals))
    .map((s) => s.name);
  const exported = new Set<string>();
  for (const file of Object.values(self)) {
    const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(file) as ts.SourceFile);
    for (const s of moduleSymbol ? checker.getExportsOfModule(moduleSymbol) : []) exported.add(s.name);
  }
  return { errors, placeholders, imports, declared, shadowed: declared.filter((n) => exported.has(n)) };
}

/**
 * One snippet bundled for Node as an ES module: `@tiqology/elite` from `src/` (SQL files as text,
 * as tsup loads them), every other package left to Node's resolution from `outfile`.
 */
export async function bundleSnippet(root: string, snippet: Snippet, outfile: string): Promise<void> {
  const self = selfPaths(root);
  const resolveSelf: Plugin = {
    name: 'docs-snippets-self',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        const source = self[args.path];
        if (source) return { path: source };
        // Relative imports inside src/ are bundled; bare ones (prom-client, node:…) stay external.
        return { path: args.path, external: true };
      });
    },
  };
  await build({
    stdin: { contents: snippet.code, resolveDir: root, loader: snippet.lang, sourcefile: `${snippet.doc}:${snippet.line + 1}` },
    bundle: true,
    outfile,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    loader: { '.sql': 'text' },
    plugins: [resolveSelf],
    logLevel: 'silent',
  });
}
