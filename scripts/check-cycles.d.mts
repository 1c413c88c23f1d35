/** One tangle of files that reach each other through imports. */
export interface Cycle {
  /** The files of the tangle, relative to the root's parent (`src/...`). */
  files: string[];
  /** Every import between two files of the tangle, as `from -> to`. */
  edges: string[];
  /** One shortest cycle through the first file, its first file repeated at the end. */
  example: string[];
}
/** The import graph of the TypeScript files under `root`: absolute file → absolute files under `root` it imports. */
export function importGraph(root: string, tsconfig?: string): Map<string, string[]>;
/** Every import cycle under `root`, type-only imports included. */
export function findCycles(root: string, tsconfig?: string): Cycle[];
/** Cycles with an import the allowlist does not name (failing), the others, and allowlisted imports no longer on a cycle. */
export function judgeCycles(cycles: Cycle[], allowed: string[]): { failing: Cycle[]; tolerated: Cycle[]; stale: string[] };
