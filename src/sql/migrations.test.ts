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
