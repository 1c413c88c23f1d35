// The SQL functions of the shipped migrations as text, at a commit or as checked out: what the
// A/B scripts install next to (or instead of) the current definitions.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The text of supabase/migrations/<name>.sql at `commit` (from git), or as checked out when no commit is given. */
export function migrationText(name, commit) {
  const path = `supabase/migrations/${name}.sql`;
  return commit === undefined
    ? readFileSync(join(root, path), 'utf8')
    : execFileSync('git', ['show', `${commit}:${path}`], { cwd: root, encoding: 'utf8' });
}

/** `create or replace function <name>(…) … as $$ … $$;` out of a migration's text. */
export function functionDefinition(sql, name) {
  const from = sql.indexOf(`create or replace function ${name}(`);
  if (from < 0) throw new Error(`bench: no function ${name} in the migration`);
  const opening = /\sas \$\$/g;
  opening.lastIndex = from;
  if (!opening.exec(sql)) throw new Error(`bench: no body of function ${name} in the migration`);
  return sql.slice(from, sql.indexOf('$$;', opening.lastIndex) + '$$;'.length);
}
