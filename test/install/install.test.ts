/**
 * What a user types after reading the docs works against the npm registry: every install command of
 * README.md, docs/*.md and of the messages in src/ (test/install/commands.ts finds them) is run in a
 * new project next to the packed SDK (`npm pack`, installed from the tarball as `@tiqology/elite`),
 * a real `npm install`: the versions must exist, peer ranges must hold (npm fails on ERESOLVE, and
 * `npm ls --all` on an invalid peer), and the packages must load. The tracing peers must also make
 * `telemetry.init()` succeed, since MISSING_DEPENDENCY tells users to run that command. Then the
 * paths that `tiqology --help` names must exist in the installed package.
 *
 * React 18 (the peer range's lower major; the repository develops on 19) is installed the same way, at
 * its first and latest release: test/install/react18-app.mjs server-renders and hydrates the packed
 * `@tiqology/elite/react` with it, and the latest one's types compile a client component.
 *
 * Needs the npm registry and takes a few minutes: `npm run test:install` (run by .ci/run), not npm test.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { documentedInstalls } from './commands.js';

const root = new URL('../..', import.meta.url).pathname;
const SELF = '@tiqology/elite';
const exec = promisify(execFile);
const run = async (cmd: string, args: string[], cwd: string) => {
  try {
    return (await exec(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })).stdout;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}:\n${(e.stderr || e.stdout || e.message).slice(-4000)}`);
  }
};
/** The name of a spec: `@scope/name@2` → `@scope/name`. */
const nameOf = (spec: string) => spec.replace(/^(@?[^@]+)@.*$/, '$1');

let tarball: string;
/** A new project with the SDK and `specs` installed, as `npm install <specs>` after `npm install @tiqology/elite`. */
async function install(specs: string[]): Promise<string> {
  const project = mkdtempSync(join(tmpdir(), 'elite-install-'));
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'app', private: true, version: '0.0.0', type: 'module' }));
  const others = specs.filter((s) => nameOf(s) !== SELF);
  await run('npm', ['install', '--no-audit', '--no-fund', tarball, ...others], project);
  return project;
}

// One install per distinct command, with every place that prints it.
const commands = new Map<string, string[]>();
for (const command of documentedInstalls(root)) {
  const key = command.specs.join(' ');
  commands.set(key, [...(commands.get(key) ?? []), command.where]);
}
let selfProject: Promise<string> | undefined;
/** The project with the SDK alone, installed once for the tests that need it. */
const sdkOnly = () => {
  selfProject ??= install([SELF]);
  return selfProject;
};

beforeAll(async () => {
  await run('npm', ['run', 'build'], root);
  const packDir = mkdtempSync(join(tmpdir(), 'elite-pack-'));
  const packed = JSON.parse(await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', packDir], root)) as {
    filename: string;
  }[];
  tarball = join(packDir, packed[0]?.filename as string);
}, 300_000);

describe('documented install commands, against the npm registry', () => {
  it('finds the commands of the docs and of the error messages', () => {
    const places = [...commands.values()].flat();
    // By file, not line: the docs move.
    for (const file of [
      'README.md:',
      'docs/telemetry.md:',
      'src/telemetry/tracing.ts:',
      'src/telemetry/otlp-metrics.ts:',
      'src/telemetry/registry.ts:',
    ]) {
      expect(places.some((p) => p.startsWith(file))).toBe(true);
    }
    expect(places.some((p) => p.startsWith('src/cli/stores.ts:'))).toBe(true);
  });

  for (const [specs, where] of commands) {
    it(`npm install ${specs} (${where.join(', ')})`, async () => {
      const list = specs.split(' ');
      const project = list.length === 1 && list[0] === SELF ? await sdkOnly() : await install(list);
      // Exits 1 on a missing or invalid (out of range) dependency or peer anywhere in the tree.
      await run('npm', ['ls', '--all'], project);
      for (const name of list.map(nameOf)) {
        await run(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(name)})`], project);
      }
      if (list.some((s) => nameOf(s) === '@opentelemetry/sdk-trace-node')) {
        // The command MISSING_DEPENDENCY prints makes init() work.
        const script = `import { telemetry } from '@tiqology/elite/telemetry';
await telemetry.init({ serviceName: 'install-check', otlp: { endpoint: 'http://127.0.0.1:9/v1/traces' } });
await telemetry.trace('probe', () => 1);
console.log('init ok');`;
        expect(await run(process.execPath, ['--input-type=module', '-e', script], project)).toContain('init ok');
      }
    }, 300_000);
  }
});

describe('the installed tiqology command', () => {
  it('--help names only files the installed package has', async () => {
    const project = await sdkOnly();
    const pkgDir = join(project, 'node_modules', SELF);
    const bin = join(project, 'node_modules', '.bin', 'tiqology');
    const main = await run(bin, ['--help'], project);
    const commandNames = [...main.matchAll(/^ {2}([a-z]+) {2,}/gm)].map((m) => m[1] as string);
    expect(commandNames).toEqual(expect.arrayContaining(['flags', 'demo']));
    const texts = [main, ...(await Promise.all(commandNames.map((c) => run(bin, [c, '--help'], project))))];
    const named = new Set<string>();
    for (const text of texts) {
      // Package paths (docs/cli.md, prometheus/alerts.yml…) and repository URLs (…/blob/main/docs/cli.md).
      for (const m of text.matchAll(/(?<![\w/.@])((?:docs|prometheus|grafana|supabase|data)\/[\w./-]*\w)/g)) named.add(m[1] as string);
    }
    expect([...named]).toContain('docs/cli.md');
    for (const path of named) expect(existsSync(join(pkgDir, path)), `${path} in the installed package`).toBe(true);
    // The URL points at the same file of the repository.
    for (const m of main.matchAll(/https:\/\/github\.com\/tiqology\/elite\/blob\/main\/([\w./-]+)/g)) {
      expect(existsSync(join(root, m[1] as string)), m[0]).toBe(true);
    }
    expect(JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).repository.url).toBe('git+https://github.com/tiqology/elite.git');
  }, 300_000);
});

/** A client component and its server page as users write them, compiled against the installed types. */
const REACT_TSX = `import { createFlags } from '@tiqology/elite';
import { FlagsProvider, useFlagValue, useTrack, useVariant } from '@tiqology/elite/react';
import { createSnapshot } from '@tiqology/elite/react/server';

function Offer() {
  const variant = useVariant('pricing-test', 'control');
  const offer = useFlagValue('pricing-test', { priceUsd: 0 });
  const track = useTrack();
  return <button type="button" data-variant={variant} onClick={() => track('purchase', { value: offer.priceUsd })}>Buy</button>;
}

export async function Page(userId: string) {
  const flags = createFlags({ bootstrap: [] });
  const snapshot = await createSnapshot(flags, userId);
  return (
    <FlagsProvider snapshot={snapshot} endpoint="/api/elite">
      <Offer />
    </FlagsProvider>
  );
}
`;

describe('React 18, installed from the registry next to the packed SDK', () => {
  const require = createRequire(import.meta.url);
  const happyDom = pathToFileURL(require.resolve('happy-dom')).href;
  const tsc = join(dirname(require.resolve('typescript/package.json')), 'bin/tsc');
  const app = join(root, 'test/install/react18-app.mjs');

  for (const react of ['18.0.0', '18']) {
    it(`react@${react}: server render equals the hydrated DOM, no hydration complaint, one exposure batch`, async () => {
      const types = react === '18' ? ['@types/react@18', '@types/react-dom@18'] : [];
      const project = await install([`react@${react}`, `react-dom@${react}`, ...types]);
      // The peer range holds (npm ls fails on an invalid peer).
      await run('npm', ['ls', '--all'], project);
      writeFileSync(join(project, 'app.mjs'), readFileSync(app));
      // The server and the browser in two processes, as in an app: the snapshot and the markup go from one to the other.
      const rendered = await run(process.execPath, ['app.mjs', 'render', 'react18-user'], project);
      writeFileSync(join(project, 'render.json'), rendered);
      const server = JSON.parse(rendered) as { react: string; expected: string; fromString: string; fromStream: string };
      const browser = JSON.parse(await run(process.execPath, ['app.mjs', 'hydrate', happyDom, 'render.json'], project)) as {
        react: string;
        hydrated: string;
        complaints: string[];
        batches: { v: number; events: unknown[] }[];
        exposures: Record<string, number>;
        stats: { exposures: number };
      };
      // React 18.0.0 reports its build too: 18.0.0-fc46dba67-20220329.
      expect(server.react).toMatch(react === '18' ? /^18\./ : /^18\.0\.0(-|$)/);
      expect(browser.react).toBe(server.react);
      expect(server.fromString).toContain(`data-variant="${server.expected}"`);
      expect(server.fromStream).toBe(server.fromString);
      // Hydration kept the server's markup and React complained of nothing (a mismatch logs and recovers).
      expect(browser.hydrated).toBe(server.fromString);
      expect(browser.complaints).toEqual([]);
      // One batch, with the one exposure, written through the handler to the store.
      expect(browser.batches).toEqual([{ v: 1, events: [{ type: 'exposure', flag: 'pricing-test', variant: server.expected }] }]);
      expect(browser.exposures[server.expected]).toBe(1);
      expect(browser.stats.exposures).toBe(1);
      if (types.length > 0) {
        writeFileSync(join(project, 'app.tsx'), REACT_TSX);
        const flags = [
          '--noEmit',
          '--strict',
          '--jsx',
          'react-jsx',
          '--module',
          'nodenext',
          '--moduleResolution',
          'nodenext',
          '--target',
          'es2022',
        ];
        await run(process.execPath, [tsc, ...flags, '--types', 'react,react-dom', 'app.tsx'], project);
      }
    }, 300_000);
  }
});
