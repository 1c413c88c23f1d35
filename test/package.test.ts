/**
 * What users install: build, `npm pack`, install the tarball in a temp project, import every
 * subpath from ESM and CJS; bundle the Edge-facing entries for a worker target and fail on
 * any Node built-in; hold the size budget.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
const subpaths = Object.keys(pkg.exports).filter((s) => s !== './package.json');
const specifier = (subpath: string) => (subpath === '.' ? '@tiqology/elite' : `@tiqology/elite/${subpath.slice(2)}`);
const run = (cmd: string, args: string[], cwd: string) =>
  execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

let project: string;
const packedFiles = () =>
  (JSON.parse(run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], root))[0] as { files: { path: string }[] }).files.map(
    (f) => f.path,
  );

beforeAll(() => {
  run('npm', ['run', 'build'], root);
  const packDir = mkdtempSync(join(tmpdir(), 'elite-pack-'));
  const packed = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', packDir], root)) as {
    filename: string;
  }[];
  const tarball = join(packDir, (packed[0] as { filename: string }).filename);
  project = mkdtempSync(join(tmpdir(), 'elite-consumer-'));
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, version: '0.0.0' }));
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], project);
}, 300_000);

describe('the packed package', () => {
  it('exposes the documented subpaths', () => {
    expect(subpaths).toEqual([
      '.',
      './flags',
      './flags/openfeature',
      './adapters/memory',
      './adapters/postgres',
      './adapters/supabase',
      './telemetry',
      './forecast',
      './experiments',
    ]);
  });

  it.each(subpaths)('imports %s from ESM', (subpath) => {
    const out = run(
      process.execPath,
      ['--input-type=module', '-e', `import * as m from '${specifier(subpath)}'; console.log(JSON.stringify(Object.keys(m).sort()))`],
      project,
    );
    expect(JSON.parse(out).length).toBeGreaterThan(0);
  });

  it.each(subpaths)('requires %s from CJS', (subpath) => {
    const out = run(process.execPath, ['-e', `console.log(JSON.stringify(Object.keys(require('${specifier(subpath)}')).sort()))`], project);
    expect(JSON.parse(out).length).toBeGreaterThan(0);
  });

  it('runs the quick start from ESM and CJS with the same answers', () => {
    const script = (load: string) =>
      `${load}
const storage = createMemoryStorage({ flags: [{ key: 'pricing-test', environment: 'production', enabled: true,
  variants: [{ key: 'control', weight: 34 }, { key: 'variant-a', weight: 33 }, { key: 'variant-b', weight: 33 }] }] });
flags.configure({ storage });
Promise.all(['u1','u2','u3','u4','u5'].map((u) => flags.getVariant('pricing-test', u))).then((v) => console.log(JSON.stringify(v)));`;
    const esm = run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        script(`import { flags } from '@tiqology/elite'; import { createMemoryStorage } from '@tiqology/elite/adapters/memory';`),
      ],
      project,
    );
    const cjs = run(
      process.execPath,
      [
        '-e',
        script(`const { flags } = require('@tiqology/elite'); const { createMemoryStorage } = require('@tiqology/elite/adapters/memory');`),
      ],
      project,
    );
    expect(JSON.parse(esm)).toEqual(JSON.parse(cjs));
    for (const v of JSON.parse(esm)) expect(['control', 'variant-a', 'variant-b']).toContain(v);
  });

  it('runs the flags example examples/node/demo.mjs on the embedded store', () => {
    const out = run(process.execPath, ['examples/node/demo.mjs'], root);
    expect(out).toMatch(/dark-mode for user-1: true/);
    const rollout = Number(/new-checkout \(25% rollout\): (\d+) of 5000 users/.exec(out)?.[1]);
    expect(Math.abs(rollout - 1250)).toBeLessThan(3 * Math.sqrt(5000 * 0.25 * 0.75));
    expect(out).toMatch(/"variant":"variant-b","reason":"TARGETING_MATCH"/);
  });

  it('runs the README demo (tiqology demo, as npx runs it) from the installed package and its bundled data', () => {
    const bin = join(project, 'node_modules', '.bin', 'tiqology');
    const out = run(bin, ['demo', '--users', '300', '--svg', 'demo.svg'], project);
    expect(out).toMatch(/Verdict: /);
    expect(out).toMatch(/^Decision: \w+ \(confidence: \d+%\)$/m);
    expect(out).toMatch(/^7-Day Forecast: \$[\d,]+\.\d\d \(avg \$[\d,]+\.\d\d\/day\)$/m);
    expect(readFileSync(join(project, 'demo.svg'), 'utf8')).toMatch(/^<svg/);
  });

  it('installs the tiqology executable, which runs on the installed package', () => {
    const bin = join(project, 'node_modules', '.bin', 'tiqology');
    expect(run(bin, ['--version'], project).trim()).toBe((pkg as unknown as { version: string }).version);
    run(bin, ['flags', 'set', '{"key":"new-checkout","enabled":true,"rollout":20}', '--file', 'flags.json'], project);
    expect(JSON.parse(run(bin, ['flags', 'list', '--file', 'flags.json', '--json'], project))).toMatchObject([
      { key: 'new-checkout', rollout: 20 },
    ]);
    // pg is an optional peer the consumer has not installed: the command says what to do.
    expect(() => run(bin, ['flags', 'list', '--database-url', 'postgres://u@127.0.0.1:1/db'], project)).toThrow(
      /--database-url needs the pg package: npm install pg/,
    );
  });

  it('runs telemetry from the root entry (loaded on demand) and the subpath, ESM and CJS, one shared instance', () => {
    const script = (load: string) =>
      `${load}
root.recordCompletion({ provider: 'openai', model: 'gpt-4o', inputTokens: 1000, outputTokens: 100, durationMs: 5, status: 'ok' });
root.ready().then(async (full) => {
  const text = await sub.metrics();
  console.log(JSON.stringify([full === sub, text.includes('llm_chat_completions_total{provider="openai",model="gpt-4o",status="ok"} 1'),
    text.includes('process_cpu_user_seconds_total')]));
});`;
    const esm = run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        script(`import { telemetry as root } from '@tiqology/elite'; import { telemetry as sub } from '@tiqology/elite/telemetry';`),
      ],
      project,
    );
    const cjs = run(
      process.execPath,
      [
        '-e',
        script(`const { telemetry: root } = require('@tiqology/elite'); const { telemetry: sub } = require('@tiqology/elite/telemetry');`),
      ],
      project,
    );
    expect(JSON.parse(esm)).toEqual([true, true, true]);
    expect(JSON.parse(cjs)).toEqual([true, true, true]);
  });

  it('forecasts, costs and decides from the root namespace (loaded on first call) and the subpath, ESM and CJS alike', () => {
    const script = (load: string) =>
      `${load}
const values = Array.from({ length: 24 * 15 }, (_, i) => 100 + 40 * Math.sin((2 * Math.PI * i) / 24) + (i % 7));
const points = values.map((value, i) => ({ timestamp: Date.UTC(2026, 0, 5) + i * 3600000, value }));
const spend = points.map((p) => ({ timestamp: p.timestamp, value: 0.002 * p.value }));
(async () => {
  const a = await root.traffic(points);
  const b = sub.traffic(points);
  const costRoot = await root.cost(spend, { horizonDays: 3, drivers: { requests: points } });
  const costSub = sub.cost(spend, { horizonDays: 3, drivers: { requests: points } });
  const decideRoot = await root.decide({ forecast: a, capacity: 150, metrics: { cpuPercent: 72 } });
  const decideSub = sub.decide({ history: points, capacity: 150, metrics: { cpuPercent: 72 } });
  const scaler = await root.autoscale({ decide: () => root.decide({ forecast: a, capacity: 150 }), execute: () => {}, cooldownMs: 0, minReplicas: 1, maxReplicas: 3 });
  const record = await scaler.tick();
  console.log(JSON.stringify({
    same: JSON.stringify(a) === JSON.stringify(b), steps: b.steps.length, mean: b.steps[0].mean, svg: sub.toSVG(b).startsWith('<svg'),
    costSame: JSON.stringify(costRoot) === JSON.stringify(costSub), costDays: costSub.days.length, summary: costSub.summary,
    decideSame: JSON.stringify(decideRoot) === JSON.stringify({ ...decideSub, traffic: undefined }), decision: decideRoot.decision,
    decisionLine: decideRoot.summary, reasons: decideRoot.reasons.length, audit: record.outcome,
  }));
})();`;
    const esm = run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        script(`import { forecast as root } from '@tiqology/elite'; import { forecast as sub } from '@tiqology/elite/forecast';`),
      ],
      project,
    );
    const cjs = run(
      process.execPath,
      [
        '-e',
        script(`const { forecast: root } = require('@tiqology/elite'); const { forecast: sub } = require('@tiqology/elite/forecast');`),
      ],
      project,
    );
    const out = JSON.parse(esm);
    expect(out).toMatchObject({ same: true, steps: 24, svg: true, costSame: true, costDays: 3, decideSame: true, decision: 'SCALE_UP' });
    expect(out.summary).toMatch(/^3-Day Forecast: \$[\d,]+\.\d\d \(avg \$[\d,]+\.\d\d\/day\)$/);
    expect(out.decisionLine).toMatch(/^Decision: SCALE_UP \(confidence: \d+%\)$/);
    expect(out.reasons).toBeGreaterThanOrEqual(4);
    expect(out.audit).toBe('DRY_RUN');
    expect(JSON.parse(cjs)).toEqual(out);
  });

  it('computes experiment results from @tiqology/elite/experiments alone, ESM and CJS alike', () => {
    const script = (load: string) =>
      `${load}
const r = computeResults([{ variant: 'control', exposures: 1000, conversions: 50, valueSum: 0 },
  { variant: 'variant-a', exposures: 1000, conversions: 70, valueSum: 0 }], { control: 50, 'variant-a': 50 });
console.log(JSON.stringify({ verdict: r.verdict, p: r.variants[1].pValue, summary: r.summary }));`;
    const esm = run(
      process.execPath,
      ['--input-type=module', '-e', script(`import { computeResults } from '@tiqology/elite/experiments';`)],
      project,
    );
    const cjs = run(process.execPath, ['-e', script(`const { computeResults } = require('@tiqology/elite/experiments');`)], project);
    expect(JSON.parse(esm)).toMatchObject({ verdict: 'NO_WINNER_YET', summary: expect.stringMatching(/40\.0% better than control/) });
    expect(JSON.parse(esm).p).toBeCloseTo(0.0597, 4);
    expect(JSON.parse(cjs)).toEqual(JSON.parse(esm));
  });

  it('names its repository, home page and issue tracker (the npm page links to them)', () => {
    const meta = pkg as unknown as { repository: { type: string; url: string }; homepage: string; bugs: { url: string } };
    expect(meta.repository).toEqual({ type: 'git', url: 'git+https://github.com/tiqology/elite.git' });
    expect(meta.homepage).toBe('https://github.com/tiqology/elite#readme');
    expect(meta.bugs.url).toBe('https://github.com/tiqology/elite/issues');
    // npm publishes the package.json of the tarball: the installed copy carries them too.
    const installed = JSON.parse(readFileSync(join(project, 'node_modules/@tiqology/elite/package.json'), 'utf8'));
    expect({ repository: installed.repository, homepage: installed.homepage, bugs: installed.bugs }).toEqual({
      repository: meta.repository,
      homepage: meta.homepage,
      bugs: meta.bugs,
    });
  });

  it('ships no source maps that embed the sources, and the guides its README links to', () => {
    const files = packedFiles();
    const maps = files.filter((f) => f.endsWith('.map'));
    for (const map of maps) expect(JSON.parse(readFileSync(join(root, map), 'utf8')), map).not.toHaveProperty('sourcesContent');
    // The built output itself carries no inline map either.
    for (const file of files.filter((f) => /^dist\/.*\.c?js$/.test(f))) {
      expect(readFileSync(join(root, file), 'utf8'), file).not.toMatch(/sourceMappingURL=data:/);
    }
    expect(files).toContain('docs/cli.md');
    expect(files.filter((f) => f.startsWith('docs/api/'))).toEqual([]);
  });

  it('every relative link in the shipped Markdown points at a file the package ships', () => {
    const files = new Set(packedFiles());
    const broken: string[] = [];
    for (const doc of [...files].filter((f) => /^(README|CHANGELOG)\.md$|^docs\/[^/]+\.md$/.test(f))) {
      const text = readFileSync(join(root, doc), 'utf8').replace(/^```[\s\S]*?^```/gm, '');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const path = (target as string).split('#')[0] as string;
        if (path === '' || /^[a-z]+:/.test(path)) continue; // an anchor in the same file, or an absolute URL
        const resolved = posix.normalize(posix.join(posix.dirname(doc), path)).replace(/\/$/, '');
        if (!files.has(resolved)) broken.push(`${doc}: ${target} (${resolved} is not in the package)`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('ships no tests, sources or fixtures', () => {
    const files = (
      JSON.parse(run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], root))[0] as { files: { path: string }[] }
    ).files.map((f) => f.path);
    expect(files.some((f) => f.startsWith('src/') || f.startsWith('test/') || f.includes('.test.'))).toBe(false);
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/index.d.cts');
    expect(files).toContain('prometheus/alerts.yml');
    expect(files).toContain('grafana/dashboard.json');
    expect(files).toContain('data/demo/traffic.csv');
    expect(files).toContain('data/demo/LICENSE.NAB.txt');
  });
});

describe('Edge runtime safety', () => {
  const EDGE_ENTRIES = [
    '@tiqology/elite',
    '@tiqology/elite/flags',
    '@tiqology/elite/telemetry',
    '@tiqology/elite/forecast',
    '@tiqology/elite/experiments',
  ];
  const nodeBuiltins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
  const noNode: Plugin = {
    name: 'no-node-builtins',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (nodeBuiltins.has(args.path) || args.path.startsWith('node:')) {
          return { errors: [{ text: `Node built-in "${args.path}" imported from ${args.importer}` }] };
        }
        return undefined;
      });
    },
  };

  it.each(EDGE_ENTRIES)('%s bundles for a worker target without Node built-ins', async (entry) => {
    const result = await build({
      stdin: { contents: `export * from '${entry}';`, resolveDir: project, loader: 'js' },
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'neutral',
      mainFields: ['module', 'main'],
      conditions: ['edge-light', 'worker', 'browser', 'import', 'default'],
      plugins: [noNode],
      logLevel: 'silent',
    });
    expect(result.errors).toEqual([]);
    expect(result.outputFiles[0]?.text).not.toMatch(/from\s*["']node:/);
  });

  // Next.js middleware and Edge routes resolve with "edge-light" first (next/dist/build/
  // webpack-config-rules/resolve.js), then webpack's defaults; the build is one file per function.
  const nextEdge = (entry: string, conditions: string[]) =>
    build({
      stdin: { contents: entry, resolveDir: project, loader: 'js' },
      bundle: true,
      write: false,
      splitting: false,
      format: 'esm',
      platform: 'neutral',
      mainFields: ['module', 'main'],
      conditions,
      logLevel: 'silent',
    });
  const middleware = `import { createFlags } from '@tiqology/elite/flags';
import { createMemoryStorage } from '@tiqology/elite/adapters/memory';
import { flags } from '@tiqology/elite';
export const client = createFlags({ storage: createMemoryStorage(), bootstrap: [] });
export { flags };`;

  it('puts "edge-light" first in the entries the Edge imports, pointing at files in the package', () => {
    const exportsMap = pkg.exports as Record<string, Record<string, Record<string, { types: string; default: string }>>>;
    for (const subpath of ['.', './flags', './adapters/memory']) {
      const conditions = exportsMap[subpath] as Record<string, Record<string, { types: string; default: string }>>;
      expect(Object.keys(conditions)[0], subpath).toBe('edge-light');
      const edge = conditions['edge-light'] as Record<string, { types: string; default: string }>;
      expect(edge.import?.default).toMatch(/^\.\/dist\/edge\/.+\.js$/);
      expect(edge.require?.default).toMatch(/^\.\/dist\/edge\/.+\.cjs$/);
      // The same declarations as the main build: one API.
      expect(edge.import?.types).toBe(conditions.import?.types);
      expect(edge.require?.types).toBe(conditions.require?.types);
      for (const file of [edge.import?.default, edge.require?.default]) {
        expect(readFileSync(join(project, 'node_modules/@tiqology/elite', file as string), 'utf8').length).toBeGreaterThan(0);
      }
    }
  });

  it('leaves the statistics out of a one-file middleware bundle with "edge-light" (and keeps them without)', async () => {
    const edge = await nextEdge(middleware, ['edge-light', 'browser', 'import', 'module']);
    const plain = await nextEdge(middleware, ['browser', 'import', 'module']);
    const text = (r: typeof edge) => r.outputFiles?.[0]?.text ?? '';
    for (const marker of ['wilsonInterval', 'sampleRatioCheck']) {
      expect(text(edge)).not.toContain(marker);
      expect(text(plain)).toContain(marker);
    }
    // One copy of the SDK: the memory adapter comes from the same build as the client.
    expect(text(edge).match(/EliteError\d* = class/g)).toHaveLength(1);
    expect(text(edge)).toContain('getVariantSync');
    expect(text(edge).length).toBeLessThan(text(plain).length / 2);
  });

  it.each([
    [
      'ESM',
      ['--input-type=module', '-e'],
      "import { createFlags, isEliteError } from '@tiqology/elite/flags'; import { createMemoryStorage } from '@tiqology/elite/adapters/memory';",
    ],
    [
      'CJS',
      ['-e'],
      "const { createFlags, isEliteError } = require('@tiqology/elite/flags'); const { createMemoryStorage } = require('@tiqology/elite/adapters/memory');",
    ],
  ])('the Edge build (%s) evaluates as the main build and rejects results() with UNSUPPORTED_RUNTIME', (_, args, load) => {
    const script = `${load}
const flag = { key: 'pricing-test', environment: 'production', enabled: true,
  variants: [{ key: 'control', weight: 50 }, { key: 'variant-a', weight: 50 }] };
const client = createFlags({ storage: createMemoryStorage({ flags: [flag] }), trackExposures: false });
let bad; try { createMemoryStorage({ flags: [{ ...flag, rollout: 300 }] }); } catch (e) { bad = isEliteError(e, 'INVALID_FLAG'); }
client.getVariant('pricing-test', 'u1').then((variant) => client.results('pricing-test').then(
  () => console.log(JSON.stringify({ variant, bad, results: 'resolved' })),
  (e) => console.log(JSON.stringify({ variant, bad, code: e.code, name: e.name, edge: isEliteError(e) }))));`;
    const edge = JSON.parse(run(process.execPath, ['--conditions=edge-light', ...args, script], project));
    const node = JSON.parse(run(process.execPath, [...args, script], project));
    expect(edge).toEqual({ variant: node.variant, bad: true, code: 'UNSUPPORTED_RUNTIME', name: 'EliteError', edge: true });
    // The main build computes results (none recorded: no exposures).
    expect(node).toEqual({ variant: edge.variant, bad: true, results: 'resolved' });
  });

  it.each([
    ['@tiqology/elite/adapters/supabase', /adapters\/postgres|[\\/]pg[\\/]/],
    ['@tiqology/elite/adapters/postgres', /adapters\/supabase|@supabase/],
  ])('%s loads no other store or its client', async (entry, forbidden) => {
    const result = await build({
      stdin: { contents: `export * from '${entry}';`, resolveDir: project, loader: 'js' },
      bundle: true,
      write: false,
      metafile: true,
      format: 'esm',
      platform: 'node',
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((f) => f.includes('dist/adapters/'))).toBe(true);
    expect(inputs.filter((f) => forbidden.test(f))).toEqual([]);
  });

  it('the guard catches a Node built-in (the test can fail)', async () => {
    await expect(
      build({
        stdin: { contents: `import 'node:fs';`, loader: 'js' },
        bundle: true,
        write: false,
        platform: 'neutral',
        plugins: [noNode],
        logLevel: 'silent',
      }),
    ).rejects.toThrow(/Node built-in "node:fs"/);
  });

  it('holds the size budgets (flags entry ≤ 15 kB, root ≤ 16 kB min+gz with dependencies)', () => {
    const all = JSON.parse(run(process.execPath, ['scripts/size.mjs', '--json'], root)) as {
      name: string;
      edge: boolean;
      gzipBytes: number;
      limitBytes: number;
      ok: boolean;
    }[];
    // The experiments entry (the statistics, never on the Edge) has a budget of its own.
    const experiments = all.filter((row) => !row.edge);
    expect(experiments.map((row) => row.name)).toEqual(['@tiqology/elite/experiments']);
    for (const row of experiments) {
      expect(row.gzipBytes).toBeLessThanOrEqual(row.limitBytes);
      expect(row.ok).toBe(true);
    }
    const rows = all.filter((row) => row.edge);
    const flagsRows = rows.filter((row) => row.name.startsWith('@tiqology/elite/flags'));
    expect(flagsRows).toHaveLength(2);
    for (const row of rows) {
      expect(row.gzipBytes).toBeLessThanOrEqual(row.limitBytes);
      expect(row.limitBytes).toBeLessThanOrEqual(flagsRows.includes(row) ? 15_000 : 16_000);
      expect(row.ok).toBe(true);
    }
  });
});
