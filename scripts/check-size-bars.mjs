#!/usr/bin/env node
// Fails (exit 1) when a source file under a directory (default: src/) is over 450 lines or one of
// its top-level functions is over 150 lines: past those sizes a file holds more than one concern
// and a function is a class in disguise (STYLE.md §10). Tests (`*.test.ts`), conformance suites
// (`*.case.ts`), declaration files, generated files (a `@generated` marker in the first lines)
// and SQL are not measured.
//
// Top-level functions: `function f() {}`, `const f = () => {}` / `function () {}` (exported or
// not), `export default function`. Lines run from the declaration to its closing brace, inclusive,
// leading TSDoc excluded.
//
// The allowlist (scripts/size-bars-allowlist.json) names the offenders that predate the check with
// their size then. They are reported on every run, not failed, so they can be split in their own
// time; anything else over a bar fails. An offender that grew past its listed size is reported too.
//
// Usage: node scripts/check-size-bars.mjs [--root src] [--allowlist file.json]
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** The bars, in lines. */
export const MAX_FILE_LINES = 450;
export const MAX_FUNCTION_LINES = 150;

function parseArgs(argv) {
  const args = { root: 'src', allowlist: undefined };
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === '--root') args.root = argv[++i];
    else if (argv[i] === '--allowlist') args.allowlist = argv[++i];
    else throw new Error(`check-size-bars: unknown argument ${argv[i]}; use --root <dir> [--allowlist <file>]`);
  }
  return args;
}

function isMeasured(name, text) {
  if (!/\.(m|c)?tsx?$/.test(name) || name.endsWith('.d.ts')) return false;
  if (/\.(test|case)\.(m|c)?tsx?$/.test(name)) return false;
  return !/@generated\b/.test(text.split('\n', 5).join('\n'));
}

function listFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(full));
    else out.push(full);
  }
  return out;
}

function spanLines(source, node) {
  const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
  const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
  return end - start + 1;
}

/** Name and length in lines of every top-level function of a file. */
function topLevelFunctions(file, text) {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out = [];
  for (const statement of source.statements) {
    if (ts.isFunctionDeclaration(statement) && statement.body) {
      out.push({ name: statement.name?.text ?? 'default', lines: spanLines(source, statement) });
    } else if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        const init = declaration.initializer;
        if (init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) && ts.isIdentifier(declaration.name)) {
          out.push({ name: declaration.name.text, lines: spanLines(source, declaration) });
        }
      }
    } else if (
      ts.isExportAssignment(statement) &&
      (ts.isArrowFunction(statement.expression) || ts.isFunctionExpression(statement.expression))
    ) {
      out.push({ name: 'default', lines: spanLines(source, statement) });
    }
  }
  return out;
}

/**
 * Everything over a bar under `root`, as `{ id, lines, limit }` where `id` is `path` for a file and
 * `path#name` for a function; paths are relative to `root`'s parent.
 */
export function findOversized(root) {
  const base = path.dirname(path.resolve(root));
  const out = [];
  for (const file of listFiles(root).sort()) {
    const text = readFileSync(file, 'utf8');
    if (!isMeasured(path.basename(file), text)) continue;
    const rel = path.relative(base, path.resolve(file)).split(path.sep).join('/');
    // Lines as an editor counts them: a trailing newline ends the last line, it does not add one.
    const fileLines = text.endsWith('\n') ? text.split('\n').length - 1 : text.split('\n').length;
    if (fileLines > MAX_FILE_LINES) out.push({ id: rel, lines: fileLines, limit: MAX_FILE_LINES });
    for (const fn of topLevelFunctions(file, text)) {
      if (fn.lines > MAX_FUNCTION_LINES) out.push({ id: `${rel}#${fn.name}`, lines: fn.lines, limit: MAX_FUNCTION_LINES });
    }
  }
  return out;
}

/** Splits offenders into new ones (fail), allowlisted ones (reported) and allowlist entries now under the bar. */
export function judgeSizes(oversized, allowed) {
  const failing = oversized.filter((o) => !(o.id in allowed));
  const tolerated = oversized.filter((o) => o.id in allowed).map((o) => ({ ...o, listed: allowed[o.id] }));
  const stale = Object.keys(allowed).filter((id) => !oversized.some((o) => o.id === id));
  return { failing, tolerated, stale };
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const allowed = args.allowlist ? JSON.parse(readFileSync(args.allowlist, 'utf8')).offenders : {};
  const { failing, tolerated, stale } = judgeSizes(findOversized(args.root), allowed);
  for (const o of tolerated) {
    const grew = o.lines > o.listed ? ` (grew from ${o.listed})` : '';
    console.log(`check-size-bars: allowlisted, still to split: ${o.id} ${o.lines} lines > ${o.limit}${grew}`);
  }
  for (const id of stale) console.log(`check-size-bars: ${id} is within the bars now: delete it from ${args.allowlist}`);
  if (failing.length === 0) {
    console.log(`check-size-bars: nothing new over ${MAX_FILE_LINES} lines a file / ${MAX_FUNCTION_LINES} a function under ${args.root}/`);
    return;
  }
  console.error(`check-size-bars: ${failing.length} over the bars under ${args.root}/:`);
  for (const o of failing) console.error(`  ${o.id}: ${o.lines} lines > ${o.limit}`);
  console.error('\nSplit by concern (one concept per file; name the parts of a long function), see STYLE.md §10.');
  process.exitCode = 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === new URL(import.meta.url).pathname) main();
