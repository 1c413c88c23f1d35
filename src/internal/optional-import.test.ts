import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EliteError } from './errors.js';
import { importPromClient, loadFailure } from './optional-import.js';

const failure = (load: () => unknown) =>
  (async () => load())().then(
    () => expect.fail('loaded'),
    (error: unknown) => error,
  );

const TODO = 'npm install it';
let dir: string;
let app: { import: (name: string) => Promise<unknown>; require: (name: string) => unknown };

beforeAll(() => {
  // A project with two installed packages that cannot load: one lacks its own dependency, one throws.
  dir = mkdtempSync(join(tmpdir(), 'elite-optional-'));
  const pkg = (name: string, source: string) => {
    mkdirSync(join(dir, 'node_modules', name), { recursive: true });
    writeFileSync(join(dir, 'node_modules', name, 'package.json'), JSON.stringify({ name, version: '1.0.0', main: 'index.js' }));
    writeFileSync(join(dir, 'node_modules', name, 'index.js'), source);
  };
  pkg('peer-without-its-dep', "require('dep-that-is-gone');\n");
  pkg('peer-that-throws', "throw new Error('boom at load');\n");
  // Node's own loaders, not Vite's: the errors an app meets at run time. ESM in a child process
  // (the test runs in a vm context without native import()), its error rebuilt with code and message.
  const script = `import(process.argv[1]).then(() => {}, (e) => console.log(JSON.stringify({ code: e.code, message: e.message })));`;
  app = {
    import: async (name) => {
      const thrown = JSON.parse(
        execFileSync(process.execPath, ['--input-type=module', '-e', script, name], { cwd: dir, encoding: 'utf8' }),
      ) as {
        code?: string;
        message: string;
      };
      throw Object.assign(new Error(thrown.message), thrown.code === undefined ? {} : { code: thrown.code });
    },
    require: createRequire(join(dir, 'index.js')),
  };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadFailure', () => {
  it('says "not installed" with what to do when that very package is missing (ESM and CJS)', async () => {
    for (const error of [await failure(() => app.import('elite-not-installed')), await failure(() => app.require('elite-not-installed'))]) {
      expect((error as { code: string }).code).toMatch(/^(ERR_)?MODULE_NOT_FOUND$/);
      expect(loadFailure('elite-not-installed', error, TODO)).toMatch(
        /^elite-not-installed is not installed where the SDK runs \(Cannot find (package|module) 'elite-not-installed'.*\); npm install it$/s,
      );
    }
  });

  it('says "installed but could not be loaded", with the cause, when a dependency of it is missing', async () => {
    for (const error of [
      await failure(() => app.import('peer-without-its-dep')),
      await failure(() => app.require('peer-without-its-dep')),
    ]) {
      const text = loadFailure('peer-without-its-dep', error, TODO);
      expect(text).toMatch(/^peer-without-its-dep is installed but could not be loaded: Cannot find module 'dep-that-is-gone'/);
      expect(text).not.toContain(TODO);
    }
  });

  it('says "installed but could not be loaded" when the package throws while loading', async () => {
    const error = await failure(() => app.import('peer-that-throws'));
    expect(loadFailure('peer-that-throws', error, TODO)).toBe('peer-that-throws is installed but could not be loaded: boom at load');
  });

  it('does not take a missing package whose name starts the same for the one asked about', async () => {
    const error = await failure(() => app.import('elite-not-installed-either'));
    expect(loadFailure('elite-not-installed', error, TODO)).toMatch(/^elite-not-installed is installed but could not be loaded/);
    // A subpath of the package itself is that package.
    const subpath = await failure(() => app.import('elite-not-installed/sub'));
    expect(loadFailure('elite-not-installed', subpath, TODO)).toMatch(/is not installed/);
  });

  it('passes the stand-in reason through, and never throws on what it is given', () => {
    const edge = new EliteError('UNSUPPORTED_RUNTIME', 'prom-client loads on Node.js only');
    expect(loadFailure('prom-client', edge, TODO)).toBe('prom-client loads on Node.js only');
    for (const thrown of [undefined, null, 'text', 42, { code: 'ERR_MODULE_NOT_FOUND' }]) {
      expect(loadFailure('x', thrown, TODO)).toMatch(/^x is installed but could not be loaded: /);
    }
  });
});

describe('importPromClient', () => {
  it('loads prom-client on Node through the package import map', async () => {
    const mod = await importPromClient();
    const prom = (typeof mod.Registry === 'function' ? mod : mod.default) as { Registry: unknown };
    expect(typeof prom.Registry).toBe('function');
  });

  it('the stand-in it resolves to without the "node" condition exports a reason and no Registry', async () => {
    const standIn = (await import('./prom-client-unavailable.js')) as Record<string, unknown>;
    expect(standIn.Registry).toBeUndefined();
    expect(standIn.unavailable).toMatch(/Node\.js only/);
  });
});
