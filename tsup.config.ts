import { defineConfig } from 'tsup';

// Entry keys match the package's subpaths one to one (see "exports" in package.json).
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    flags: 'src/flags/index.ts',
    'flags/openfeature': 'src/flags/openfeature.ts',
    'adapters/memory': 'src/adapters/memory.ts',
    'adapters/postgres': 'src/adapters/postgres.ts',
    'adapters/supabase': 'src/adapters/supabase.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  splitting: true,
  treeshake: true,
  target: 'es2022',
  platform: 'neutral',
  // Dependencies stay external: the app's bundler resolves them with its own conditions.
  external: ['toad-cache', '@openfeature/server-sdk', '@openfeature/core'],
  // The statistics functions (@stdlib, Apache-2.0, licence comments kept) are bundled into the
  // lazily loaded chunk behind results(): users do not install ~200 @stdlib packages, and the
  // Edge bundle of evaluation never loads them.
  noExternal: [/^@stdlib\//],
  // Migrations are imported from supabase/migrations/*.sql as text.
  loader: { '.sql': 'text' },
});
