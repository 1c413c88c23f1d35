#!/usr/bin/env node
// Regenerates the outputs README.md shows as printed: the `tiqology demo` block (the one after
// "Its output, unedited"). It runs the built executable (dist/cli, as `npx tiqology demo` does) in
// a temporary directory, so the chart it writes does not land in the repository, and puts its
// stdout in the README unchanged. test/readme-outputs.test.ts checks that the README's block is
// what the current code prints, up to the two things that differ per run (see normaliseDemo).
//
// Usage: npm run docs:outputs (builds first), or node scripts/docs-outputs.mjs [--check]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const MARKER = 'Its output, unedited';

/** Where the demo's output block sits in `readme`: the text between its fences, and its offsets. */
export function readmeDemoBlock(readme) {
  const at = readme.indexOf(MARKER);
  if (at < 0) throw new Error(`docs-outputs: README.md has no paragraph with "${MARKER}"`);
  const open = readme.indexOf('```text\n', at);
  if (open < 0) throw new Error('docs-outputs: no ```text block after the demo paragraph of README.md');
  const start = open + '```text\n'.length;
  const end = readme.indexOf('\n```\n', start);
  if (end < 0) throw new Error('docs-outputs: the demo block of README.md is not closed');
  return { start, end, text: readme.slice(start, end) };
}

/**
 * The demo's output with what differs between two runs of the same code replaced: the port of the
 * metrics endpoint (any free port) and the elapsed time. Everything else is seeded and fixed.
 */
export function normaliseDemo(text) {
  return text
    .replace(/http:\/\/127\.0\.0\.1:\d+\//g, 'http://127.0.0.1:PORT/')
    .replace(/^Done in \d+(\.\d+)? s\.$/m, 'Done in T s.')
    .trimEnd();
}

function main(argv) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const cwd = mkdtempSync(path.join(tmpdir(), 'elite-docs-outputs-'));
  let printed;
  try {
    printed = execFileSync(process.execPath, [path.join(root, 'dist/cli/index.js'), 'demo'], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trimEnd();
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
  const readmePath = path.join(root, 'README.md');
  const readme = readFileSync(readmePath, 'utf8');
  const block = readmeDemoBlock(readme);
  if (argv.includes('--check')) {
    if (normaliseDemo(block.text) !== normaliseDemo(printed)) {
      console.error('docs-outputs: the README demo block differs from what `tiqology demo` prints; run npm run docs:outputs');
      process.exit(1);
    }
    console.log('docs-outputs: README demo block is current');
    return;
  }
  writeFileSync(readmePath, readme.slice(0, block.start) + printed + readme.slice(block.end));
  console.log(block.text === printed ? 'docs-outputs: README.md unchanged' : 'docs-outputs: README.md demo block updated');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
