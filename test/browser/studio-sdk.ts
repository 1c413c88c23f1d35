/**
 * The SDK in a process of its own, for the studio's browser suite: what an app sees of a flag the
 * studio changed. Bundled by the suite (test/cli/build.ts) and run as a child process.
 *   node sdk.mjs read <key> <environment> (--file <path> | --database-url <url>)
 *     prints { version, enabled, rollout, share }: share is the fraction of 2,000 users isEnabled answers true for
 *   node sdk.mjs seed <environment> --database-url <url>
 *     appends the experiment events of test/cli/events.ts (pricing: 300 users a variant) to the store
 */
import { readFileSync } from 'node:fs';
import { createFlags, type StorageAdapter } from '@tiqology/elite';
import { createMemoryStorage } from '@tiqology/elite/adapters/memory';
import { createPostgresStorage } from '@tiqology/elite/adapters/postgres';
import { experimentEvents } from '../cli/events.js';

const [command, ...rest] = process.argv.slice(2);
const option = (name: string) => {
  const i = rest.indexOf(`--${name}`);
  return i === -1 ? undefined : rest[i + 1];
};

async function open(): Promise<StorageAdapter> {
  const file = option('file');
  if (file !== undefined) return createMemoryStorage({ flags: JSON.parse(readFileSync(file, 'utf8')).flags });
  const pg = (await import('pg')).default;
  return createPostgresStorage({ pool: new pg.Pool({ connectionString: option('database-url'), max: 2 }), closePool: true });
}

const storage = await open();
try {
  if (command === 'read') {
    const [key, environment] = rest as [string, string];
    const flag = await storage.getFlag(key, environment);
    const client = createFlags({ storage, environment, trackExposures: false });
    let on = 0;
    for (let i = 0; i < 2000; i++) if (await client.isEnabled(key, `user-${i}`)) on++;
    await client.close();
    process.stdout.write(
      `${JSON.stringify({ version: flag?.version, enabled: flag?.enabled, rollout: flag?.rollout, share: on / 2000 })}\n`,
    );
  } else if (command === 'seed') {
    const environment = rest[0] as string;
    const events = experimentEvents(300, { control: 30, 'variant-b': 45 }).map((e) => ({ ...e, environment }));
    await storage.appendEvents(events);
  } else throw new Error(`unknown command ${command}`);
} finally {
  await storage.close?.();
}
