// Flag evaluation benchmark: @tiqology/elite against GrowthBook, Unleash, flagd-core and the
// OpenFeature server SDK (InMemoryProvider), all in one warm process.
//
//   npm run build && npm run bench          (runs: node --expose-gc bench/flags.bench.mjs)
//   node --expose-gc bench/flags.bench.mjs --peers-only        (no dist needed)
//   options: --rounds=N (default 3), --time=MS (measured time per row and round, default 800),
//            --warmup=MS (default 300), --users=N (default 10000), --only=id,id (time only these rows),
//            --gc-between-rows (force a full GC before every row; see README),
//            --baseline=DIR (also time an earlier build's dist/ in the same run: rows …@baseline)
//
// Every SDK evaluates the same two flags: `new-checkout`, a boolean with a 50% progressive rollout,
// and `pricing-test`, a control/variant-a/variant-b split weighted 34/33/33. Ours and flagd-core also
// evaluate `gated-test`: the same split behind a prerequisite (new-checkout on) and a layer (half of
// layer `checkout`), which flagd-core expresses in its targeting rules. See bench/README.md.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GrowthBookClient } from '@growthbook/growthbook';
import { FlagdCore } from '@openfeature/flagd-core';
import { InMemoryProvider, OpenFeature } from '@openfeature/server-sdk';
import { Bench } from 'tinybench';
import { InMemStorageProvider, startUnleash } from 'unleash-client';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');

// ---------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------
const argv = process.argv.slice(2);
const arg = (name, fallback) => {
  const hit = argv.find((a) => a.startsWith(`--${name}=`));
  return hit === undefined ? fallback : Number(hit.slice(name.length + 3));
};
const PEERS_ONLY = argv.includes('--peers-only');
/** `--baseline=DIR`: also time the build in DIR (a dist/ folder) in the same run. */
const BASELINE_DIR = argv.find((a) => a.startsWith('--baseline='))?.slice(11);
const GC_BETWEEN_ROWS = argv.includes('--gc-between-rows');
const loadBefore = os.loadavg();
const TIME_MS = arg('time', 800);
const WARMUP_MS = arg('warmup', 300);
const USERS = arg('users', 10_000);
const ROUNDS = Math.max(1, arg('rounds', 3));
/** `--only=flagd,elite-sync`: time only these rows (the distribution checks still cover every SDK). */
const ONLY = argv
  .find((a) => a.startsWith('--only='))
  ?.slice(7)
  .split(',');
/** Calls per tinybench sample for synchronous rows: a sample is the mean ns/call of one batch. */
const SYNC_BATCH = 1000;
/** Awaited calls per tinybench sample for asynchronous rows. */
const ASYNC_BATCH = 100;
/** A distribution check fails when a share is this many percentage points off its target. */
const TOLERANCE_PP = 2;

const distIndex = join(root, 'dist', 'index.js');
const distMemory = join(root, 'dist', 'adapters', 'memory.js');
if (!PEERS_ONLY && !(existsSync(distIndex) && existsSync(distMemory))) {
  console.error(
    `bench: ${existsSync(distIndex) ? distMemory : distIndex} is missing — run npm run build first ` +
      '(or pass --peers-only to benchmark the peer SDKs alone).',
  );
  process.exit(1);
}
if (typeof globalThis.gc !== 'function') {
  console.warn('bench: run with node --expose-gc (npm run bench does) so setup garbage is collected before timing.');
}

// ---------------------------------------------------------------------------------------------
// Inputs: the same user ids for every SDK, cycled so no call sees a constant argument.
// Per-SDK context objects are built once, outside the timed loops, so peers are not charged
// for allocating them (ours takes the id string directly).
// ---------------------------------------------------------------------------------------------
const ids = Array.from({ length: USERS }, (_, i) => `user-${i}`);
const gbContexts = ids.map((id) => ({ attributes: { id } }));
const unleashContexts = ids.map((userId) => ({ userId }));
const ofContexts = ids.map((targetingKey) => ({ targetingKey }));

const BOOL_FLAG = 'new-checkout';
const SPLIT_FLAG = 'pricing-test';
const ARMS = ['control', 'variant-a', 'variant-b'];
const EXPECTED = { [BOOL_FLAG]: { true: 50, false: 50 }, [SPLIT_FLAG]: { control: 34, 'variant-a': 33, 'variant-b': 33 } };
/** The split behind a prerequisite (new-checkout on: 50%) and a layer range (50%): 25% of users are split 34/33/33. */
const GATED_FLAG = 'gated-test';
const GATED_EXPECTED = { control: 75 + 25 * 0.34, 'variant-a': 25 * 0.33, 'variant-b': 25 * 0.33 };
/** The rows that time GATED_FLAG: flagd-core, the fastest peer on the two flags above, and ours (and a baseline's). */
const GATED_ROWS = ['flagd', 'elite-sync', 'elite-sync@baseline'];

// ---------------------------------------------------------------------------------------------
// SDK setup, each configured for the two flags above.
// ---------------------------------------------------------------------------------------------

// GrowthBook: the multi-user GrowthBookClient its README recommends for servers, one singleton,
// features loaded locally with initSync (no network), evaluated with evalFeature(key, userContext).
const growthbook = new GrowthBookClient({}).initSync({
  payload: {
    features: {
      [BOOL_FLAG]: {
        defaultValue: false,
        // A percentage rollout rule: force `true` for 50% of users hashed on `id`.
        rules: [{ id: 'rollout-50', force: true, coverage: 0.5, hashAttribute: 'id', seed: BOOL_FLAG, hashVersion: 2 }],
      },
      [SPLIT_FLAG]: {
        defaultValue: 'control',
        // An experiment rule: 3 variations, weights 34/33/33, full coverage, hashed on `id`.
        rules: [
          {
            id: 'split-34-33-33',
            key: SPLIT_FLAG,
            variations: ARMS,
            weights: [0.34, 0.33, 0.33],
            coverage: 1,
            hashAttribute: 'id',
            hashVersion: 2,
          },
        ],
      },
    },
  },
});

// Unleash: offline — bootstrap data, in-memory storage, no polling (refreshInterval 0), no metrics.
// The url is never contacted (refreshInterval 0 disables fetching).
const unleash = await startUnleash({
  appName: 'elite-bench',
  url: 'http://127.0.0.1:4242/api/',
  refreshInterval: 0,
  disableMetrics: true,
  skipInstanceCountWarning: true,
  storageProvider: new InMemStorageProvider(),
  bootstrap: {
    data: [
      {
        name: BOOL_FLAG,
        enabled: true,
        strategies: [{ name: 'flexibleRollout', parameters: { rollout: '50', stickiness: 'userId', groupId: BOOL_FLAG }, constraints: [] }],
      },
      {
        name: SPLIT_FLAG,
        enabled: true,
        strategies: [
          {
            name: 'flexibleRollout',
            parameters: { rollout: '100', stickiness: 'userId', groupId: SPLIT_FLAG },
            constraints: [],
            // Strategy variants (Unleash weights are out of 1000).
            variants: [
              { name: 'control', weight: 340, stickiness: 'userId', weightType: 'fix' },
              { name: 'variant-a', weight: 330, stickiness: 'userId', weightType: 'fix' },
              { name: 'variant-b', weight: 330, stickiness: 'userId', weightType: 'fix' },
            ],
          },
        ],
      },
    ],
  },
});
unleash.on('error', (error) => console.error('unleash error:', error?.message ?? error));

// flagd-core: the in-process evaluator of flagd, with `fractional` targeting on targetingKey.
const flagd = new FlagdCore();
flagd.setConfigurations(
  JSON.stringify({
    flags: {
      [BOOL_FLAG]: {
        state: 'ENABLED',
        variants: { on: true, off: false },
        defaultVariant: 'off',
        targeting: {
          fractional: [
            ['on', 50],
            ['off', 50],
          ],
        },
      },
      [SPLIT_FLAG]: {
        state: 'ENABLED',
        variants: { control: 'control', 'variant-a': 'variant-a', 'variant-b': 'variant-b' },
        defaultVariant: 'control',
        targeting: {
          fractional: [
            ['control', 34],
            ['variant-a', 33],
            ['variant-b', 33],
          ],
        },
      },
      // No prerequisites or layers in flagd: both written into the targeting. The prerequisite is
      // new-checkout's own fractional (flagd buckets on flag key + targetingKey), the layer a
      // fractional on a layer name; only users passing both are split. The same answers as ours
      // in distribution (the hashes differ), not user by user.
      [GATED_FLAG]: {
        state: 'ENABLED',
        variants: { control: 'control', 'variant-a': 'variant-a', 'variant-b': 'variant-b' },
        defaultVariant: 'control',
        targeting: {
          if: [
            {
              and: [
                // The layer first, as ours checks it: `and` stops at the first false.
                { '==': [{ fractional: [{ cat: ['layer:checkout', { var: 'targetingKey' }] }, ['in', 50], ['out', 50]] }, 'in'] },
                { '==': [{ fractional: [{ cat: [BOOL_FLAG, { var: 'targetingKey' }] }, ['on', 50], ['off', 50]] }, 'on'] },
              ],
            },
            {
              fractional: [
                ['control', 34],
                ['variant-a', 33],
                ['variant-b', 33],
              ],
            },
            'control',
          ],
        },
      },
    },
  }),
);

// OpenFeature server SDK with its InMemoryProvider. The provider has no bucketing of its own, so
// contextEvaluator buckets hash-free: the numeric suffix of targetingKey (`user-<n>`) modulo 100.
// That is the cheapest possible per-user logic (it flatters this row), and is exact over our ids.
const bucketOf = (ctx) => Number(ctx.targetingKey.slice(5)) % 100;
await OpenFeature.setProviderAndWait(
  new InMemoryProvider({
    [BOOL_FLAG]: {
      variants: { on: true, off: false },
      defaultVariant: 'off',
      disabled: false,
      contextEvaluator: (ctx) => (bucketOf(ctx) < 50 ? 'on' : 'off'),
    },
    [SPLIT_FLAG]: {
      variants: { control: 'control', 'variant-a': 'variant-a', 'variant-b': 'variant-b' },
      defaultVariant: 'control',
      disabled: false,
      contextEvaluator: (ctx) => {
        const b = bucketOf(ctx);
        return b < 34 ? 'control' : b < 67 ? 'variant-a' : 'variant-b';
      },
    },
  }),
);
const openfeature = OpenFeature.getClient();

// Ours: the memory storage, one refresh() so every flag is in the local snapshot. `elite` has
// exposure tracking off, like the peers here (none records exposures); `eliteTracked` keeps the
// default (on), so its row shows what tracking adds: a dedupe lookup per call once warm, and
// one buffered event per (user, flag, variant).
/** Two clients of one build of ours (`dist/`, or a baseline's): tracking off, and tracking on. */
async function makeElite(indexPath, memoryPath) {
  const { createFlags } = await import(indexPath);
  const { createMemoryStorage } = await import(memoryPath);
  const storage = createMemoryStorage({
    flags: [
      { key: BOOL_FLAG, environment: 'production', enabled: true, rollout: 50 },
      {
        key: SPLIT_FLAG,
        environment: 'production',
        enabled: true,
        variants: [
          { key: 'control', weight: 34 },
          { key: 'variant-a', weight: 33 },
          { key: 'variant-b', weight: 33 },
        ],
      },
      {
        key: GATED_FLAG,
        environment: 'production',
        enabled: true,
        prerequisites: [{ flag: BOOL_FLAG }],
        layer: { key: 'checkout', from: 0, to: 50 },
        variants: [
          { key: 'control', weight: 34 },
          { key: 'variant-a', weight: 33 },
          { key: 'variant-b', weight: 33 },
        ],
      },
    ],
  });
  const untracked = createFlags({ storage, environment: 'production', trackExposures: false });
  const tracked = createFlags({ storage, environment: 'production' });
  await tracked.refresh();
  const refreshed = await untracked.refresh();
  if (!refreshed.ok) {
    console.error(`bench: elite refresh() failed (${indexPath}):`, refreshed.error);
    process.exit(1);
  }
  return { untracked, tracked };
}
let elite;
let eliteTracked;
if (!PEERS_ONLY) ({ untracked: elite, tracked: eliteTracked } = await makeElite(distIndex, distMemory));
// --baseline=DIR: the dist/ of an earlier build, timed in the same run (rows `…@baseline`), so a
// refactoring's cost is read against the same machine state rather than an old results file.
let baseline;
if (BASELINE_DIR !== undefined) baseline = await makeElite(join(BASELINE_DIR, 'index.js'), join(BASELINE_DIR, 'adapters', 'memory.js'));

// ---------------------------------------------------------------------------------------------
// Rows: one per SDK, API path and flag. `bool` returns a boolean, `split` a variant key; the
// distribution check and the sanity pass use these; the timed loops below inline the same calls.
// ---------------------------------------------------------------------------------------------
const rows = [
  {
    id: 'growthbook',
    sdk: '@growthbook/growthbook',
    mode: 'sync',
    path: { bool: 'GrowthBookClient#evalFeature(key, ctx).on', split: 'GrowthBookClient#evalFeature(key, ctx).value' },
    bool: (i) => growthbook.evalFeature(BOOL_FLAG, gbContexts[i]).on,
    split: (i) => growthbook.evalFeature(SPLIT_FLAG, gbContexts[i]).value,
  },
  {
    id: 'unleash',
    sdk: 'unleash-client',
    mode: 'sync',
    path: { bool: 'unleash.isEnabled(key, { userId })', split: 'unleash.getVariant(key, { userId }).name' },
    bool: (i) => unleash.isEnabled(BOOL_FLAG, unleashContexts[i]),
    split: (i) => unleash.getVariant(SPLIT_FLAG, unleashContexts[i]).name,
  },
  {
    id: 'flagd',
    sdk: '@openfeature/flagd-core',
    mode: 'sync',
    path: { bool: 'FlagdCore#resolveBooleanEvaluation().value', split: 'FlagdCore#resolveStringEvaluation().value' },
    bool: (i) => flagd.resolveBooleanEvaluation(BOOL_FLAG, false, ofContexts[i]).value,
    split: (i) => flagd.resolveStringEvaluation(SPLIT_FLAG, 'control', ofContexts[i]).value,
    gated: (i) => flagd.resolveStringEvaluation(GATED_FLAG, 'control', ofContexts[i]).value,
  },
  {
    id: 'openfeature',
    sdk: '@openfeature/server-sdk + InMemoryProvider',
    mode: 'async',
    path: { bool: 'await client.getBooleanValue(key, false, ctx)', split: 'await client.getStringValue(key, "control", ctx)' },
    bool: (i) => openfeature.getBooleanValue(BOOL_FLAG, false, ofContexts[i]),
    split: (i) => openfeature.getStringValue(SPLIT_FLAG, 'control', ofContexts[i]),
  },
];
if (elite) {
  rows.push(
    {
      id: 'elite-sync',
      sdk: '@tiqology/elite (ours)',
      ours: true,
      mode: 'sync',
      path: { bool: 'flags.isEnabledSync(key, userId)', split: 'flags.getVariantSync(key, userId)' },
      bool: (i) => elite.isEnabledSync(BOOL_FLAG, ids[i]),
      split: (i) => elite.getVariantSync(SPLIT_FLAG, ids[i]),
      gated: (i) => elite.getVariantSync(GATED_FLAG, ids[i]),
    },
    {
      id: 'elite-tracked',
      sdk: '@tiqology/elite (ours, exposures tracked)',
      ours: true,
      mode: 'sync',
      path: { bool: 'flags.isEnabledSync(key, userId)', split: 'flags.getVariantSync(key, userId)' },
      bool: (i) => eliteTracked.isEnabledSync(BOOL_FLAG, ids[i]),
      split: (i) => eliteTracked.getVariantSync(SPLIT_FLAG, ids[i]),
    },
    {
      id: 'elite-async',
      sdk: '@tiqology/elite (ours)',
      ours: true,
      mode: 'async',
      path: { bool: 'await flags.isEnabled(key, userId)', split: 'await flags.getVariant(key, userId)' },
      bool: (i) => elite.isEnabled(BOOL_FLAG, ids[i]),
      split: (i) => elite.getVariant(SPLIT_FLAG, ids[i]),
    },
  );
}
if (baseline) {
  rows.push(
    {
      id: 'elite-sync@baseline',
      sdk: `@tiqology/elite (baseline: ${BASELINE_DIR})`,
      ours: true,
      mode: 'sync',
      path: { bool: 'flags.isEnabledSync(key, userId)', split: 'flags.getVariantSync(key, userId)' },
      bool: (i) => baseline.untracked.isEnabledSync(BOOL_FLAG, ids[i]),
      split: (i) => baseline.untracked.getVariantSync(SPLIT_FLAG, ids[i]),
      gated: (i) => baseline.untracked.getVariantSync(GATED_FLAG, ids[i]),
    },
    {
      id: 'elite-tracked@baseline',
      sdk: `@tiqology/elite (baseline: ${BASELINE_DIR}, exposures tracked)`,
      ours: true,
      mode: 'sync',
      path: { bool: 'flags.isEnabledSync(key, userId)', split: 'flags.getVariantSync(key, userId)' },
      bool: (i) => baseline.tracked.isEnabledSync(BOOL_FLAG, ids[i]),
      split: (i) => baseline.tracked.getVariantSync(SPLIT_FLAG, ids[i]),
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Distribution check over every user id, through the exact API each row times.
// ---------------------------------------------------------------------------------------------
const checks = {};
let checksOk = true;
console.log(
  `\nDistribution check over ${USERS} user ids (target ${BOOL_FLAG} 50% true, ${SPLIT_FLAG} 34/33/33, tolerance ±${TOLERANCE_PP} pp)`,
);
for (const row of rows) {
  const counts = { [BOOL_FLAG]: { true: 0, false: 0 }, [SPLIT_FLAG]: { control: 0, 'variant-a': 0, 'variant-b': 0 } };
  for (let i = 0; i < USERS; i++) {
    const on = row.mode === 'async' ? await row.bool(i) : row.bool(i);
    const arm = row.mode === 'async' ? await row.split(i) : row.split(i);
    if (typeof on !== 'boolean') throw new Error(`${row.id}: ${BOOL_FLAG} returned ${JSON.stringify(on)}, expected a boolean`);
    if (!ARMS.includes(arm)) throw new Error(`${row.id}: ${SPLIT_FLAG} returned ${JSON.stringify(arm)}, expected one of ${ARMS}`);
    counts[BOOL_FLAG][on]++;
    counts[SPLIT_FLAG][arm]++;
  }
  const shares = {};
  let ok = true;
  for (const flag of [BOOL_FLAG, SPLIT_FLAG]) {
    shares[flag] = {};
    for (const [value, count] of Object.entries(counts[flag])) {
      const pct = (100 * count) / USERS;
      shares[flag][value] = Number(pct.toFixed(2));
      if (Math.abs(pct - EXPECTED[flag][value]) > TOLERANCE_PP) ok = false;
    }
  }
  checksOk &&= ok;
  checks[row.id] = { ok, shares };
  const fmt = (o) =>
    Object.entries(o)
      .map(([k, v]) => `${k} ${v.toFixed(2)}%`)
      .join(' / ');
  console.log(
    `  ${ok ? 'ok  ' : 'FAIL'} ${row.id.padEnd(12)} ${BOOL_FLAG}: ${fmt(shares[BOOL_FLAG]).padEnd(30)} ${SPLIT_FLAG}: ${fmt(shares[SPLIT_FLAG])}`,
  );
}
for (const row of rows.filter((r) => GATED_ROWS.includes(r.id))) {
  const counts = { control: 0, 'variant-a': 0, 'variant-b': 0 };
  for (let i = 0; i < USERS; i++) counts[row.gated(i)]++;
  const shares = Object.fromEntries(Object.entries(counts).map(([arm, count]) => [arm, Number(((100 * count) / USERS).toFixed(2))]));
  const ok = Object.entries(shares).every(([arm, pct]) => Math.abs(pct - GATED_EXPECTED[arm]) <= TOLERANCE_PP);
  checksOk &&= ok;
  checks[row.id].shares[GATED_FLAG] = shares;
  checks[row.id].ok &&= ok;
  const shown = Object.entries(shares)
    .map(([k, v]) => `${k} ${v.toFixed(2)}%`)
    .join(' / ');
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${row.id.padEnd(12)} ${GATED_FLAG} (prerequisite + layer): ${shown}`);
}
if (elite) {
  // Our async and sync paths must agree user by user.
  let mismatches = 0;
  for (let i = 0; i < USERS; i++) {
    if ((await elite.isEnabled(BOOL_FLAG, ids[i])) !== elite.isEnabledSync(BOOL_FLAG, ids[i])) mismatches++;
    if ((await elite.getVariant(SPLIT_FLAG, ids[i])) !== elite.getVariantSync(SPLIT_FLAG, ids[i])) mismatches++;
    if ((await elite.getVariant(GATED_FLAG, ids[i])) !== elite.getVariantSync(GATED_FLAG, ids[i])) mismatches++;
  }
  console.log(`  ${mismatches === 0 ? 'ok  ' : 'FAIL'} elite sync and async paths agree for every user (${mismatches} mismatches)`);
  if (mismatches > 0) checksOk = false;
}
if (!checksOk) {
  console.error('bench: a distribution check failed — the SDKs are not configured equivalently; not benchmarking.');
  process.exit(1);
}

// ---------------------------------------------------------------------------------------------
// Timed loops. Each row has its own loop literal (no shared call site turning megamorphic) and its
// own cursor over the user ids; results are summed into `sink`, printed at the end.
// ---------------------------------------------------------------------------------------------
const hr = process.hrtime.bigint;
let sink = 0;
const sample = (t0, calls) => {
  const ms = Number(hr() - t0) / 1e6;
  return { overriddenDuration: ms / calls, overriddenIterationCost: ms };
};

/** Loops per row id and flag. */
const loops = {
  growthbook: {
    bool: () => {
      let c = 0;
      return () => {
        let s = 0;
        const t0 = hr();
        for (let k = 0; k < SYNC_BATCH; k++) {
          if (growthbook.evalFeature(BOOL_FLAG, gbContexts[c]).on) s++;
          if (++c === USERS) c = 0;
        }
        const r = sample(t0, SYNC_BATCH);
        sink += s;
        return r;
      };
    },
    split: () => {
      let c = 0;
      return () => {
        let s = 0;
        const t0 = hr();
        for (let k = 0; k < SYNC_BATCH; k++) {
          if (growthbook.evalFeature(SPLIT_FLAG, gbContexts[c]).value === 'control') s++;
          if (++c === USERS) c = 0;
        }
        const r = sample(t0, SYNC_BATCH);
        sink += s;
        return r;
      };
    },
  },
  unleash: {
    bool: () => {
      let c = 0;
      return () => {
        let s = 0;
        const t0 = hr();
        for (let k = 0; k < SYNC_BATCH; k++) {
          if (unleash.isEnabled(BOOL_FLAG, unleashContexts[c])) s++;
          if (++c === USERS) c = 0;
        }
        const r = sample(t0, SYNC_BATCH);
        sink += s;
        return r;
      };
    },
    split: () => {
      let c = 0;
      return () => {
        let s = 0;
        const t0 = hr();
        for (let k = 0; k < SYNC_BATCH; k++) {
          if (unleash.getVariant(SPLIT_FLAG, unleashContexts[c]).name === 'control') s++;
          if (++c === USERS) c = 0;
        }
        const r = sample(t0, SYNC_BATCH);
        sink += s;
        return r;
      };
    },
  },
  flagd: {
    bool: () => {
      let c = 0;
      return () => {
        let s = 0;
        const t0 = hr();
        for (let k = 0; k < SYNC_BATCH; k++) {
          if (flagd.resolveBooleanEvaluation(BOOL_FLAG, false, ofContexts[c]).value) s++;
          if (++c === USERS) c = 0;
        }
        const r = sample(t0, SYNC_BATCH);
        sink += s;
        return r;
      };
    },
    split: () => {
      let c = 0;
      return () => {
        let s = 0;
        const t0 = hr();
        for (let k = 0; k < SYNC_BATCH; k++) {
          if (flagd.resolveStringEvaluation(SPLIT_FLAG, 'control', ofContexts[c]).value === 'control') s++;
          if (++c === USERS) c = 0;
        }
        const r = sample(t0, SYNC_BATCH);
        sink += s;
        return r;
      };
    },
    gated: () => {
      let c = 0;
      return () => {
        let s = 0;
        const t0 = hr();
        for (let k = 0; k < SYNC_BATCH; k++) {
          if (flagd.resolveStringEvaluation(GATED_FLAG, 'control', ofContexts[c]).value === 'control') s++;
          if (++c === USERS) c = 0;
        }
        const r = sample(t0, SYNC_BATCH);
        sink += s;
        return r;
      };
    },
  },
  openfeature: {
    bool: () => {
      let c = 0;
      return async () => {
        let s = 0;
        const t0 = hr();
        for (let k = 0; k < ASYNC_BATCH; k++) {
          if (await openfeature.getBooleanValue(BOOL_FLAG, false, ofContexts[c])) s++;
          if (++c === USERS) c = 0;
        }
        const r = sample(t0, ASYNC_BATCH);
        sink += s;
        return r;
      };
    },
    split: () => {
      let c = 0;
      return async () => {
        let s = 0;
        const t0 = hr();
        for (let k = 0; k < ASYNC_BATCH; k++) {
          if ((await openfeature.getStringValue(SPLIT_FLAG, 'control', ofContexts[c])) === 'control') s++;
          if (++c === USERS) c = 0;
        }
        const r = sample(t0, ASYNC_BATCH);
        sink += s;
        return r;
      };
    },
  },
  'elite-sync': {
    bool: () => {
      let c = 0;
      return () => {
        let s = 0;
        const t0 = hr();
        for (let k = 0; k < SYNC_BATCH; k++) {
          if (elite.isEnabledSync(BOOL_FLAG, ids[c])) s++;
          if (++c === USERS) c = 0;
        }
        const r = sample(t0, SYNC_BATCH);
        sink += s;
        return r;
      };
    },
    split: () => {
      let c = 0;
      return () => {
        let s = 0;
        const t0 = hr();
        for (let k = 0; k < SYNC_BATCH; k++) {
          if (elite.getVariantSync(SPLIT_FLAG, ids[c]) === 'control') s++;
          if (++c === USERS) c = 0;
        }
        const r = sample(t0, SYNC_BATCH);
        sink += s;
        return r;
      };
    },
    gated: () => {
      let c = 0;
      return () => {
        let s = 0;
        const t0 = hr();
        for (let k = 0; k < SYNC_BATCH; k++) {
          if (elite.getVariantSync(GATED_FLAG, ids[c]) === 'control') s++;
          if (++c === USERS) c = 0;
        }
        const r = sample(t0, SYNC_BATCH);
        sink += s;
        return r;
      };
    },
  },
  'elite-tracked': {
    bool: () => {
      let c = 0;
      return () => {
        let s = 0;
        const t0 = hr();
        for (let k = 0; k < SYNC_BATCH; k++) {
          if (eliteTracked.isEnabledSync(BOOL_FLAG, ids[c])) s++;
          if (++c === USERS) c = 0;
        }
        const r = sample(t0, SYNC_BATCH);
        sink += s;
        return r;
      };
    },
    split: () => {
      let c = 0;
      return () => {
        let s = 0;
        const t0 = hr();
        for (let k = 0; k < SYNC_BATCH; k++) {
          if (eliteTracked.getVariantSync(SPLIT_FLAG, ids[c]) === 'control') s++;
          if (++c === USERS) c = 0;
        }
        const r = sample(t0, SYNC_BATCH);
        sink += s;
        return r;
      };
    },
  },
  'elite-sync@baseline': {
    bool: () => {
      let c = 0;
      return () => {
        let s = 0;
        const t0 = hr();
        for (let k = 0; k < SYNC_BATCH; k++) {
          if (baseline.untracked.isEnabledSync(BOOL_FLAG, ids[c])) s++;
          if (++c === USERS) c = 0;
        }
        const r = sample(t0, SYNC_BATCH);
        sink += s;
        return r;
      };
    },
    split: () => {
      let c = 0;
      return () => {
        let s = 0;
        const t0 = hr();
        for (let k = 0; k < SYNC_BATCH; k++) {
          if (baseline.untracked.getVariantSync(SPLIT_FLAG, ids[c]) === 'control') s++;
          if (++c === USERS) c = 0;
        }
        const r = sample(t0, SYNC_BATCH);
        sink += s;
        return r;
      };
    },
    gated: () => {
      let c = 0;
      return () => {
        let s = 0;
        const t0 = hr();
        for (let k = 0; k < SYNC_BATCH; k++) {
          if (baseline.untracked.getVariantSync(GATED_FLAG, ids[c]) === 'control') s++;
          if (++c === USERS) c = 0;
        }
        const r = sample(t0, SYNC_BATCH);
        sink += s;
        return r;
      };
    },
  },
  'elite-tracked@baseline': {
    bool: () => {
      let c = 0;
      return () => {
        let s = 0;
        const t0 = hr();
        for (let k = 0; k < SYNC_BATCH; k++) {
          if (baseline.tracked.isEnabledSync(BOOL_FLAG, ids[c])) s++;
          if (++c === USERS) c = 0;
        }
        const r = sample(t0, SYNC_BATCH);
        sink += s;
        return r;
      };
    },
    split: () => {
      let c = 0;
      return () => {
        let s = 0;
        const t0 = hr();
        for (let k = 0; k < SYNC_BATCH; k++) {
          if (baseline.tracked.getVariantSync(SPLIT_FLAG, ids[c]) === 'control') s++;
          if (++c === USERS) c = 0;
        }
        const r = sample(t0, SYNC_BATCH);
        sink += s;
        return r;
      };
    },
  },
  'elite-async': {
    bool: () => {
      let c = 0;
      return async () => {
        let s = 0;
        const t0 = hr();
        for (let k = 0; k < ASYNC_BATCH; k++) {
          if (await elite.isEnabled(BOOL_FLAG, ids[c])) s++;
          if (++c === USERS) c = 0;
        }
        const r = sample(t0, ASYNC_BATCH);
        sink += s;
        return r;
      };
    },
    split: () => {
      let c = 0;
      return async () => {
        let s = 0;
        const t0 = hr();
        for (let k = 0; k < ASYNC_BATCH; k++) {
          if ((await elite.getVariant(SPLIT_FLAG, ids[c])) === 'control') s++;
          if (++c === USERS) c = 0;
        }
        const r = sample(t0, ASYNC_BATCH);
        sink += s;
        return r;
      };
    },
  },
};

const tasks = [];
for (const kind of ['bool', 'split', 'gated']) {
  for (const row of rows) {
    if (ONLY && !ONLY.includes(row.id)) continue;
    if (kind === 'gated' && !GATED_ROWS.includes(row.id)) continue;
    tasks.push({ name: `${row.id}|${kind}`, row, kind, fn: loops[row.id][kind](), rounds: [] });
  }
}

// Every round runs every row (warmup, then measurement), in forward order on odd rounds and
// reverse order on even ones so no row always runs first or last. A row's reported figures come
// from its fastest round (lowest median): noise from the machine or a slow JIT phase only ever
// adds time, and the same rule applies to every SDK.
if (loadBefore[0] > 0.5) {
  console.warn(`bench: load average is ${loadBefore[0].toFixed(2)}; other processes are using the CPU and will skew the numbers.`);
}
// One full collection before timing starts, so setup garbage is not collected inside a row.
// Not between rows by default: a forced full GC throws away optimized code that embeds objects
// which died (V8 "weak objects" deopt), and flagd-core then re-optimizes into code ~1.6× slower
// than its steady state; see bench/README.md. --gc-between-rows restores it.
globalThis.gc?.();
const started = Date.now();
const busyBefore = machineBusySeconds();
const cpuBefore = process.cpuUsage();
console.log(
  `\nRunning ${tasks.length} rows × ${ROUNDS} rounds: ${WARMUP_MS} ms warmup + ${TIME_MS} ms measured per row and round; ` +
    `a sample is the mean of ${SYNC_BATCH} sync / ${ASYNC_BATCH} awaited calls...`,
);
for (let round = 0; round < ROUNDS; round++) {
  const bench = new Bench({
    name: `flags round ${round + 1}`,
    time: TIME_MS,
    warmupTime: WARMUP_MS,
    throws: true,
    setup: GC_BETWEEN_ROWS ? () => globalThis.gc?.() : undefined,
  });
  const order = round % 2 === 0 ? tasks : [...tasks].reverse();
  for (const t of order) bench.add(t.name, t.fn, { async: t.row.mode === 'async' });
  await bench.run();
  for (const t of tasks) {
    const { latency } = bench.getTask(t.name).result;
    t.rounds.push({
      meanNs: latency.mean * 1e6,
      medianNs: latency.p50 * 1e6,
      p99Ns: latency.p99 * 1e6,
      rmePct: latency.rme,
      samples: latency.samplesCount,
    });
  }
  console.log(`  round ${round + 1}/${ROUNDS} done`);
}
const elapsedS = (Date.now() - started) / 1000;
// CPU time the rest of the machine used while we measured (Linux only): anything well above zero
// means other processes competed with the benchmark for the 2 cores.
const busyAfter = machineBusySeconds();
const ownCpu = process.cpuUsage(cpuBefore);
const otherCpuS =
  busyBefore === undefined || busyAfter === undefined
    ? undefined
    : Math.max(0, busyAfter - busyBefore - (ownCpu.user + ownCpu.system) / 1e6);
if (otherCpuS !== undefined && otherCpuS > 0.1 * elapsedS) {
  console.warn(
    `bench: other processes used ${otherCpuS.toFixed(1)} CPU-s during the ${elapsedS.toFixed(0)} s run; the numbers are skewed, run again on an idle machine.`,
  );
}

// ---------------------------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------------------------
const results = tasks.map(({ row, kind, rounds }) => {
  const best = rounds.reduce((a, b) => (b.medianNs < a.medianNs ? b : a));
  const flag = { bool: BOOL_FLAG, split: SPLIT_FLAG, gated: GATED_FLAG }[kind];
  return {
    sdk: row.sdk,
    id: row.id,
    ours: row.ours === true,
    mode: row.mode,
    flag,
    kind: { bool: 'boolean 50% rollout', split: '3-way split 34/33/33', gated: '3-way split behind a prerequisite and a layer' }[kind],
    api: row.path[kind === 'gated' ? 'split' : kind],
    opsPerSec: Math.round(1e9 / best.meanNs),
    meanNs: round1(best.meanNs),
    medianNs: round1(best.medianNs),
    p99Ns: round1(best.p99Ns),
    rmePct: round1(best.rmePct),
    samples: best.samples,
    roundMediansNs: rounds.map((r) => round1(r.medianNs)),
    callsPerSample: row.mode === 'async' ? ASYNC_BATCH : SYNC_BATCH,
  };
});

/** Busy CPU seconds of the whole machine since boot, from /proc/stat; undefined off Linux. */
function machineBusySeconds() {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = fields;
    return (user + nice + system + irq + softirq + (steal ?? 0)) / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

function round1(x) {
  return Math.round(x * 10) / 10;
}
const int = (x) => Math.round(x).toLocaleString('en-US');
const ns = (x) => (x >= 100 ? int(x) : x.toFixed(1));

const lines = [];
lines.push(`## Flag evaluation, warm, ${USERS.toLocaleString('en-US')} rotating user ids`);
lines.push('');
lines.push('| SDK | API | flag | ops/s | median ns/op | p99 ns/op | samples | median per round (ns) |');
lines.push('|---|---|---|---:|---:|---:|---:|---:|');
for (const r of results) {
  const sdk = r.ours ? `**${r.sdk}**` : r.sdk;
  lines.push(
    `| ${sdk} | \`${r.api}\` | ${r.flag} | ${int(r.opsPerSec)} | ${ns(r.medianNs)} | ${ns(r.p99Ns)} | ${r.samples} | ${r.roundMediansNs.map(ns).join(' / ')} |`,
  );
}
lines.push('');
lines.push(
  `ops/s = 1e9 / mean ns per call. A sample is the mean over ${SYNC_BATCH} consecutive calls (sync rows) or ${ASYNC_BATCH} ` +
    `consecutive awaited calls (async rows); median and p99 are over those samples. ${ROUNDS} rounds per row; ops/s, ` +
    "median, p99 and samples are those of the row's fastest round (lowest median), and the last column lists every round.",
);

const comparison = {};
const hasRow = (id) => results.some((r) => r.id === id);
if (hasRow('elite-sync') && results.some((r) => !r.ours)) {
  lines.push('');
  lines.push('### Our sync path against the fastest peer');
  lines.push('');
  lines.push('| flag | ours (sync) median ns | fastest peer | peer median ns | speed-up | target ≥ 5× |');
  lines.push('|---|---:|---|---:|---:|:---:|');
  for (const flag of [BOOL_FLAG, SPLIT_FLAG, GATED_FLAG]) {
    const ours = results.find((r) => r.id === 'elite-sync' && r.flag === flag);
    const peers = results.filter((r) => !r.ours && r.flag === flag).sort((a, b) => a.medianNs - b.medianNs);
    const best = peers[0];
    if (ours === undefined || best === undefined) continue;
    const speedup = best.medianNs / ours.medianNs;
    comparison[flag] = {
      oursSyncMedianNs: ours.medianNs,
      fastestPeer: best.sdk,
      fastestPeerApi: best.api,
      fastestPeerMedianNs: best.medianNs,
      speedup: Math.round(speedup * 100) / 100,
      targetSpeedup: 5,
      meetsTarget: speedup >= 5,
    };
    lines.push(
      `| ${flag} | ${ns(ours.medianNs)} | ${best.sdk} | ${ns(best.medianNs)} | ${speedup.toFixed(1)}× | ${speedup >= 5 ? 'yes' : 'NO'} |`,
    );
  }
}
if (hasRow('elite-async')) {
  const asyncVariant = results.find((r) => r.id === 'elite-async' && r.flag === SPLIT_FLAG);
  const asyncEnabled = results.find((r) => r.id === 'elite-async' && r.flag === BOOL_FLAG);
  comparison.asyncGetVariant = {
    medianNs: asyncVariant.medianNs,
    targetNs: 1000,
    meetsTarget: asyncVariant.medianNs < 1000,
  };
  comparison.asyncIsEnabled = { medianNs: asyncEnabled.medianNs };
  lines.push('');
  lines.push(
    `Our async \`getVariant\` median: ${ns(asyncVariant.medianNs)} ns per awaited call — ` +
      `${asyncVariant.medianNs < 1000 ? 'under' : 'NOT under'} the 1 µs target. ` +
      `(async \`isEnabled\`: ${ns(asyncEnabled.medianNs)} ns.)`,
  );
}

const cpus = os.cpus();
const machine = {
  cpu: cpus[0]?.model ?? 'unknown',
  cores: cpus.length,
  availableParallelism: os.availableParallelism?.() ?? cpus.length,
  totalMemGiB: round1(os.totalmem() / 2 ** 30),
  os: `${os.type()} ${os.release()} ${os.arch()}`,
  node: process.version,
  v8: process.versions.v8,
  date: new Date().toISOString(),
  /** 1-minute load average when the benchmark started: above ~0.5, something else was using the CPU. */
  loadAverage1mAtStart: Math.round(loadBefore[0] * 100) / 100,
  /** CPU-seconds used by other processes during the timed rounds (Linux), null if unknown. */
  otherProcessesCpuSeconds: otherCpuS === undefined ? null : round1(otherCpuS),
};
lines.push('');
lines.push(
  `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.os}, Node ${machine.node}, ${machine.date}. ` +
    `Run time ${elapsedS.toFixed(1)} s` +
    (otherCpuS === undefined ? '' : `, other processes used ${otherCpuS.toFixed(1)} CPU-s meanwhile`) +
    `. sink=${sink}`,
);

console.log(`\n${lines.join('\n')}\n`);

const version = (name) => {
  try {
    return JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return 'unknown';
  }
};
const packageVersion = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
const report = {
  benchmark: 'flags',
  machine,
  config: {
    users: USERS,
    rounds: ROUNDS,
    timeMsPerRowAndRound: TIME_MS,
    warmupMsPerRowAndRound: WARMUP_MS,
    reported: 'per row, the round with the lowest median',
    syncCallsPerSample: SYNC_BATCH,
    asyncCallsPerSample: ASYNC_BATCH,
    gcBeforeTiming: typeof globalThis.gc === 'function',
    gcBetweenRows: GC_BETWEEN_ROWS && typeof globalThis.gc === 'function',
    peersOnly: PEERS_ONLY,
    only: ONLY ?? null,
  },
  versions: {
    '@tiqology/elite': PEERS_ONLY ? null : packageVersion,
    '@growthbook/growthbook': version('@growthbook/growthbook'),
    'unleash-client': version('unleash-client'),
    '@openfeature/flagd-core': version('@openfeature/flagd-core'),
    '@openfeature/server-sdk': version('@openfeature/server-sdk'),
    tinybench: version('tinybench'),
  },
  distributionChecks: checks,
  results,
  comparison,
  eliteStats: elite ? elite.stats() : null,
  eliteTrackedStats: eliteTracked ? eliteTracked.stats() : null,
  sink,
};
const outDir = join(here, 'results');
mkdirSync(outDir, { recursive: true });
const outFile = join(
  outDir,
  PEERS_ONLY ? 'flags.peers-only.json' : ONLY ? 'flags.partial.json' : baseline ? 'flags.baseline.json' : 'flags.json',
);
writeFileSync(outFile, `${JSON.stringify(report, null, 2)}\n`);
console.log(`Wrote ${outFile}`);

// Shut everything down so the process exits on its own.
unleash.destroy();
growthbook.destroy();
await OpenFeature.close();
if (elite) await elite.close();
