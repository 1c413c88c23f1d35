import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Options } from 'tsup';

// esbuild's code splitting puts its CommonJS interop helpers (`__commonJS`, `__toESM`: for the @stdlib
// packages bundled into the experiments entry) in a chunk of their own, and then imports that chunk,
// for nothing, from every entry and chunk (evanw/esbuild#1892, open): `import './chunk-X.js'`. Such a
// bare import of a chunk that only defines helpers runs no code, but it puts the 0.5 kB of helpers in
// every bundle that imports the flags entry (Next.js middleware included), where nothing calls them.
// After the build, this drops those bare imports; the chunks that use the helpers import them by name.
const helperChunkImports: NonNullable<Options['plugins']>[number] = {
  name: 'elite-drop-helper-chunk-imports',
  buildEnd({ writtenFiles }) {
    const files = writtenFiles.map((f) => f.name).filter((name) => /\.c?js$/.test(name));
    const text = new Map(files.map((name) => [name, readFileSync(name, 'utf8')]));
    // A chunk of helpers alone: no module of ours or of a dependency (tsup marks each with a `// path`
    // comment), and nothing exported but esbuild's `__` helpers.
    const helpers = files.filter((name) => {
      const code = text.get(name) as string;
      const exported = [...code.matchAll(/^export \{([^}]*)\}|^exports\.(\w+) =/gm)].flatMap((m) =>
        (m[1] ?? m[2] ?? '').split(',').map((x) => x.trim()).filter(Boolean),
      );
      return basename(name).startsWith('chunk-') && !/^\/\/ \S/m.test(code) && exported.length > 0 && exported.every((x) => x.startsWith('__'));
    });
    if (helpers.length === 0) return;
    const names = helpers.map((name) => basename(name).replaceAll('.', '\\.')).join('|');
    // `import './chunk-X.js';` or `require('../chunk-X.cjs');` alone on a line: no name imported.
    const bare = new RegExp(`^(?:import '(?:\\.\\.?/)+(?:${names})';|require\\('(?:\\.\\.?/)+(?:${names})'\\);)\\n`, 'gm');
    for (const [name, code] of text) {
      const kept = code.replace(bare, '');
      if (kept !== code) writeFileSync(name, kept);
    }
  },
};

// Entry keys match the package's subpaths one to one (see "exports" in package.json).
const entry = {
    index: 'src/index.ts',
    flags: 'src/flags/index.ts',
    'flags/openfeature': 'src/flags/openfeature.ts',
    'adapters/memory': 'src/adapters/memory.ts',
    'adapters/postgres': 'src/adapters/postgres.ts',
    telemetry: 'src/telemetry/index.ts',
    forecast: 'src/forecast/index.ts',
    'adapters/supabase': 'src/adapters/supabase.ts',
    experiments: 'src/experiments/index.ts',
    rollouts: 'src/rollouts/index.ts',
    'react/server': 'src/react/server.ts',
  'flags/vercel': 'src/flags/vercel.ts',
  'flags/overrides': 'src/flags/overrides.ts',
  'flags/validate': 'src/flags/validate.ts',
};
const library: Options = {
  entry,
  format: ['esm', 'cjs'],
  // The browser entry's types too: its JavaScript is the `react` build's below, but a second type
  // build would race this one, which removes every .d.ts under dist/ before it writes.
  dts: { entry: { ...entry, 'browser/react': 'src/react/index.ts' } },
  // No source maps in the package: they would point at src/, which is not shipped (with the sources
  // embedded they were 5.1 of its 9 MB unpacked, without them still 2 MB of mappings), and the
  // output is not minified, so a stack trace into dist/ reads as it is.
  sourcemap: false,
  // dist/cli, dist/edge, dist/internal and dist/browser belong to the builds below; all builds run at once.
  clean: ['!cli/**', '!edge/**', '!internal/**', '!browser/**'],
  splitting: true,
  treeshake: true,
  target: 'es2022',
  platform: 'neutral',
  // Dependencies stay external: the app's bundler resolves them with its own conditions.
  // `#prom-client` is the package's import map (package.json "imports"): prom-client under the "node"
  // condition, a stand-in elsewhere; resolved where the package is installed or bundled.
  external: ['react', '@openfeature/server-sdk', '@openfeature/core', '@opentelemetry/api', 'prom-client', '#prom-client'],
  // The statistics functions (@stdlib, Apache-2.0, licence comments kept) are bundled into the
  // experiments entry, the chunk results() loads lazily: users do not install ~200 @stdlib packages, and the
  // Edge bundle of evaluation never loads them.
  noExternal: [/^@stdlib\//],
  // Migrations are imported from supabase/migrations/*.sql as text.
  loader: { '.sql': 'text' },
  plugins: [helperChunkImports],
};

// The Edge build of `.`, `./flags`, `./flags/validate` and `./adapters/memory` (export condition "edge-light": Next.js middleware and Edge
// routes, Vercel Edge). Next.js bundles middleware into one file and keeps the lazy statistics
// chunk inside it, so a dynamic import is not enough there: this build swaps the module that
// loads the statistics for one that rejects (UNSUPPORTED_RUNTIME), and nothing reaches them.
// Types are the main build's (same source, same API); dist/edge holds JavaScript only.
// Matched by file name, not by the exact specifier, so that the flags client may import it from
// any of its files (./experiments-loader.js or ../experiments-loader.js).
const edgeStats: NonNullable<Options['esbuildPlugins']>[number] = {
  name: 'elite-edge-experiments-loader',
  setup(build) {
    build.onResolve({ filter: /(^|\/)(experiments|rollouts)-loader\.js$/ }, (args) => ({
      path: fileURLToPath(new URL(`src/flags/${args.path.includes('rollouts') ? 'rollouts' : 'experiments'}-loader.edge.ts`, import.meta.url)),
    }));
  },
};
const edge: Options = {
  ...library,
  // The memory adapter too: it shares chunks with the client (EliteError, validation), and an
  // app that takes it from the main build would get a second copy and a second EliteError class.
  entry: {
    index: 'src/index.ts',
    flags: 'src/flags/index.ts',
    'flags/validate': 'src/flags/validate.ts',
    'adapters/memory': 'src/adapters/memory.ts',
  },
  outDir: 'dist/edge',
  dts: false,
  clean: true,
  esbuildPlugins: [edgeStats],
};

// The `tiqology` executable (package.json "bin"): ESM for Node only. It imports the package by
// its own name (resolved to dist/ by Node's self-reference), so it runs on the public entry
// points, shares their module instances, and adds only its own code to the package.
const cli: Options = {
  // The studio's browser assets are an entry of their own so that `npm run size` can read and report them.
  entry: { index: 'src/cli/index.ts', 'studio/assets': 'src/cli/studio/assets.ts' },
  outDir: 'dist/cli',
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  dts: false,
  sourcemap: false,
  clean: true,
  splitting: true,
  external: [/^@tiqology\/elite(\/|$)/, 'pg', 'picocolors'],
};

// What `#prom-client` resolves to without the "node" condition (browser and Edge bundles): a
// module with no prom-client in it. Not a subpath of the package; only its import map names it.
const promClientStandIn: Options = {
  entry: { 'prom-client-unavailable': 'src/internal/prom-client-unavailable.ts' },
  outDir: 'dist/internal',
  format: ['esm'],
  platform: 'neutral',
  target: 'es2022',
  dts: false,
  clean: true,
};

// The browser entry (`./react`): client components import it, so it is built alone (no chunk shared
// with the server entries, nothing of the evaluation engine) and every file starts with the
// "use client" directive, which marks it as client code for React Server Components bundlers.
const react: Options = {
  entry: { react: 'src/react/index.ts' },
  outDir: 'dist/browser',
  format: ['esm', 'cjs'],
  dts: false,
  sourcemap: false,
  clean: true,
  splitting: false,
  // Rollup's tree shaking would drop the directive of the banner; esbuild's own keeps it.
  treeshake: false,
  target: 'es2022',
  platform: 'browser',
  external: ['react'],
  banner: { js: "'use client';" },
};

export default defineConfig([library, edge, cli, promClientStandIn, react]);
