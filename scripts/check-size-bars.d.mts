/** The bars, in lines. */
export const MAX_FILE_LINES: number;
export const MAX_FUNCTION_LINES: number;
/** A file (`src/x.ts`) or top-level function (`src/x.ts#name`) over its bar. */
export interface Oversized {
  id: string;
  lines: number;
  limit: number;
}
/** Everything over a bar under `root`. */
export function findOversized(root: string): Oversized[];
/** New offenders (failing), allowlisted ones with their listed size, and allowlist entries now within the bars. */
export function judgeSizes(
  oversized: Oversized[],
  allowed: Record<string, number>,
): { failing: Oversized[]; tolerated: (Oversized & { listed: number })[]; stale: string[] };
