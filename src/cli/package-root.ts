import { readFileSync } from 'node:fs';

/**
 * The directory (a `file:` URL ending in `/`) of the installed `@tiqology/elite` package: the
 * nearest ancestor of this module with a package.json of that name. The same walk finds it from
 * `dist/cli/` when installed, from `src/cli/` in the repository and from test bundles under
 * `.tmp/`. Undefined when none is found within six levels.
 */
export function packageRoot(from: string | URL = import.meta.url): { url: URL; version: string } | undefined {
  let dir = new URL('.', from);
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === '@tiqology/elite') return { url: dir, version: pkg.version ?? 'unknown' };
    } catch {
      // No package.json at this level: look further up.
    }
    dir = new URL('..', dir);
  }
  return undefined;
}
