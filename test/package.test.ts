/**
 * What users install: build, `npm pack`, install the tarball in a temp project, import every
 * subpath from ESM and CJS; bundle the Edge-facing entries for a worker target and fail on
 * any Node built-in; hold the size budget; bundle examples/node/server.mjs with esbuild for
 * Node and serve flags, results and metrics from that one file, with no node_modules in reach.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFlags, type ExperimentResults, type FlagDefinition } from '../src/index.js';

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
  // React: the optional peer of ./react, which imports it.
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball, 'react@19.3.1'], project);
}, 300_000);

describe('the packed package', () => {
  it('ships declarations that type-check on their own (no type used as a value across declaration chunks)', () => {
    const declarations = readdirSync(join(root, 'dist'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.d.ts') || f.endsWith('.d.cts'))
      .map((f) => join(root, 'dist', f));
    expect(declarations.length).toBeGreaterThan(20);
    run(
      process.execPath,
      [
        join(root, 'node_modules/typescript/bin/tsc'),
        '--noEmit',
        '--strict',
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--target',
        'es2022',
        ...declarations,
      ],
      root,
    );
  });

  it('exposes the documented subpaths', () => {
    expect(subpaths).toEqual([
      '.',
      './flags',
      './flags/openfeature',
      './flags/vercel',
      './flags/overrides',
      './flags/validate',
      './adapters/memory',
      './adapters/postgres',
      './adapters/supabase',
      './telemetry',
      './forecast',
      './experiments',
      './rollouts',
      './react',
      './react/server',
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

  it('runs the telemetry example examples/node/anomaly-alerts.mjs: the injected error spike fires ErrorsAnomaly in its first minute, then resolves', () => {
    const out = run(process.execPath, ['examples/node/anomaly-alerts.mjs'], root);
    const spikeAt = /error spike injected at (\d\d):(\d\d)/.exec(out);
    const alerts = [...out.matchAll(/^(\d\d):(\d\d) (FIRING|RESOLVED) ErrorsAnomaly: errors (\d+), (.*)$/gm)];
    expect(alerts.map((a) => a[3])).toEqual(['FIRING', 'RESOLVED']);
    const minutes = (h?: string, m?: string) => Number(h) * 60 + Number(m);
    const delay = minutes(alerts[0]?.[1], alerts[0]?.[2]) - minutes(spikeAt?.[1], spikeAt?.[2]);
    // The alert comes at the tick that ends the spike's first minute.
    expect(delay).toBe(1);
    expect(Number(alerts[0]?.[4])).toBe(30);
    expect(alerts[0]?.[5]).toMatch(/^above the expected 0–[\d.]+ \(forecast [\d.]+, p > 0\.9999\)$/);
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
    '@tiqology/elite/rollouts',
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
    for (const subpath of ['.', './flags', './flags/validate', './adapters/memory']) {
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
    // The statistics, and the rollout controller behind flags.guard().
    for (const marker of ['wilsonInterval', 'sampleRatioCheck', 'createRolloutController']) {
      expect(text(edge)).not.toContain(marker);
      expect(text(plain)).toContain(marker);
    }
    // One copy of the SDK: the memory adapter comes from the same build as the client.
    expect(text(edge).match(/EliteError\d* = class/g)).toHaveLength(1);
    expect(text(edge)).toContain('getVariantSync');
    // What is left out is the statistics (about 340 kB unminified), whatever else the lazy namespaces add.
    expect(text(plain).length - text(edge).length).toBeGreaterThan(300_000);
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
    ['main', []],
    ['Edge', ['--conditions=edge-light']],
  ])('validateFlag comes from ./flags/validate, not ./flags, with the EliteError class of ./flags (%s build)', (_, conditions) => {
    const script = `import * as flags from '@tiqology/elite/flags'; import * as root from '@tiqology/elite';
import { validateFlag, validateCondition } from '@tiqology/elite/flags/validate';
let typed; try { validateFlag({ key: 'x', environment: 'production', enabled: true, rollot: 5 }); } catch (e) { typed = flags.isEliteError(e, 'INVALID_FLAG') && e.field; }
console.log(JSON.stringify({ typed, inFlags: 'validateFlag' in flags || 'validateCondition' in flags, inRoot: 'validateFlag' in root,
  condition: validateCondition({ country: { $in: 'FR' } }, 'c') }));`;
    const out = JSON.parse(run(process.execPath, [...conditions, '--input-type=module', '-e', script], project));
    expect(out).toEqual({ typed: 'rollot', inFlags: false, inRoot: false, condition: 'c.country.$in must be an array, got string' });
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

  it("imports esbuild's CommonJS helper chunk only where its helpers are used (no bare import from the entries)", () => {
    const files = readdirSync(join(root, 'dist'), { recursive: true, encoding: 'utf8' }).filter((f) => /\.c?js$/.test(f));
    const helperChunks = files.filter((f) => {
      const code = readFileSync(join(root, 'dist', f), 'utf8');
      return /(^|\/)chunk-/.test(f) && /^(export \{ __commonJS|exports\.__commonJS)/m.test(code);
    });
    // The statistics bundle @stdlib's CommonJS modules, so the main build has such a chunk.
    expect(helperChunks.length).toBeGreaterThan(0);
    for (const f of files) {
      const code = readFileSync(join(root, 'dist', f), 'utf8');
      for (const chunk of helperChunks) {
        const name = posix.basename(chunk).replaceAll('.', '\\.');
        expect(code, f).not.toMatch(new RegExp(`^(import '(\\.\\.?/)+${name}';|require\\('(\\.\\.?/)+${name}'\\);)$`, 'm'));
      }
    }
    const flagsEntry = readFileSync(join(root, 'dist', 'flags.js'), 'utf8');
    expect(helperChunks.some((chunk) => flagsEntry.includes(posix.basename(chunk)))).toBe(false);
  });

  it('holds the size budgets (flags entry ≤ 13 kB, root ≤ 14.5 kB, react ≤ 6 kB min+gz with dependencies, studio assets ≤ 4 kB gz)', () => {
    const all = JSON.parse(run(process.execPath, ['scripts/size.mjs', '--json'], root)) as {
      name: string;
      edge: boolean;
      gzipBytes: number;
      limitBytes: number;
      ok: boolean;
    }[];
    // The experiments entry (the statistics, never on the Edge) and the browser entry have budgets of their own.
    const experiments = all.filter((row) => !row.edge);
    // The studio's browser assets (served by `tiqology studio`, in no app bundle) are reported with a budget too.
    expect(experiments.map((row) => row.name)).toEqual([
      '@tiqology/elite/experiments',
      '@tiqology/elite/react',
      'tiqology studio assets (css + js)',
    ]);
    expect(experiments.find((row) => row.name === '@tiqology/elite/react')?.limitBytes).toBeLessThanOrEqual(6_000);
    for (const row of experiments) {
      expect(row.gzipBytes).toBeLessThanOrEqual(row.limitBytes);
      expect(row.ok).toBe(true);
    }
    const rows = all.filter((row) => row.edge);
    const flagsRows = rows.filter((row) => row.name.startsWith('@tiqology/elite/flags'));
    expect(flagsRows).toHaveLength(2);
    for (const row of rows) {
      expect(row.gzipBytes).toBeLessThanOrEqual(row.limitBytes);
      expect(row.limitBytes).toBeLessThanOrEqual(flagsRows.includes(row) ? 13_000 : 14_500);
      expect(row.ok).toBe(true);
    }
  });
});

// What many deploy to AWS Lambda or a container: the app and its dependencies bundled into one
// file (`esbuild --bundle --platform=node`), run where no node_modules can be reached.
describe('a Node server bundled with esbuild, run without node_modules', () => {
  // The flag examples/node/server.mjs serves, evaluated here by the SDK from the sources.
  const PRICING: FlagDefinition = {
    key: 'pricing-test',
    environment: 'production',
    enabled: true,
    variants: [
      { key: 'control', weight: 34, value: { priceUsd: 20 } },
      { key: 'variant-a', weight: 33, value: { priceUsd: 25 } },
      { key: 'variant-b', weight: 33, value: { priceUsd: 30 } },
    ],
  };
  let dir: string;
  let server: ChildProcess | undefined;
  let base = '';
  let inputs: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'elite-bundled-'));
    for (let up = dirname(dir); ; up = dirname(up)) {
      expect(existsSync(join(up, 'node_modules')), `${up}/node_modules would let the bundle resolve outside itself`).toBe(false);
      if (up === dirname(up)) break;
    }
    // The example's source, resolved against the installed tarball as in an app.
    const result = await build({
      stdin: {
        contents: readFileSync(join(root, 'examples/node/server.mjs'), 'utf8'),
        resolveDir: project,
        sourcefile: 'server.mjs',
        loader: 'js',
      },
      bundle: true,
      platform: 'node',
      target: 'node20',
      outfile: join(dir, 'server.cjs'),
      metafile: true,
      logLevel: 'silent',
    });
    inputs = Object.keys(result.metafile.inputs);
    server = spawn(process.execPath, ['server.cjs'], {
      cwd: dir,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const port = await new Promise<number>((resolve, reject) => {
      server?.stdout?.on('data', (chunk: Buffer) => {
        output += chunk;
        const m = /\{"listening":(\d+)\}/.exec(output);
        if (m) resolve(Number(m[1]));
      });
      server?.stderr?.on('data', (chunk: Buffer) => {
        output += chunk;
      });
      server?.once('exit', (code) => reject(new Error(`the bundled server exited with ${code}: ${output}`)));
    });
    base = `http://127.0.0.1:${port}`;
  }, 60_000);

  afterAll(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((r) => server?.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('bundles prom-client (the "node" condition of #prom-client), not the stand-in nor the OpenTelemetry SDK', () => {
    expect(inputs.some((f) => /node_modules\/prom-client\/index\.js$/.test(f))).toBe(true);
    expect(inputs.filter((f) => /prom-client-unavailable|sdk-trace-node/.test(f))).toEqual([]);
  });

  it('evaluates flags, records purchases and computes results on the embedded default store', async () => {
    const reference = createFlags({ bootstrap: [PRICING], trackExposures: false });
    const users = Array.from({ length: 40 }, (_, i) => `user-${i}`);
    const shown = new Map<string, string>();
    for (const user of users) {
      const response = await fetch(`${base}/variant?user=${user}`);
      expect(response.status).toBe(200);
      const { variant } = (await response.json()) as { variant: string };
      expect(variant).toBe(reference.getVariantSync(PRICING.key, user));
      shown.set(user, variant);
    }
    await reference.close();
    const buyers = users.slice(0, 10);
    for (const user of buyers) expect((await fetch(`${base}/purchase?user=${user}`, { method: 'POST' })).status).toBe(200);

    const response = await fetch(`${base}/results`);
    expect(response.status).toBe(200);
    const results = (await response.json()) as ExperimentResults;
    const price = (variant: string) =>
      (PRICING.variants?.find((v) => v.key === variant)?.value as { priceUsd?: number } | undefined)?.priceUsd ?? Number.NaN;
    for (const v of results.variants) {
      const bought = buyers.filter((u) => shown.get(u) === v.variant);
      expect(v.exposures, v.variant).toBe([...shown.values()].filter((s) => s === v.variant).length);
      expect(v.conversions, v.variant).toBe(bought.length);
      expect(v.valueSum, v.variant).toBe(bought.length * price(v.variant));
    }
    expect(results.variants.map((v) => v.variant).sort()).toEqual(['control', 'variant-a', 'variant-b']);
  });

  it("serves the Prometheus exposition with the SDK's families and prom-client's process metrics", async () => {
    const response = await fetch(`${base}/metrics`);
    const text = await response.text();
    expect(response.status, text).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(text).toMatch(/^# TYPE elite_flags_cache_hits_total counter$/m);
    expect(text).toMatch(/^# TYPE http_server_request_duration_seconds histogram$/m);
    expect(text).toMatch(/^# TYPE llm_chat_completions_total counter$/m);
    expect(text).toMatch(/^http_server_request_duration_seconds_count\{method="GET",route="\/variant",status_code="200"\} 40$/m);
    expect(text).toMatch(/^http_server_request_duration_seconds_count\{method="POST",route="\/purchase",status_code="200"\} 10$/m);
    expect(Number(/^process_resident_memory_bytes (\d+)/m.exec(text)?.[1])).toBeGreaterThan(0);
  });

  it('an ESM bundle with the createRequire banner (docs/telemetry.md) serves metrics too', async () => {
    await build({
      stdin: {
        contents: `import { telemetry } from '@tiqology/elite/telemetry';
const text = await telemetry.metrics();
console.log(JSON.stringify(text.includes('# TYPE elite_flags_cache_hits_total counter')));`,
        resolveDir: project,
        loader: 'js',
      },
      bundle: true,
      platform: 'node',
      format: 'esm',
      // prom-client is CommonJS and require()s Node built-ins, which ESM output cannot do by itself.
      banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
      outfile: join(dir, 'esm.mjs'),
      logLevel: 'silent',
    });
    expect(JSON.parse(run(process.execPath, ['esm.mjs'], dir))).toBe(true);
  });

  it('a browser build of the telemetry entry gets the stand-in: metrics() says prom-client is Node-only', async () => {
    const result = await build({
      stdin: {
        contents: `import { telemetry } from '@tiqology/elite/telemetry';
telemetry.metrics().then(() => console.log('{"loaded":true}'), (e) => console.log(JSON.stringify({ code: e.code, message: e.message })));`,
        resolveDir: project,
        loader: 'js',
      },
      bundle: true,
      platform: 'browser',
      format: 'esm',
      outfile: join(dir, 'browser.mjs'),
      metafile: true,
      logLevel: 'silent',
    });
    expect(Object.keys(result.metafile.inputs).filter((f) => /node_modules\/prom-client\//.test(f))).toEqual([]);
    const out = JSON.parse(run(process.execPath, ['browser.mjs'], dir)) as { code: string; message: string };
    expect(out.code).toBe('MISSING_DEPENDENCY');
    expect(out.message).toMatch(/^elite\/telemetry: metrics need prom-client; prom-client loads on Node\.js only/);
  });

  it('says prom-client is installed but cannot load (with the cause) when a dependency of it is missing', () => {
    // prom-client's own dependency, moved away for this test and put back.
    const tdigest = join(project, 'node_modules/tdigest');
    const aside = `${tdigest}.aside`;
    renameSync(tdigest, aside);
    try {
      const out = JSON.parse(
        run(
          process.execPath,
          [
            '--input-type=module',
            '-e',
            `import { telemetry } from '@tiqology/elite/telemetry';
telemetry.metrics().then(() => console.log('{}'), (e) => console.log(JSON.stringify({ code: e.code, message: e.message })));`,
          ],
          project,
        ),
      ) as { code?: string; message?: string };
      expect(out.code).toBe('MISSING_DEPENDENCY');
      expect(out.message).toMatch(/prom-client is installed but could not be loaded: Cannot find module 'tdigest'/);
      expect(out.message).not.toMatch(/npm install/);
    } finally {
      renameSync(aside, tdigest);
    }
  });
});
