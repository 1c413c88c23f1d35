/**
 * The metric options of `tiqology results` read into the `analysis` option of `results()`:
 * `--metric KEY:KIND:EVENT[:OPTION…]`, `--ratio KEY:NUM/DEN[:OPTION…]`, `--goal`, `--guardrail`,
 * `--engine`, `--sequential`, `--correction`, `--cuped`. Pure; every mistake is a usage error
 * (exit 2) that shows what to type.
 * @packageDocumentation
 */
import type { ResultsOptions } from '@tiqology/elite';
import type { MetricDefinition, PValueCorrection } from '@tiqology/elite/experiments';
import { usageError } from './io.js';
import { didYouMean } from './suggest.js';

/** The `analysis` option of `results()`. */
export type AnalysisOption = NonNullable<ResultsOptions['analysis']>;

const KINDS = ['binomial', 'mean'] as const;
const METRIC_OPTIONS = ['value', 'count', 'decrease', 'cuped'] as const;
const RATIO_OPTIONS = ['num-count', 'den-count', 'decrease', 'cuped'] as const;
const ENGINES = ['frequentist', 'bayesian'] as const;
const CORRECTIONS: Record<string, PValueCorrection> = { holm: 'holm-bonferroni', bh: 'benjamini-hochberg', none: 'none' };
const METRIC_SYNTAX = 'KEY:KIND:EVENT[:OPTION…] (e.g. revenue:mean:purchase, errors:binomial:error:decrease)';
const RATIO_SYNTAX = 'KEY:NUMERATOR/DENOMINATOR[:OPTION…] (e.g. order-value:purchase/purchase:den-count)';

/** The option values `results` reads here, as `parseArgs` gives them. */
type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

const list = (value: Values[string]): string[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter((v): v is string => typeof v === 'string');

function options(given: string[], known: readonly string[], flag: string, spec: string): Set<string> {
  for (const option of given) {
    if (!known.includes(option))
      throw usageError(`${flag} ${spec}: unknown option "${option}"${didYouMean(option, known)} (options: ${known.join(', ')})`);
  }
  return new Set(given);
}

function checkKey(key: string | undefined, flag: string, spec: string, syntax: string): string {
  if (key === undefined || !/^[A-Za-z0-9][\w.-]*$/.test(key))
    throw usageError(`${flag} ${spec}: the metric key must be letters, digits, ".", "_" or "-"; write ${flag} ${syntax}`);
  return key;
}

function checkEvent(event: string | undefined, flag: string, spec: string, syntax: string): string {
  if (event === undefined || event.trim() === '') throw usageError(`${flag} ${spec}: the event name is missing; write ${flag} ${syntax}`);
  return event;
}

/** `--metric revenue:mean:purchase[:count][:decrease][:cuped]`. */
export function parseMetric(spec: string): MetricDefinition {
  const [key, kind, event, ...rest] = spec.split(':');
  checkKey(key, '--metric', spec, METRIC_SYNTAX);
  if (kind === 'ratio') throw usageError(`--metric ${spec}: ratio metrics take --ratio ${RATIO_SYNTAX}`);
  if (!KINDS.includes(kind as (typeof KINDS)[number]))
    throw usageError(
      `--metric ${spec}: KIND must be binomial or mean, got "${kind ?? ''}"${didYouMean(kind ?? '', KINDS)}; write --metric ${METRIC_SYNTAX}`,
    );
  const set = options(rest, METRIC_OPTIONS, '--metric', spec);
  if (set.has('value') && set.has('count')) throw usageError(`--metric ${spec}: choose value or count, not both`);
  const definition: MetricDefinition = {
    key: key as string,
    kind: kind as 'binomial' | 'mean',
    source: { event: checkEvent(event, '--metric', spec, METRIC_SYNTAX) },
  };
  if (set.has('count')) definition.source.aggregate = 'count';
  if (set.has('value')) definition.source.aggregate = 'value';
  if (set.has('decrease')) definition.direction = 'decrease';
  if (set.has('cuped')) {
    if (kind === 'binomial') throw usageError(`--metric ${spec}: CUPED applies to mean and ratio metrics only`);
    definition.cuped = true;
  }
  return definition;
}

/** `--ratio order-value:purchase/purchase[:num-count][:den-count][:decrease][:cuped]`. */
export function parseRatio(spec: string): MetricDefinition {
  const colon = spec.indexOf(':');
  const key = checkKey(colon < 0 ? undefined : spec.slice(0, colon), '--ratio', spec, RATIO_SYNTAX);
  const [fraction = '', ...rest] = spec.slice(colon + 1).split(':');
  const [numerator, denominator, ...extra] = fraction.split('/');
  if (denominator === undefined || extra.length > 0)
    throw usageError(`--ratio ${spec}: write the events as NUMERATOR/DENOMINATOR; --ratio ${RATIO_SYNTAX}`);
  const set = options(rest, RATIO_OPTIONS, '--ratio', spec);
  const definition: MetricDefinition = {
    key,
    kind: 'ratio',
    source: { event: checkEvent(numerator, '--ratio', spec, RATIO_SYNTAX) },
    denominator: { event: checkEvent(denominator, '--ratio', spec, RATIO_SYNTAX) },
  };
  if (set.has('num-count')) definition.source.aggregate = 'count';
  if (set.has('den-count') && definition.denominator) definition.denominator.aggregate = 'count';
  if (set.has('decrease')) definition.direction = 'decrease';
  if (set.has('cuped')) definition.cuped = true;
  return definition;
}

function oneOf<T extends string>(value: Values[string], name: string, known: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  if (!known.includes(text as T)) throw usageError(`--${name} must be ${known.join(' or ')}, got "${text}"${didYouMean(text, known)}`);
  return text as T;
}

const ANALYSIS_FLAGS = ['goal', 'guardrail', 'engine', 'sequential', 'correction', 'cuped'] as const;

/**
 * The `analysis` option the command line asks for, or undefined without `--metric`/`--ratio`.
 * The goal is `--goal` (default: the first metric); `--guardrail` metrics must not get worse; the
 * others are secondary. `--cuped` turns CUPED on for every mean and ratio metric.
 */
export function parseAnalysisOptions(values: Values): AnalysisOption | undefined {
  const metrics = [...list(values.metric).map(parseMetric), ...list(values.ratio).map(parseRatio)];
  if (metrics.length === 0) {
    const stray = ANALYSIS_FLAGS.find(
      (f) => values[f] !== undefined && values[f] !== false && list(values[f]).length + (values[f] === true ? 1 : 0) > 0,
    );
    if (stray !== undefined) throw usageError(`--${stray} needs metrics: add --metric ${METRIC_SYNTAX} or --ratio ${RATIO_SYNTAX}`);
    return undefined;
  }
  const keys = metrics.map((m) => m.key);
  const duplicate = keys.find((k, i) => keys.indexOf(k) !== i);
  if (duplicate !== undefined) throw usageError(`metric "${duplicate}" is defined twice: give each --metric/--ratio its own KEY`);
  const known = (key: string, flag: string) => {
    if (!keys.includes(key)) throw usageError(`--${flag} ${key}: no such metric${didYouMean(key, keys)} (metrics: ${keys.join(', ')})`);
    return key;
  };
  const goalValue = list(values.goal);
  if (goalValue.length > 1) throw usageError('--goal may be given once: one metric decides');
  const goal = known(goalValue[0] ?? (keys[0] as string), 'goal');
  const guardrails = list(values.guardrail).map((k) => known(k, 'guardrail'));
  if (guardrails.includes(goal)) throw usageError(`--guardrail ${goal}: it is the goal; a metric plays one part`);
  const engine = oneOf(values.engine, 'engine', ENGINES) ?? 'frequentist';
  const correctionName = oneOf(values.correction, 'correction', Object.keys(CORRECTIONS));
  if (values.sequential === true && engine === 'bayesian') throw usageError('--sequential applies to --engine frequentist only; drop one');
  if (values.cuped === true) for (const m of metrics) if (m.kind !== 'binomial') m.cuped = true;
  const analysis: AnalysisOption = { metrics, goal, engine };
  const secondary = keys.filter((k) => k !== goal && !guardrails.includes(k));
  if (secondary.length > 0) analysis.secondary = secondary;
  if (guardrails.length > 0) analysis.guardrails = guardrails;
  if (values.sequential === true) analysis.sequential = true;
  if (correctionName !== undefined) analysis.correction = CORRECTIONS[correctionName] as PValueCorrection;
  return analysis;
}
