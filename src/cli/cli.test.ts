import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { experimentEvents, PRICING } from '../../test/cli/events.js';
import { runCli } from '../../test/cli/in-process.js';
import { writeAll } from './commands/flags.js';
import { EXIT, redact } from './io.js';
import { COMMANDS } from './registry.js';

let cwd: string;
const cli = (args: string[], options: { env?: Record<string, string>; stdin?: string; tty?: boolean } = {}) =>
  runCli(args, { cwd, ...options });
const readFlags = () => JSON.parse(readFileSync(join(cwd, 'flags.json'), 'utf8'));

beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'elite-cli-'));
});

describe('tiqology: help, version, usage errors', () => {
  it('--help lists every command of the table and exits 0', async () => {
    const run = await cli(['--help']);
    expect(run.code).toBe(EXIT.OK);
    for (const command of COMMANDS) expect(run.stdout).toContain(`  ${command.name}`);
    expect(run.stderr).toBe('');
  });

  it('no arguments: the help on stderr, exit 2', async () => {
    const run = await cli([]);
    expect(run.code).toBe(EXIT.USAGE);
    expect(run.stderr).toContain('Usage:');
    expect(run.stdout).toBe('');
  });

  it('help <command> and <command> --help print the command help', async () => {
    const a = await cli(['help', 'flags']);
    const b = await cli(['flags', '--help']);
    expect(a.code).toBe(0);
    expect(a.stdout).toContain('tiqology flags rollout <key> <percent>');
    expect(b.stdout).toBe(a.stdout);
    expect((await cli(['help', 'nope'])).code).toBe(EXIT.USAGE);
  });

  it('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const run = await cli(['--version']);
    expect(run.stdout.trim()).toBe(pkg.version);
  });

  it.each([
    [['deploy'], /^tiqology: unknown command "deploy"; run tiqology --help\n$/],
    [['--json'], /^tiqology: a command comes first, got "--json"/],
    [['flags', 'list', '--bogus', '--file', 'f.json'], /^tiqology: flags: unknown option --bogus; run tiqology flags --help\n$/],
    [
      ['flags', 'list', '--fille', 'f.json'],
      /^tiqology: flags: unknown option --fille; did you mean --file\?; run tiqology flags --help\n$/,
    ],
    [
      ['flags', 'list', '--file'],
      /^tiqology: flags: --file needs a value \(--file <value>; one that starts with "-" is written --file=<value>\); run/,
    ],
    [['flags', 'list', '--file', '--json'], /^tiqology: flags: --file needs a value/],
    [['flags', 'list', '--json=yes', '--file', 'f.json'], /^tiqology: flags: --json takes no value; run/],
    [['flags', 'list', '-x', '--file', 'f.json'], /^tiqology: flags: unknown option -x; run/],
    [['flags'], /^tiqology: flags: a subcommand is needed/],
    [['flags', 'lst', '--file', 'f.json'], /^tiqology: flags: unknown subcommand "lst"; did you mean list\?; one of list, get/],
    [['flags', 'xyz', '--file', 'f.json'], /^tiqology: flags: unknown subcommand "xyz"; one of list, get/],
    [
      ['flags', 'list', '--file', 'missing.json'],
      /^tiqology: --file missing.json: no such file \(a first `tiqology flags set <json> --file missing.json` creates it\); run/,
    ],
    [['results', 'pricing', '--file', 'missing.json'], /^tiqology: --file missing.json: no such file/],
    [['flags', 'get', '--file', 'f.json'], /^tiqology: flags get: expected <key>, got none/],
    [['flags', 'list', 'extra', '--file', 'f.json'], /^tiqology: flags list: expected no arguments, got "extra"/],
    [['flags', 'list'], /^tiqology: no store: pass --file or --database-url or --supabase-url or set DATABASE_URL or SUPABASE_URL/],
    [['flags', 'list', '--file', 'a.json', '--database-url', 'postgres://x@h/db'], /^tiqology: choose one store: --file or --database-url/],
    [['flags', 'list', '--file', 'f.json', '--env', 'Prod!'], /^tiqology: --env must match/],
    [['flags', 'rollout', 'a', '150', '--file', 'f.json'], /^tiqology: rollout: percent must be a number from 0 to 100, got "150"/],
    [['flags', 'rollout', 'a', 'half', '--file', 'f.json'], /percent must be a number/],
    [['flags', 'set', '{}', '--if-version=-1', '--file', 'f.json'], /--if-version must be a whole number >= 0/],
    [
      ['flags', 'set', '{}', '--if-version', '-1', '--file', 'f.json'],
      /^tiqology: --if-version must be a whole number >= 0, got "-1"; run/,
    ],
    [['flags', 'get', 'a', '--if-version', '1', '--file', 'f.json'], /--if-version applies to flags set/],
    [['flags', 'list', '--database-url', 'mysql://h/db'], /--database-url must be a postgres:\/\/ or postgresql:\/\/ URL/],
    [['results', '--file', 'f.json'], /^tiqology: results: expected one flag key, got none/],
    [['results', 'pricing', '--since', 'yesterday', '--file', 'f.json'], /--since must be an ISO 8601 date or time/],
    [['results', 'pricing', '--since', '2026-02-01', '--until', '2026-01-01', '--file', 'f.json'], /--since must be before --until/],
    [['results', 'pricing', '--event', ' ', '--file', 'f.json'], /--event must not be empty/],
    [['migrate'], /^tiqology: migrate: pass --database-url or set DATABASE_URL/],
    [['migrate', 'now', '--database-url', 'postgres://h/db'], /migrate: takes no arguments/],
  ])('%j is a usage error: one line, exit 2', async (args, message) => {
    const run = await cli(args);
    expect(run.code).toBe(EXIT.USAGE);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stdout).toBe('');
  });
});

describe('tiqology flags on a flags file', () => {
  it('set (inline JSON) creates the file; list, get, rollout, enable, disable, delete read and change it', async () => {
    let run = await cli(['flags', 'set', '{"key":"new-checkout","enabled":true,"rollout":10}', '--file', 'flags.json']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^new-checkout \(production\): version 1 written \[flags\.json\]/);
    expect(readFlags().flags).toEqual([
      expect.objectContaining({ key: 'new-checkout', environment: 'production', rollout: 10, version: 1 }),
    ]);

    run = await cli(['flags', 'rollout', 'new-checkout', '50', '--file', 'flags.json']);
    expect(run.stdout).toMatch(/version 2, enabled, rollout 50%/);
    run = await cli(['flags', 'disable', 'new-checkout', '--file', 'flags.json', '--json']);
    expect(JSON.parse(run.stdout)).toMatchObject({ key: 'new-checkout', enabled: false, rollout: 50, version: 3 });
    run = await cli(['flags', 'enable', 'new-checkout', '--file', 'flags.json']);
    expect(run.stdout).toMatch(/version 4, enabled/);

    run = await cli(['flags', 'get', 'new-checkout', '--file', 'flags.json']);
    expect(JSON.parse(run.stdout)).toMatchObject({ key: 'new-checkout', enabled: true, rollout: 50, version: 4 });

    await cli(['flags', 'set', JSON.stringify(PRICING), '--file', 'flags.json']);
    run = await cli(['flags', 'list', '--file', 'flags.json']);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Key\s+State\s+Rollout\s+Variants\s+Version\s+Updated$/);
    expect(lines[2]).toMatch(/^new-checkout\s+on\s+50%\s+toggle\s+4\s+\d{4}-/);
    expect(lines[3]).toMatch(/^pricing\s+on\s+100%\s+control 50, variant-b 50\s+1\s+/);
    run = await cli(['flags', 'list', '--file', 'flags.json', '--json']);
    expect((JSON.parse(run.stdout) as { key: string }[]).map((f) => f.key)).toEqual(['new-checkout', 'pricing']);

    run = await cli(['flags', 'delete', 'new-checkout', '--file', 'flags.json']);
    expect(run.stdout).toBe('new-checkout (production): deleted [flags.json]\n');
    expect(readFlags().flags.map((f: { key: string }) => f.key)).toEqual(['pricing']);
    run = await cli(['flags', 'delete', 'pricing', '--file', 'flags.json', '--json']);
    expect(JSON.parse(run.stdout)).toEqual({ key: 'pricing', environment: 'production', deleted: true });
  });

  it('list of an empty store says so on stderr, and [] with --json', async () => {
    writeFileSync(join(cwd, 'none.json'), '{"flags": []}');
    let run = await cli(['flags', 'list', '--file', 'none.json']);
    expect(run).toMatchObject({ code: 0, stdout: '' });
    expect(run.stderr).toMatch(/no flags in environment "production"/);
    run = await cli(['flags', 'list', '--file', 'none.json', '--json']);
    expect(JSON.parse(run.stdout)).toEqual([]);
  });

  it('set reads a file, stdin, and arrays; strips version and updatedAt; keeps environments apart', async () => {
    writeFileSync(join(cwd, 'flag.json'), JSON.stringify({ key: 'a', enabled: true, version: 9, updatedAt: '2020-01-01T00:00:00Z' }));
    expect((await cli(['flags', 'set', 'flag.json', '--file', 'flags.json'])).code).toBe(0);
    const stdin = JSON.stringify([
      { key: 'b', enabled: false },
      { key: 'c', enabled: true, environment: 'staging' },
    ]);
    const run = await cli(['flags', 'set', '-', '--file', 'flags.json', '--json'], { stdin });
    expect(JSON.parse(run.stdout)).toMatchObject([
      { key: 'b', environment: 'production', version: 1 },
      { key: 'c', environment: 'staging', version: 1 },
    ]);
    const a = readFlags().flags.find((f: { key: string }) => f.key === 'a');
    expect(a.version).toBe(1);
    expect(a.updatedAt).not.toBe('2020-01-01T00:00:00Z');
    expect(JSON.parse((await cli(['flags', 'list', '--file', 'flags.json', '--env', 'staging', '--json'])).stdout)).toMatchObject([
      { key: 'c' },
    ]);
    const fromEnv = await cli(['flags', 'list', '--file', 'flags.json', '--json'], { env: { ELITE_FLAGS_ENVIRONMENT: 'staging' } });
    expect(JSON.parse(fromEnv.stdout)).toMatchObject([{ key: 'c' }]);
  });

  it('--if-version writes only over the version named (0: only a new flag)', async () => {
    expect((await cli(['flags', 'set', '{"key":"a","enabled":true}', '--if-version', '0', '--file', 'flags.json'])).code).toBe(0);
    const stale = await cli(['flags', 'set', '{"key":"a","enabled":false}', '--if-version', '0', '--file', 'flags.json']);
    expect(stale.code).toBe(EXIT.FAILURE);
    expect(stale.stderr).toMatch(/is at version 1, expected 0; read it again and retry \(VERSION_CONFLICT\)/);
    expect((await cli(['flags', 'set', '{"key":"a","enabled":false}', '--if-version', '1', '--file', 'flags.json'])).code).toBe(0);
    const many = await cli([
      'flags',
      'set',
      '[{"key":"a","enabled":true},{"key":"b","enabled":true}]',
      '--if-version',
      '2',
      '--file',
      'flags.json',
    ]);
    expect(many.code).toBe(EXIT.USAGE);
  });

  it.each([
    [['flags', 'set', '{"key":', '--file', 'flags.json'], /^tiqology: invalid JSON in the argument: /],
    [['flags', 'set', 'missing.json', '--file', 'flags.json'], /^tiqology: cannot read missing\.json: ENOENT/],
    [['flags', 'set', '[]', '--file', 'flags.json'], /^tiqology: no flag in the argument/],
    [['flags', 'set', '[1]', '--file', 'flags.json'], /^tiqology: the argument: a flag must be a JSON object/],
    [
      ['flags', 'set', '{"key":"Bad Key","enabled":true}', '--file', 'flags.json'],
      /^tiqology: elite\/flags: .*key must match.*\(INVALID_FLAG\)$/,
    ],
    [['flags', 'set', '{"key":"a","enabled":true,"rollout":120}', '--file', 'flags.json'], /rollout.*\(INVALID_FLAG\)$/],
    [
      ['flags', 'set', '[{"key":"good","enabled":true},{"key":"a","enabled":true,"rollout":120}]', '--file', 'flags.json'],
      /flag "a": rollout.*\(INVALID_FLAG\)$/,
    ],
    [
      ['flags', 'set', '{"key":"a","enabled":true,"environment":"staging"}', '--env', 'production', '--file', 'flags.json'],
      /environment "staging" differs from --env production/,
    ],
  ])('%j fails with one line and exit 1, the file untouched', async (args, message) => {
    const run = await cli(args);
    expect(run.code).toBe(EXIT.FAILURE);
    expect(run.stderr.trimEnd()).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(() => readFileSync(join(cwd, 'flags.json'))).toThrow(/ENOENT/);
  });

  it.each([
    [['flags', 'get', 'nope', '--file', 'flags.json'], /^tiqology: flag "nope" not found in environment "production"$/],
    [['flags', 'rollout', 'nope', '10', '--file', 'flags.json'], /flag "nope" not found/],
    [['flags', 'delete', 'nope', '--file', 'flags.json'], /flag "nope" not found/],
    [['results', 'nope', '--file', 'flags.json'], /"nope" is not an experiment in "production".*\(FLAG_NOT_FOUND\)$/],
  ])('%j fails with one line and exit 1, the file untouched', async (args, message) => {
    writeFileSync(join(cwd, 'flags.json'), '{ "flags": [] }\n');
    const run = await cli(args);
    expect(run.code).toBe(EXIT.FAILURE);
    expect(run.stderr.trimEnd()).toMatch(message);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(readFileSync(join(cwd, 'flags.json'), 'utf8')).toBe('{ "flags": [] }\n');
  });

  it('a missing --file is a usage error (exit 2) except for flags set, which creates it', async () => {
    for (const args of [
      ['flags', 'list'],
      ['flags', 'get', 'a'],
      ['flags', 'enable', 'a'],
      ['flags', 'delete', 'a'],
      ['results', 'a'],
    ]) {
      const run = await cli([...args, '--file', 'typo.json']);
      expect(run).toMatchObject({ code: EXIT.USAGE, stdout: '' });
      expect(run.stderr).toMatch(/^tiqology: --file typo\.json: no such file/);
    }
    expect(() => readFileSync(join(cwd, 'typo.json'))).toThrow(/ENOENT/);
    expect((await cli(['flags', 'set', '{"key":"a","enabled":true}', '--file', 'typo.json'])).code).toBe(EXIT.OK);
    expect((await cli(['flags', 'get', 'a', '--file', 'typo.json'])).code).toBe(EXIT.OK);
  });

  it('an invalid ELITE_FLAGS_ENVIRONMENT is named as such', async () => {
    writeFileSync(join(cwd, 'flags.json'), '{ "flags": [] }\n');
    const run = await cli(['flags', 'list', '--file', 'flags.json'], { env: { ELITE_FLAGS_ENVIRONMENT: 'Prod!' } });
    expect(run.code).toBe(EXIT.USAGE);
    expect(run.stderr).toMatch(/^tiqology: ELITE_FLAGS_ENVIRONMENT must match .* \(e\.g\. staging\), got "Prod!"/);
  });

  it('did you mean: a close command is suggested, a far one is not', async () => {
    expect((await cli(['forcast', 'x.csv'])).stderr).toBe(
      'tiqology: unknown command "forcast"; did you mean forecast?; run tiqology --help\n',
    );
    expect((await cli(['falgs', 'list'])).stderr).toMatch(/^tiqology: unknown command "falgs"; did you mean flags\?/);
    expect((await cli(['help', 'decid'])).stderr).toMatch(/^tiqology: unknown command "decid"; did you mean decide\?/);
    const far = await cli(['deploy']);
    expect(far).toMatchObject({ code: EXIT.USAGE, stderr: 'tiqology: unknown command "deploy"; run tiqology --help\n' });
  });

  it.each([
    ['{"flags": [', /^tiqology: flags file .*flags\.json is not valid JSON/],
    ['[]', /must be an object with a "flags" array/],
    ['{"flags": [{"key": "a"}]}', /flags\.json: flags\[0\]: elite\/flags: /],
    ['{"flags": [], "events": [{"type": "click"}]}', /events\[0\] must be an object with type "exposure" or "conversion"/],
    ['{"flags": [], "events": {}}', /events\[0\] must be an object/],
    [
      '{"flags": [{"key": "a", "environment": "production", "enabled": true}, {"key": "a", "environment": "production", "enabled": false}]}',
      /flags\[1\]: "a" \(production\) is defined twice/,
    ],
  ])('a broken flags file (%s) is reported with its path, exit 1', async (content, message) => {
    writeFileSync(join(cwd, 'flags.json'), content);
    const run = await cli(['flags', 'list', '--file', 'flags.json']);
    expect(run.code).toBe(EXIT.FAILURE);
    expect(run.stderr).toMatch(message);
    expect(readFileSync(join(cwd, 'flags.json'), 'utf8')).toBe(content);
  });

  it('an unreadable flags file (a directory) fails with exit 1; an unwritable one too', async () => {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(cwd, 'dir.json'));
    const run = await cli(['flags', 'list', '--file', 'dir.json']);
    expect(run.code).toBe(EXIT.FAILURE);
    expect(run.stderr).toMatch(/^tiqology: cannot read flags file .*dir\.json: EISDIR/);
    const write = await cli(['flags', 'set', '{"key":"a","enabled":true}', '--file', 'no/such/dir/flags.json']);
    expect(write.code).toBe(EXIT.FAILURE);
    expect(write.stderr).toMatch(/^tiqology: cannot write flags file .*flags\.json: ENOENT/);
  });

  it('keeps other top-level keys and the events of the file when it writes', async () => {
    const events = experimentEvents(3, { control: 1 });
    writeFileSync(join(cwd, 'flags.json'), JSON.stringify({ $comment: 'kept', flags: [PRICING], events }));
    await cli(['flags', 'rollout', 'pricing', '20', '--file', 'flags.json']);
    const saved = readFlags();
    expect(saved.$comment).toBe('kept');
    expect(saved.events).toEqual(events);
    expect(saved.flags[0]).toMatchObject({ key: 'pricing', rollout: 20, version: 2 });
  });
});

describe('tiqology results', () => {
  const write = (events = experimentEvents(1000, { control: 100, 'variant-b': 150 })) =>
    writeFileSync(join(cwd, 'flags.json'), JSON.stringify({ flags: [PRICING], events }));

  it('prints the table: users, conversions, rate and interval, uplift, p-value, probability, SRM, verdict', async () => {
    write();
    const run = await cli(['results', 'pricing', '--file', 'flags.json']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe('pricing (production), event any conversion [flags.json]');
    expect(lines[2]).toMatch(/^Variant\s+Users\s+Conv\.\s+Rate \[95% CI\]\s+Uplift \[95% CI\]\s+p-value\s+P\(beat ctrl\)$/);
    expect(lines[4]).toMatch(/^control\s+1000\s+100\s+10\.00% \[\d+\.\d{2}%, \d+\.\d{2}%\]\s+—\s+—\s+—$/);
    expect(lines[5]).toMatch(
      /^variant-b ★\s+1000\s+150\s+15\.00% \[\d+\.\d{2}%, \d+\.\d{2}%\]\s+\+50\.0% \[\+\d+\.\d%, \+\d+\.\d%\]\s+0\.\d{4}\s+>99\.9%$/,
    );
    expect(run.stdout).toMatch(/\nSRM: ok \(χ² 0\.00, df 1, p 1\.0000\)\n/);
    expect(run.stdout).toMatch(/\nVerdict: WINNER variant-b\n/);
  });

  it('--json gives the statistics of results() with the query', async () => {
    write();
    const run = await cli(['results', 'pricing', '--file', 'flags.json', '--json', '--event', 'purchase', '--since', '2026-01-01']);
    const json = JSON.parse(run.stdout);
    expect(json).toMatchObject({
      flagKey: 'pricing',
      environment: 'production',
      event: 'purchase',
      since: '2026-01-01T00:00:00.000Z',
      until: null,
    });
    expect(json.verdict).toBe('WINNER');
    expect(json.variants.map((v: { conversions: number }) => v.conversions)).toEqual([100, 150]);
  });

  it('--event and --since/--until filter what is counted', async () => {
    write();
    const other = await cli(['results', 'pricing', '--file', 'flags.json', '--json', '--event', 'signup']);
    expect(JSON.parse(other.stdout).variants.map((v: { conversions: number }) => v.conversions)).toEqual([0, 0]);
    const later = await cli(['results', 'pricing', '--file', 'flags.json', '--json', '--since', '2026-01-11T00:00:00Z']);
    expect(JSON.parse(later.stdout).verdict).toBe('NOT_ENOUGH_DATA');
    const text = await cli(['results', 'pricing', '--file', 'flags.json', '--since', '2026-01-01', '--until', '2026-02-01']);
    expect(text.stdout.split('\n')[0]).toBe(
      'pricing (production), event any conversion, since 2026-01-01T00:00:00.000Z, until 2026-02-01T00:00:00.000Z [flags.json]',
    );
  });

  it('flags a sample ratio mismatch and prints the warnings', async () => {
    const events = [...experimentEvents(1000, { control: 100 }), ...experimentEvents(700, { 'variant-b': 70 })];
    write(events);
    const run = await cli(['results', 'pricing', '--file', 'flags.json']);
    expect(run.stdout).toMatch(/\nSRM: MISMATCH \(χ² \d+\.\d{2}, df 1, p <0\.0001\): assignment or exposure logging is broken/);
    expect(run.stdout).toMatch(/\nVerdict: NO_WINNER_YET\n/);
  });

  it('colours only on a terminal, never with --no-color or NO_COLOR, and not in JSON', async () => {
    write();
    expect((await cli(['results', 'pricing', '--file', 'flags.json'], { tty: true, env: { FORCE_COLOR: '1' } })).stdout).toContain(
      '\u001b[',
    );
    expect((await cli(['results', 'pricing', '--file', 'flags.json'], { tty: true })).stdout).toContain('\u001b[');
    expect((await cli(['results', 'pricing', '--file', 'flags.json', '--no-color'], { tty: true })).stdout).not.toContain('\u001b[');
    expect((await cli(['results', 'pricing', '--file', 'flags.json'], { tty: true, env: { NO_COLOR: '1' } })).stdout).not.toContain(
      '\u001b[',
    );
    expect((await cli(['results', 'pricing', '--file', 'flags.json'], { env: { FORCE_COLOR: '0' }, tty: true })).stdout).not.toContain(
      '\u001b[',
    );
    expect((await cli(['results', 'pricing', '--file', 'flags.json', '--json'], { tty: true })).stdout).not.toContain('\u001b[');
  });
});

describe('errors and secrets', () => {
  it('--debug adds the stack after the one-line message', async () => {
    writeFileSync(join(cwd, 'flags.json'), '{ "flags": [] }\n');
    const plain = await cli(['flags', 'get', 'nope', '--file', 'flags.json']);
    const debug = await cli(['flags', 'get', 'nope', '--file', 'flags.json', '--debug']);
    expect(plain.stderr.split('\n')).toHaveLength(2);
    expect(debug.stderr.startsWith(plain.stderr)).toBe(true);
    expect(debug.stderr).toMatch(/\n\s+at .*flags\.ts/);
  });

  it('--debug follows the causes of a wrapped error', async () => {
    writeFileSync(join(cwd, 'flags.json'), '{"flags": [');
    const run = await cli(['flags', 'list', '--file', 'flags.json', '--debug']);
    expect(run.code).toBe(EXIT.FAILURE);
    expect(run.stderr).toMatch(/\nCaused by: SyntaxError: /);
  });

  it('a thrown non-Error is reported without its value', async () => {
    const { main } = await import('./main.js');
    const { COMMANDS: table } = await import('./registry.js');
    const spec = table.find((c) => c.name === 'migrate')!;
    const original = spec.load;
    let stderr = '';
    (spec as { load: typeof original }).load = async () => ({
      run: async () => {
        throw { toString: () => 'secret' };
      },
    });
    try {
      const code = await main(['migrate'], {
        stdout: { write: () => true },
        stderr: { write: (s: string) => (stderr += s) },
        env: {},
        cwd,
        readStdin: async () => '',
      });
      expect(code).toBe(EXIT.FAILURE);
      expect(stderr).toBe('tiqology: unknown error\n');
    } finally {
      (spec as { load: typeof original }).load = original;
    }
  });

  const refused = /^tiqology: postgres 127\.0\.0\.1:1\/app: connect ECONNREFUSED 127\.0\.0\.1:1\n$/;
  it.each([
    [['flags', 'list', '--database-url', 'postgres://app:pw-1234@127.0.0.1:1/app'], refused],
    // results() wraps the store's failure in the SDK's STORAGE_ERROR, which names the store itself.
    [
      ['results', 'pricing', '--database-url', 'postgresql://app:pw-1234@127.0.0.1:1/app'],
      /^tiqology: elite\/flags: .*postgres storage: connect ECONNREFUSED 127\.0\.0\.1:1 \(STORAGE_ERROR\)\n$/,
    ],
    [['migrate', '--database-url', 'postgres://app:pw-1234@127.0.0.1:1/app'], refused],
    [['migrate'], refused],
  ])('%j on a database that refuses the connection: exit 1, the store named, no password', async (args, message) => {
    // Nothing listens on port 1 of the loopback: the connection is refused at once.
    const run = await cli(args, { env: { DATABASE_URL: 'postgres://app:pw-1234@127.0.0.1:1/app' } });
    expect(run.code).toBe(EXIT.FAILURE);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toContain('pw-1234');
  });

  it('redact() hides URL passwords and the secrets it is given', () => {
    expect(redact('connect postgres://app:s3cr%40t@db:5432/x failed')).toBe('connect postgres://app:***@db:5432/x failed');
    expect(redact('https://u:p@h and postgresql://v:w@k/')).toBe('https://u:***@h and postgresql://v:***@k/');
    expect(redact('key eyJhbGciOi.xyz in text', ['eyJhbGciOi.xyz'])).toBe('key *** in text');
    expect(redact('abc', ['ab', undefined])).toBe('abc');
  });
});

describe('flags set: a batch is all or none', () => {
  it("uses the store's writeFlags when it has one, writeFlag one by one otherwise", async () => {
    const calls: string[] = [];
    const stored = (f: { key: string; environment: string }) => ({ ...f, version: 1, updatedAt: '2026-01-01T00:00:00.000Z' });
    const base = {
      writeFlag: async (f: { key: string; environment: string }) => {
        calls.push(`writeFlag ${f.key}`);
        return stored(f);
      },
    };
    const flags = [
      { key: 'a', environment: 'production', enabled: true },
      { key: 'b', environment: 'production', enabled: false },
    ];
    const batch = {
      ...base,
      writeFlags: async (list: { key: string; environment: string }[], options?: { updatedBy?: string }) => {
        calls.push(`writeFlags ${list.map((f) => f.key).join(',')} by ${options?.updatedBy}`);
        return list.map(stored);
      },
    };
    // biome-ignore lint/suspicious/noExplicitAny: a structural fake of the store
    expect(await writeAll(batch as any, flags, { updatedBy: 'me' })).toHaveLength(2);
    expect(calls).toEqual(['writeFlags a,b by me']);
    calls.length = 0;
    // biome-ignore lint/suspicious/noExplicitAny: a structural fake of the store
    await writeAll(base as any, flags, { updatedBy: 'me' });
    expect(calls).toEqual(['writeFlag a', 'writeFlag b']);
  });
});
