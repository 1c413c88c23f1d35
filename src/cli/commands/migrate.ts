import type { CommandContext } from '../context.js';
import { EXIT, usageError } from '../io.js';
import { describeUrl, inStore, openPool } from '../stores.js';

/** `tiqology migrate`: applies the SDK's PostgreSQL migrations, each once. */
export async function run({ positionals, values, io, out }: CommandContext): Promise<number> {
  if (positionals.length > 0) throw usageError(`migrate: takes no arguments, got "${positionals.join(' ')}"`);
  const url = typeof values['database-url'] === 'string' ? values['database-url'] : io.env.DATABASE_URL;
  if (!url) throw usageError('migrate: pass --database-url or set DATABASE_URL');
  const pool = await openPool(url);
  try {
    const { migrate } = await import('@tiqology/elite/adapters/postgres');
    const { applied } = await migrate(pool);
    if (out.json) out.data({ database: describeUrl(url), applied });
    else if (applied.length === 0) out.line(`${describeUrl(url)}: up to date`);
    else out.line(`${describeUrl(url)}: applied ${applied.join(', ')}`);
    return EXIT.OK;
  } catch (error) {
    throw inStore(error, `postgres ${describeUrl(url)}`);
  } finally {
    await pool.end().catch(() => {});
  }
}
