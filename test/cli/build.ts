/**
 * Builds the `tiqology` executable from the sources for subprocess tests: the same entry as
 * tsup's CLI build, with the package's own name resolved to src/ (so a test never races the
 * library build of another suite over dist/). Output goes under .tmp/ inside the repository,
 * where Node resolves pg and picocolors from node_modules as an installed package would.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { build, type Plugin } from 'esbuild';

export const root = new URL('../..', import.meta.url).pathname;

const selfToSource: Plugin = {
  name: 'self-to-source',
  setup(b) {
    b.onResolve({ filter: /^@tiqology\/elite(\/|$)/ }, (args) => {
      const sub = args.path.slice('@tiqology/elite'.length);
      if (sub === '') return { path: join(root, 'src/index.ts') };
      const adapter = /^\/adapters\/([a-z-]+)$/.exec(sub);
      if (adapter) return { path: join(root, `src/adapters/${adapter[1]}.ts`) };
      const entry = /^\/(forecast|rollouts|telemetry|experiments|flags)$/.exec(sub);
      if (entry) return { path: join(root, `src/${entry[1]}/index.ts`) };
      const flagsSubpath = /^\/flags\/(overrides|openfeature|vercel|validate)$/.exec(sub);
      if (flagsSubpath) return { path: join(root, `src/flags/${flagsSubpath[1]}.ts`) };
      return { errors: [{ text: `no source mapping for ${args.path}` }] };
    });
  },
};

/** Bundles the CLI (or another script of the repository, `entry`) into a fresh directory and returns the path of its entry. */
export async function buildCli(entry = join(root, 'src/cli/index.ts')): Promise<string> {
  mkdirSync(join(root, '.tmp'), { recursive: true });
  const outdir = mkdtempSync(join(root, '.tmp', 'cli-'));
  await build({
    entryPoints: { index: entry },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // `#prom-client` too: else esbuild follows the package's import map into prom-client, whose
    // CommonJS require() of Node built-ins an ESM bundle cannot run.
    external: ['pg', 'picocolors', 'prom-client', '#prom-client', '@openfeature/*', '@opentelemetry/*', '@supabase/*'],
    loader: { '.sql': 'text' },
    plugins: [selfToSource],
    logLevel: 'silent',
    outExtension: { '.js': '.mjs' },
  });
  return join(outdir, 'index.mjs');
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built executable as a child process. */
export function spawnCli(bin: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; input?: string }): Run {
  const child = spawnSync(process.execPath, [bin, ...args], {
    cwd: options.cwd,
    // Only what the test passes (plus PATH): no DATABASE_URL or NO_COLOR leaks in from the shell.
    env: { PATH: process.env.PATH, ...options.env },
    input: options.input ?? '',
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: child.status, stdout: child.stdout, stderr: child.stderr };
}

/** Removes a build of {@link buildCli}. */
export function removeCli(bin: string): void {
  rmSync(dirname(bin), { recursive: true, force: true });
}
