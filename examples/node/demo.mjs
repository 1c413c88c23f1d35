// Flags demo on the embedded store: a toggle, a progressive rollout and a three-variant
// pricing experiment, evaluated for a few thousand users. Run with `npm run build && node examples/node/demo.mjs`
// (`npm run demo` runs the fuller `tiqology demo`: experiment results, metrics, forecast).
import { createFlags } from '@tiqology/elite';
import { createMemoryStorage } from '@tiqology/elite/adapters/memory';

const storage = createMemoryStorage({
  flags: [
    { key: 'dark-mode', environment: 'production', enabled: true, description: 'A plain toggle' },
    { key: 'new-checkout', environment: 'production', enabled: true, rollout: 25, description: 'Progressive rollout' },
    {
      key: 'pricing-test',
      environment: 'production',
      enabled: true,
      description: 'Three price points',
      variants: [
        { key: 'control', weight: 34, value: { priceUsd: 20 } },
        { key: 'variant-a', weight: 33, value: { priceUsd: 25 } },
        { key: 'variant-b', weight: 33, value: { priceUsd: 30 } },
      ],
      segments: { staff: { email: { $regex: '@tiqology\\.com$' } } },
      rules: [{ id: 'staff-see-b', segment: 'staff', variant: 'variant-b' }],
    },
  ],
});

const flags = createFlags({ storage, environment: 'production' });
await flags.refresh();

const users = 5000;
const counts = { 'new-checkout': 0, 'pricing-test': {} };
const started = performance.now();
for (let i = 0; i < users; i++) {
  const user = { targetingKey: `user-${i}`, email: i % 500 === 0 ? `dev${i}@tiqology.com` : `user${i}@example.com` };
  if (await flags.isEnabled('new-checkout', user)) counts['new-checkout']++;
  const variant = await flags.getVariant('pricing-test', user);
  counts['pricing-test'][variant] = (counts['pricing-test'][variant] ?? 0) + 1;
}
const elapsedMs = performance.now() - started;

console.log(`dark-mode for user-1: ${await flags.isEnabled('dark-mode', 'user-1')}`);
console.log(`new-checkout (25% rollout): ${counts['new-checkout']} of ${users} users`);
console.log('pricing-test (34/33/33, staff pinned to variant-b):');
for (const [variant, n] of Object.entries(counts['pricing-test'])) {
  console.log(`  ${variant.padEnd(10)} ${String(n).padStart(5)}  ${((100 * n) / users).toFixed(1)}%`);
}
const detail = await flags.evaluate('pricing-test', { targetingKey: 'user-500', email: 'dev500@tiqology.com' });
console.log(`evaluate(pricing-test, dev500@tiqology.com): ${JSON.stringify(detail)}`);
console.log(`cache: ${JSON.stringify(flags.stats())}`);
console.log(`${2 * users} evaluations in ${elapsedMs.toFixed(1)} ms`);
await flags.close();
