/**
 * examples/nextjs from a fresh clone: `npm run sdk` packs the repository, whose build needs the
 * root's dev dependencies (tsup), which a fresh clone has not installed. The example's `sdk:root`
 * step installs them first (`npm ci` at the root) and leaves an installed root alone. Run here on a
 * stand-in repository in a temp folder (a root whose only dependency is a local package with a
 * `tsup` bin), with the example's real scripts: no registry, a few seconds.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;
const example = JSON.parse(readFileSync(join(root, 'examples/nextjs/package.json'), 'utf8')) as { scripts: Record<string, string> };
const npm = (args: string[], cwd: string) =>
  execFileSync('npm', [...args, '--no-audit', '--no-fund', '--offline'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

let repo: string;
const write = (path: string, value: unknown) => {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, typeof value === 'string' ? value : `${JSON.stringify(value, null, 2)}\n`);
};

beforeAll(() => {
  repo = mkdtempSync(join(tmpdir(), 'elite-fresh-clone-'));
  write(join(repo, 'tools/tsup/package.json'), { name: 'tsup', version: '0.0.0-local', bin: { tsup: 'cli.js' } });
  write(join(repo, 'tools/tsup/cli.js'), '#!/usr/bin/env node\n');
  write(join(repo, 'package.json'), { name: 'root', version: '0.0.0', private: true, devDependencies: { tsup: 'file:tools/tsup' } });
  npm(['install', '--package-lock-only'], repo);
  write(join(repo, 'examples/nextjs/package.json'), { name: 'example', private: true, scripts: example.scripts });
});
afterAll(() => rmSync(repo, { recursive: true, force: true }));

describe('examples/nextjs npm run sdk', () => {
  it('runs sdk:root before packing', () => {
    expect(example.scripts.sdk).toMatch(/^npm run sdk:root && /);
  });

  it('sdk:root installs the root from its lock file when tsup is missing (a fresh clone)', () => {
    expect(existsSync(join(repo, 'node_modules'))).toBe(false);
    npm(['run', 'sdk:root'], join(repo, 'examples/nextjs'));
    expect(existsSync(join(repo, 'node_modules/.bin/tsup'))).toBe(true);
  });

  it('sdk:root leaves an installed root alone', () => {
    // Without a lock file `npm ci` fails: the step passes only because it does not run.
    rmSync(join(repo, 'package-lock.json'));
    expect(() => npm(['ci'], repo)).toThrow();
    npm(['run', 'sdk:root'], join(repo, 'examples/nextjs'));
    expect(existsSync(join(repo, 'node_modules/.bin/tsup'))).toBe(true);
  });
});
