import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from './migrations.js';

const dir = new URL('../../supabase/migrations/', import.meta.url);

describe('migrations', () => {
  it('ship every file of supabase/migrations, as text, in file-name order', () => {
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.sql'))
      .sort();
    expect(MIGRATIONS.map((m) => `${m.name}.sql`)).toEqual(files);
    for (const m of MIGRATIONS) expect(m.sql).toBe(readFileSync(new URL(`${m.name}.sql`, dir), 'utf8'));
  });

  it('follow the Supabase CLI naming: <YYYYMMDDHHMMSS>_<name>', () => {
    for (const m of MIGRATIONS) expect(m.name).toMatch(/^\d{14}_[a-z0-9_]+$/);
  });
});

describe('the migration set', () => {
  const all = MIGRATIONS.map((m) => m.sql).join('\n');
  it('defines every function once, in its final form (re-applying one file never brings back an old one)', () => {
    const names = [...all.matchAll(/create\s+(?:or\s+replace\s+)?function\s+([a-z_.]+)\s*\(/gi)].map((m) => m[1]?.toLowerCase());
    expect(names).toContain('get_ab_test_results');
    expect(names.length).toBeGreaterThan(10);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });

  it('pins the search path of every function, pg_temp last', () => {
    const definitions = all.split(/create\s+or\s+replace\s+function/i).slice(1);
    for (const d of definitions)
      expect(d.slice(0, d.indexOf('$$')), d.slice(0, 60)).toMatch(/set search_path = pg_catalog, public, pg_temp\s/);
  });
});
