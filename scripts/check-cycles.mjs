#!/usr/bin/env node
// Fails (exit 1) on any import cycle between the TypeScript files under a directory (default: src/).
//
// Every edge counts, type-only ones included: `import type`, `export type … from`, `export … from`,
// `import('…')` calls and `import('…').T` type queries. A cycle of types is still a cycle in the
// design (the two modules cannot be understood, moved or split apart), even though it erases at
// runtime. Specifiers are resolved the way tsc resolves them (tsconfig "paths", `.js` → `.ts`), so
// the self-imports of the CLI (`@tiqology/elite/...`) count as edges too. There is no ignore
// comment. The only exception is scripts/cycles-allowlist.json: the exact imports (edges) of the
// cycles that existed when the check was added, while their owners untie them. Any other import
// that closes or joins a cycle fails, and the list is meant to shrink to [] and stay there.
//
// Usage: node scripts/check-cycles.mjs [--root src] [--tsconfig tsconfig.json] [--allowlist file.json]
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

function parseArgs(argv) {
  const args = { root: 'src', tsconfig: undefined, allowlist: undefined };
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === '--root') args.root = argv[++i];
    else if (argv[i] === '--tsconfig') args.tsconfig = argv[++i];
    else if (argv[i] === '--allowlist') args.allowlist = argv[++i];
    else throw new Error(`check-cycles: unknown argument ${argv[i]}; use --root <dir> [--tsconfig <file>] [--allowlist <file>]`);
  }
  return args;
}

function listTsFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listTsFiles(full));
    else if (/\.(m|c)?tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

function compilerOptions(tsconfig) {
  if (!tsconfig) return { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler };
  const read = ts.readConfigFile(tsconfig, ts.sys.readFile);
  if (read.error)
    throw new Error(`check-cycles: cannot read ${tsconfig}: ${ts.flattenDiagnosticMessageText(read.error.messageText, '\n')}`);
  return ts.parseJsonConfigFileContent(read.config, ts.sys, path.dirname(path.resolve(tsconfig))).options;
}

/** Every module specifier a file names, type-only and dynamic ones included. */
function specifiersOf(file) {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found = [];
  const visit = (node) => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      found.push(node.moduleSpecifier.text);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const expr = node.moduleReference.expression;
      if (ts.isStringLiteral(expr)) found.push(expr.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteralLike(arg)) found.push(arg.text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push(node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The import graph of the files under `root`: file → files under `root` it imports. */
export function importGraph(root, tsconfig) {
  const options = compilerOptions(tsconfig);
  const files = listTsFiles(root).map((f) => path.resolve(f));
  const inside = new Set(files);
  const graph = new Map();
  const cache = ts.createModuleResolutionCache(process.cwd(), (f) => f, options);
  for (const file of files) {
    const targets = new Set();
    for (const specifier of specifiersOf(file)) {
      const resolved = ts.resolveModuleName(specifier, file, options, ts.sys, cache).resolvedModule;
      const target = resolved && path.resolve(resolved.resolvedFileName);
      if (target && inside.has(target)) targets.add(target);
    }
    graph.set(file, [...targets].sort());
  }
  return graph;
}

/** Strongly connected components with more than one file, or a file importing itself (Tarjan). */
function tangledComponents(graph) {
  let counter = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const components = [];
  const connect = (v) => {
    index.set(v, counter);
    low.set(v, counter);
    counter += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) !== index.get(v)) return;
    const component = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || graph.get(v).includes(v)) components.push(component.sort());
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) connect(v);
  return components;
}

/** The shortest path from `start` back to itself inside one component (breadth first). */
function shortestCycle(graph, start, members) {
  const previous = new Map();
  const queue = [start];
  while (queue.length > 0) {
    const v = queue.shift();
    for (const w of graph.get(v)) {
      if (!members.has(w)) continue;
      if (w === start) {
        const cycle = [v];
        while (cycle[0] !== start) cycle.unshift(previous.get(cycle[0]));
        return [...cycle, start];
      }
      if (!previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start];
}

/**
 * Every import cycle under `root`: one entry per tangle of files that reach each other, with one
 * shortest cycle through its first file as an example. Paths are relative to `root`'s parent.
 */
export function findCycles(root, tsconfig) {
  const graph = importGraph(root, tsconfig);
  const base = path.dirname(path.resolve(root));
  const rel = (f) => path.relative(base, f).split(path.sep).join('/');
  return tangledComponents(graph).map((component) => {
    const members = new Set(component);
    const edges = component.flatMap((from) =>
      graph
        .get(from)
        .filter((to) => members.has(to))
        .map((to) => `${rel(from)} -> ${rel(to)}`),
    );
    return { files: component.map(rel), edges, example: shortestCycle(graph, component[0], members).map(rel) };
  });
}

/**
 * Splits the imports that lie on a cycle into those the allowlist names and the rest (which fail),
 * and lists allowlisted imports no longer on a cycle (to delete from the list).
 */
export function judgeCycles(cycles, allowed) {
  const allowedSet = new Set(allowed);
  const onCycle = new Set(cycles.flatMap((c) => c.edges));
  const failing = cycles.filter((c) => c.edges.some((e) => !allowedSet.has(e)));
  const tolerated = cycles.filter((c) => c.edges.every((e) => allowedSet.has(e)));
  const stale = allowed.filter((e) => !onCycle.has(e));
  return { failing, tolerated, stale };
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const tsconfig = args.tsconfig ?? ts.findConfigFile(path.resolve(args.root), ts.sys.fileExists);
  const allowed = args.allowlist ? JSON.parse(readFileSync(args.allowlist, 'utf8')).edges : [];
  const { failing, tolerated, stale } = judgeCycles(findCycles(args.root, tsconfig), allowed);
  for (const { files, example } of tolerated) {
    console.log(`check-cycles: allowlisted cycle, still to untie: ${files.join(', ')}\n  e.g. ${example.join(' -> ')}`);
  }
  for (const edge of stale) console.log(`check-cycles: "${edge}" is no longer on a cycle: delete it from ${args.allowlist}`);
  if (failing.length === 0) {
    console.log(`check-cycles: no new import cycle under ${args.root}/`);
    return;
  }
  console.error(`check-cycles: ${failing.length} import cycle(s) under ${args.root}/ (type-only imports count):`);
  for (const { files, edges, example } of failing) {
    console.error(`\n  ${files.length} files: ${files.join(', ')}`);
    console.error(`  e.g. ${example.join(' -> ')}`);
    const fresh = edges.filter((e) => !allowed.includes(e));
    console.error(`  imports not in the allowlist:\n    ${fresh.join('\n    ')}`);
  }
  console.error('\nBreak each one: move what both sides need into a module both import (see docs/ARCHITECTURE.md).');
  process.exitCode = 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === new URL(import.meta.url).pathname) main();
