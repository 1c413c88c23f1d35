/**
 * The command table of `tiqology`: each command's name, one-line summary, `--help` text, options
 * and a lazy `load()` of its implementation under `commands/`. `main()` reads only this table at
 * startup; the commands themselves import their contract from `context.ts`, never from here.
 * @packageDocumentation
 */
import type { CommandModule } from './context.js';
import { TIME_COLUMNS, VALUE_COLUMNS } from './csv-input.js';
import type { OptionSpec } from './io.js';
import { STORE_HELP, STORE_OPTIONS } from './stores.js';

export type { OptionSpec } from './io.js';

/** One entry of the command table. */
export interface CommandSpec {
  /** The word after `tiqology` that runs it. */
  name: string;
  /** One line for `tiqology --help`. */
  summary: string;
  /** The text of `tiqology <name> --help`: usage lines, arguments, options, examples. */
  help: string;
  /** Options beyond the global ones. */
  options?: Record<string, OptionSpec>;
  /** Imports the implementation; only the command that runs is loaded, so `--help` stays fast. */
  load(): Promise<CommandModule>;
}

/** Options every command takes. */
export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  debug: { type: 'boolean' },
  'no-color': { type: 'boolean' },
};

const COMMON_HELP = `Common options:
  --json                  machine-readable output on stdout
  --debug                 print stack traces of failures
  --no-color              plain text (also NO_COLOR=1)
  -h, --help              this help`;

/**
 * The command table. Adding a command is one entry here plus its module under `commands/`;
 * `--help`, dispatch and option parsing pick it up from this table.
 */
export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'flags',
    summary: 'list, read, write, roll out, enable, disable and delete flags; their history and types',
    help: `Usage:
  tiqology flags list                         every flag of the environment
  tiqology flags get <key>                    one flag's stored definition
  tiqology flags set <json | file | ->        create or replace a flag (validated first)
  tiqology flags rollout <key> <percent>      set the share of users included, 0-100
  tiqology flags enable <key>                 turn the kill switch on
  tiqology flags disable <key>                turn the kill switch off (serves the default)
  tiqology flags delete <key>                 remove the flag
  tiqology flags history <key>                who changed the flag, when, and what (newest first)
  tiqology flags types [--out <file.d.ts>]    TypeScript types of the flags' keys, variants and values

${STORE_HELP}

Options of set:
  --if-version <n>        write only if the stored version is n (0: only if new)

Options of history:
  --limit <n>             at most n changes, 1-1000 (default 20)

Options of types:
  --out <file.d.ts>       write the declaration there (default: print it)
  --react                 type the hooks of @tiqology/elite/react too (apps with React)

${COMMON_HELP}

Examples:
  tiqology flags set '{"key":"new-checkout","enabled":true,"rollout":10}' --file flags.json
  tiqology flags rollout new-checkout 50 --database-url "$DATABASE_URL"`,
    options: {
      ...STORE_OPTIONS,
      'if-version': { type: 'string' },
      limit: { type: 'string' },
      out: { type: 'string' },
      react: { type: 'boolean' },
    },
    load: () => import('./commands/flags.js'),
  },
  {
    name: 'results',
    summary: 'results of an experiment: rates, uplift, p-value, SRM check, verdict; metric analysis',
    help: `Usage:
  tiqology results <flag> [--event <name>] [--since <time>] [--until <time>]
  tiqology results <flag> --metric <spec>... [--ratio <spec>...] [--goal <key>] [--guardrail <key>...]
                          [--engine frequentist|bayesian] [--sequential] [--correction holm|bh|none]
                          [--cuped] [--svg <file>]

Arguments:
  <flag>                  key of a flag with variants

Options:
  --event <name>          count only this conversion event (default: every conversion)
  --since <time>          ISO 8601 date or time, inclusive
  --until <time>          ISO 8601 date or time, exclusive

Metric analysis (repeat --metric, --ratio and --guardrail for more):
  --metric KEY:KIND:EVENT[:OPTION...]
                          KIND binomial (converted or not) or mean (value per user);
                          OPTION count (count events rather than sum values), decrease
                          (lower is better), cuped
  --ratio KEY:NUM/DEN[:OPTION...]
                          sum of NUM event values over sum of DEN's; OPTION num-count,
                          den-count (count that side's events), decrease, cuped
  --goal <key>            the metric that decides (default: the first)
  --guardrail <key>       a metric that must not get significantly worse; others are secondary
  --engine <name>         frequentist (default: p-values) or bayesian (chance to win)
  --sequential            intervals valid however often you look (frequentist)
  --correction <name>     holm (Holm-Bonferroni, default for several comparisons), bh
                          (Benjamini-Hochberg) or none
  --cuped                 CUPED on every mean and ratio metric (pre-exposure adjustment)
  --svg <file>            also write the intervals as an SVG chart

${STORE_HELP}

${COMMON_HELP}

Examples:
  tiqology results checkout --metric revenue:mean:purchase --metric errors:binomial:error:decrease \\
    --guardrail errors --sequential --database-url "$DATABASE_URL"
  tiqology results checkout --ratio order-value:purchase/purchase:den-count --engine bayesian --svg checkout.svg`,
    options: {
      ...STORE_OPTIONS,
      event: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      metric: { type: 'string', multiple: true },
      ratio: { type: 'string', multiple: true },
      goal: { type: 'string', multiple: true },
      guardrail: { type: 'string', multiple: true },
      engine: { type: 'string' },
      sequential: { type: 'boolean' },
      correction: { type: 'string' },
      cuped: { type: 'boolean' },
      svg: { type: 'string' },
    },
    load: () => import('./commands/results.js'),
  },
  {
    name: 'migrate',
    summary: 'create or upgrade the PostgreSQL tables (safe to run at every deploy)',
    help: `Usage:
  tiqology migrate --database-url <url>

Options:
  --database-url <url>    PostgreSQL (default: $DATABASE_URL); needs the pg package

${COMMON_HELP}`,
    options: { 'database-url': { type: 'string' } },
    load: () => import('./commands/migrate.js'),
  },
  {
    name: 'rollout',
    summary: 'guarded rollouts: advance a flag step by step while its guardrails hold, roll back when harmed',
    help: `Usage:
  tiqology rollout run <key> --plan <plan.json> [--prometheus-url <url>] [--interval 60s] [--once] [--enable]
  tiqology rollout resume <key>              clear a rollback so that run may start again

run checks the flag's guardrails (from Prometheus, as the plan file says, and experiment metrics
from the store) every --interval and advances, holds, completes or rolls back; it stops at
complete or rollback. A dry run unless --enable: decisions are printed, nothing is written. The
plan file holds steps, minStep ("10m") or minStepMs, minSamplePerStep, guardrails, onHarm, alpha,
treatmentVariants, and prometheus { url, selector?, treatmentVariants?, metrics? } (see
docs/rollouts.md); prometheus may be left out when every guardrail is an experiment metric.

Options of run:
  --plan <file>           the plan file (JSON)
  --prometheus-url <url>  Prometheus's base URL, in place of the plan's prometheus.url (a CI secret)
  --interval <span>       time between checks: 30s, 5m, 1h (default 60s)
  --once                  one check, then exit (a scheduled job); the exit code says the action
  --enable                write the decisions to the store (default: dry run)

Exit codes of run: 0 advance, 3 hold, 4 complete, 5 rollback (1 failure, 2 usage).

${STORE_HELP}

${COMMON_HELP}

Examples:
  tiqology rollout run new-checkout --plan rollout.json --database-url "$DATABASE_URL" --enable
  tiqology rollout run new-checkout --plan rollout.json --once --enable   # every 10 minutes from cron
  tiqology rollout resume new-checkout --database-url "$DATABASE_URL"`,
    options: {
      ...STORE_OPTIONS,
      plan: { type: 'string' },
      'prometheus-url': { type: 'string' },
      interval: { type: 'string' },
      once: { type: 'boolean' },
      enable: { type: 'boolean' },
    },
    load: () => import('./commands/rollout.js'),
  },
  {
    name: 'forecast',
    summary: 'forecast a traffic series from a CSV file, with intervals and an SVG chart',
    help: `Usage:
  tiqology forecast <csv | -> [--horizon 24h] [--column <name>] [--time-column <name>] [--svg <file>]

Arguments:
  <csv>                   a CSV file with a header row (- for standard input)

Options:
  --horizon <span>        how far ahead: 24h, 90m, 7d, 1w or a number of hours (default 24h)
  --column <name>         the value column (default: the first of ${VALUE_COLUMNS.join(', ')})
  --time-column <name>    the timestamp column (default: the first of ${TIME_COLUMNS.join(', ')})
  --model <name>          auto (default), seasonal-naive-day, seasonal-naive-week, seasonal-mean,
                          prophet, mstl-ets, lag-regression, seasonal-median,
                          seasonal-mean-8w or seasonal-median-level
  --svg <file>            also write the chart as SVG

${COMMON_HELP}

Examples:
  tiqology forecast requests.csv --horizon 48h --svg forecast.svg
  tiqology forecast load.csv --column rps --time-column minute --json`,
    options: {
      horizon: { type: 'string' },
      column: { type: 'string' },
      'time-column': { type: 'string' },
      model: { type: 'string' },
      svg: { type: 'string' },
    },
    load: () => import('./commands/forecast.js'),
  },
  {
    name: 'decide',
    summary: 'scale up, down or keep, from a load history in a CSV file; the 7-day cost forecast',
    help: `Usage:
  tiqology decide <csv | -> --capacity <n> [--horizon 24h] [--cost-column <name>]
  tiqology decide <csv | -> --policy learned [--cost-column <name>]

Arguments:
  <csv>                   a CSV file with a header row (- for standard input)

Options:
  --policy <name>         forecast (default): forecast the load and compare it with --capacity;
                          learned: the shipped random forest (trained on the benchmark panel) on the
                          forecast's direction, recent changes and the calendar; needs no capacity,
                          one week and one hour of history or more
  --capacity <n>          the load the current fleet handles at 100%, in the column's unit
  --horizon <span>        the window the forecast policy looks at (default 24h)
  --column <name>         the load column (default: the first of ${VALUE_COLUMNS.join(', ')})
  --time-column <name>    the timestamp column (default: the first of ${TIME_COLUMNS.join(', ')})
  --cost-column <name>    also forecast this cost column (USD per step) 7 days ahead, with the load as driver

${COMMON_HELP}

Examples:
  tiqology decide requests.csv --capacity 60000 --cost-column cost_usd
  tiqology decide requests.csv --policy learned --json`,
    options: {
      policy: { type: 'string' },
      capacity: { type: 'string' },
      horizon: { type: 'string' },
      column: { type: 'string' },
      'time-column': { type: 'string' },
      'cost-column': { type: 'string' },
    },
    load: () => import('./commands/decide.js'),
  },
  {
    name: 'prices',
    summary: 'the LLM price table telemetry prices completions with, dated per provider',
    help: `Usage:
  tiqology prices [--provider <name>] [--file <prices.json>]
  tiqology prices --model <id> [--file <prices.json>]

Lists the price table (USD per 1M tokens: input, cached input, cache write, output) and the date
each provider's prices were read. A model id with a version suffix (gpt-4o-2024-08-06,
claude-3-5-sonnet-20241022) is priced by the longest entry it starts with; --model shows which.

Options:
  --provider <name>       only this provider's entries (openai, anthropic, gcp.gemini, app)
  --file <prices.json>    an app's JSON price table laid over the defaults, as loadPriceFile reads it
  --model <id>            which entry prices this model id (exit 1 when none)

${COMMON_HELP}

Examples:
  tiqology prices --provider anthropic
  tiqology prices --model gpt-4o-mini-2024-07-18 --file prices.json`,
    options: { provider: { type: 'string' }, file: { type: 'string' }, model: { type: 'string' } },
    load: () => import('./commands/prices.js'),
  },
  {
    name: 'studio',
    summary: 'a local web page for flags, experiments and forecasts, on the store the options name',
    help: `Usage:
  tiqology studio [--port 0] [--host 127.0.0.1] [--plans <dir>] [--prometheus-url <url>]

Serves a web page on 127.0.0.1 until Ctrl-C: the flags of an environment (search, kill switch,
rollout, variants' weights, rules and segments, a diff before saving, conflicts shown, history,
the guarded rollout's timeline), experiments' results (the numbers of tiqology results --json)
and forecasts of a CSV (chart with bands, scaling decision, 7-day cost). Nothing is reachable
from other machines unless --host says so; then every request needs an access token, taken
from TIQOLOGY_STUDIO_TOKEN or made at random and printed.

Options:
  --port <n>              port (default 0: any free port; the address is printed)
  --host <address>        address to bind (default 127.0.0.1); another than loopback needs the token
  --plans <dir>           guarded-rollout plan files, <flag>.json (as rollout run --plan reads
                          them), shown on their flag's page
  --prometheus-url <url>  the telemetry's Prometheus, for forecasts of a PromQL query

${STORE_HELP}

${COMMON_HELP}

Examples:
  tiqology studio --file flags.json
  tiqology studio --database-url "$DATABASE_URL" --port 4983
  TIQOLOGY_STUDIO_TOKEN=$(openssl rand -hex 16) tiqology studio --host 0.0.0.0 --database-url "$DATABASE_URL"`,
    options: {
      ...STORE_OPTIONS,
      port: { type: 'string' },
      host: { type: 'string' },
      plans: { type: 'string' },
      'prometheus-url': { type: 'string' },
    },
    load: () => import('./commands/studio.js'),
  },
  {
    name: 'demo',
    summary: 'the whole product on the embedded store: flags, an experiment, metrics, forecast (no services)',
    help: `Usage:
  tiqology demo [--users 6000] [--seed 42] [--port 0] [--svg tiqology-demo-forecast.svg] [--keep-serving]

Defines a toggle, a progressive rollout and a three-variant pricing experiment on the memory store,
simulates users through them (seeded: the same numbers every run), prints the experiment's results,
serves Prometheus metrics on 127.0.0.1 while it runs, forecasts a bundled real traffic series 24 h
ahead with the scaling decision and the 7-day cost forecast, and writes the forecast chart as SVG.

Options:
  --users <n>             simulated users, 100 to 1000000 (default 6000)
  --seed <n>              seed of the simulation (default 42)
  --port <n>              port of the metrics server on 127.0.0.1 (default 0: any free port)
  --svg <file>            where to write the chart (default tiqology-demo-forecast.svg)
  --keep-serving          keep serving the metrics after the demo, until Ctrl-C

${COMMON_HELP}`,
    options: {
      users: { type: 'string' },
      seed: { type: 'string' },
      port: { type: 'string' },
      svg: { type: 'string' },
      'keep-serving': { type: 'boolean' },
    },
    load: () => import('./commands/demo.js'),
  },
];

/** The command of that name, or undefined. */
export const findCommand = (name: string): CommandSpec | undefined => COMMANDS.find((c) => c.name === name);
