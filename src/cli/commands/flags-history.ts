/**
 * `tiqology flags history <key>`: the recorded changes of one flag, newest first, each with what
 * changed between the definitions before and after it.
 * @packageDocumentation
 */
import type { FlagChange, FlagDefinition, StorageAdapter } from '@tiqology/elite';
import { CliError, usageError } from '../io.js';
import type { Output } from '../output.js';
import { renderTable } from '../table.js';

/** JSON with object keys sorted: equal definitions compare equal whatever order the store kept their keys in. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );

/**
 * The top-level fields of a definition that differ between `before` and `after`, sorted: every
 * field present for a create or a delete.
 */
export function changedFields(before: FlagDefinition | undefined, after: FlagDefinition | undefined): string[] {
  const b = (before ?? {}) as Record<string, unknown>;
  const a = (after ?? {}) as Record<string, unknown>;
  return [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((field) => canonical(b[field]) !== canonical(a[field])).sort();
}

/** What one change did, in words: `rollout 10 → 50` for scalars, the field name for lists and objects (also the studio's history). */
export function describeChange(change: FlagChange): string {
  if (change.action === 'create') return 'created';
  if (change.action === 'delete') return 'deleted';
  const before = (change.before ?? {}) as Record<string, unknown>;
  const after = (change.after ?? {}) as Record<string, unknown>;
  const fields = changedFields(change.before, change.after);
  if (fields.length === 0) return 'no change';
  const scalar = (v: unknown) => v === undefined || v === null || typeof v !== 'object';
  const show = (v: unknown) => (v === undefined ? '(unset)' : JSON.stringify(v));
  return fields
    .map((field) => (scalar(before[field]) && scalar(after[field]) ? `${field} ${show(before[field])} → ${show(after[field])}` : field))
    .join(', ');
}

/** `--limit`: how many changes to show, 1 to 1 000 (default 20). */
export function parseLimit(value: unknown): number {
  if (value === undefined) return 20;
  const n = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value) || n < 1 || n > 1000) {
    throw usageError(`--limit must be a whole number from 1 to 1000, got "${String(value)}"`);
  }
  return n;
}

/**
 * Prints the history of `key`: a table (version, action, time, author, what changed), or with
 * `--json` the changes as the store returns them, each with `changes`, the fields that differ.
 */
export async function printHistory(
  storage: StorageAdapter,
  where: { key: string; environment: string; label: string; limit: number },
  out: Output,
): Promise<void> {
  if (typeof storage.listFlagHistory !== 'function') {
    throw new CliError(
      `${where.label} keeps no history of flag changes; PostgreSQL (--database-url) and Supabase (--supabase-url) do (a flags file's history is its version control)`,
    );
  }
  const changes = await storage.listFlagHistory(where.key, where.environment, { limit: where.limit });
  if (out.json) {
    out.data(changes.map((c) => ({ ...c, changes: changedFields(c.before, c.after) })));
    return;
  }
  if (changes.length === 0) {
    out.note(`no recorded changes of "${where.key}" in environment "${where.environment}" [${where.label}]`);
    return;
  }
  out.line(
    renderTable(
      [{ header: 'Version', align: 'right' }, { header: 'Action' }, { header: 'At' }, { header: 'By' }, { header: 'Changes' }],
      changes.map((c) => [String(c.version), c.action, c.at, c.updatedBy ?? out.colors.dim('-'), describeChange(c)]),
      out.colors,
    ),
  );
}
