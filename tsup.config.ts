import { defineConfig } from 'tsup';

// Entry keys match the package's subpaths one to one (see "exports" in package.json).
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    flags: 'src/flags/index.ts',
    'adapters/memory': 'src/adapters/memory.ts',
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
  external: ['toad-cache'],
});
