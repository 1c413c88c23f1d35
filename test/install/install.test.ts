/**
 * What a user types after reading the docs works against the npm registry: every install command of
 * README.md, docs/*.md and of the messages in src/ (test/install/commands.ts finds them) is run in a
 * new project next to the packed SDK (`npm pack`, installed from the tarball as `@tiqology/elite`),
 * a real `npm install`: the versions must exist, peer ranges must hold (npm fails on ERESOLVE, and
 * `npm ls --all` on an invalid peer), and the packages must load. The tracing peers must also make
 * `telemetry.init()` succeed, since MISSING_DEPENDENCY tells users to run that command. Then the
 * paths that `tiqology --help` names must exist in the installed package.
 *
 * Needs the npm registry and takes a few minutes: `npm run test:install` (run by .ci/run), not npm test.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
