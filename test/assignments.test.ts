/**
 * Assignment stability: a committed golden file of (flag, user) → variant makes any change
 * of assignment visible in review, and a second Node process must agree with this one.
 * Regenerate deliberately with `UPDATE_GOLDEN=1 npx vitest run test/assignments.test.ts`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../src/adapters/memory.js';
import { BUCKETING_VERSION, createFlags, type FlagDefinition } from '../src/flags/index.js';

const GOLDEN = new URL('./fixtures/bucketing-golden.json', import.meta.url);

const FLAGS: FlagDefinition[] = [
  { key: 'new-checkout', environment: 'production', enabled: true, rollout: 50 },
  { key: 'slow-rollout', environment: 'production', enabled: true, rollout: 0.5 },
  {
    key: 'pricing-test',
    environment: 'production',
    enabled: true,
    variants: [
      { key: 'control', weight: 34 },
      { key: 'variant-a', weight: 33 },
      { key: 'variant-b', weight: 33 },
    ],
  },
  {
    key: 'onboarding',
    environment: 'production',
    enabled: true,
    rollout: 80,
    salt: 'onboarding-v2',
    variants: [
      { key: 'control', weight: 25.5 },
      { key: 'short', weight: 74.5 },
    ],
  },
];
const USERS = [
  ...Array.from({ length: 40 }, (_, i) => `user-${i}`),
  'ann@example.com',
  '00000000-0000-4000-8000-000000000000',
  'josé',
  'Zoë-Ünïcødé',
  '用户-七',
  '🚀-rocket',
  'x'.repeat(600),
];

async function assign(flags: FlagDefinition[]): Promise<Record<string, Record<string, string | undefined>>> {
  const client = createFlags({ storage: createMemoryStorage({ flags }) });
  const out: Record<string, Record<string, string | undefined>> = {};
  for (const flag of flags) {
    const row: Record<string, string | undefined> = {};
    for (const user of USERS) row[user] = await client.getVariant(flag.key, user);
    out[flag.key] = row;
  }
  return out;
}

describe('assignment stability', () => {
  it('matches the committed golden file', async () => {
    const actual = { bucketingVersion: BUCKETING_VERSION, assignments: await assign(FLAGS) };
    if (process.env.UPDATE_GOLDEN) writeFileSync(GOLDEN, `${JSON.stringify(actual, null, 2)}\n`);
    expect(JSON.parse(readFileSync(GOLDEN, 'utf8'))).toEqual(actual);
  });

  it('is identical in another Node process', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'elite-assign-'));
    const entry = join(dir, 'entry.ts');
    writeFileSync(
      entry,
      `import { createFlags } from ${JSON.stringify(new URL('../src/flags/index.ts', import.meta.url).pathname)};
import { createMemoryStorage } from ${JSON.stringify(new URL('../src/adapters/memory.ts', import.meta.url).pathname)};
const flags = ${JSON.stringify(FLAGS)};
const users = ${JSON.stringify(USERS)};
const client = createFlags({ storage: createMemoryStorage({ flags }) });
const out = {};
for (const flag of flags) { out[flag.key] = {}; for (const u of users) out[flag.key][u] = await client.getVariant(flag.key, u); }
console.log(JSON.stringify(out));`,
    );
    const outfile = join(dir, 'entry.mjs');
    await build({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'node', outfile, logLevel: 'silent' });
    const child = JSON.parse(execFileSync(process.execPath, [outfile], { encoding: 'utf8' }));
    expect(child).toEqual(await assign(FLAGS));
  });

  it('changing one flag never moves users of another', async () => {
    const before = await assign(FLAGS);
    const changed = FLAGS.map((f) => (f.key === 'pricing-test' ? { ...f, rollout: 10, salt: 'reshuffled' } : f));
    const after = await assign(changed);
    for (const key of ['new-checkout', 'slow-rollout', 'onboarding']) expect(after[key]).toEqual(before[key]);
    expect(after['pricing-test']).not.toEqual(before['pricing-test']);
  });
});
