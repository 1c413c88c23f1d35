/**
 * The plan file of `tiqology rollout run`: a rollout plan (steps, minimum time and sample per
 * step, guardrails) and where its figures come from (`prometheus`: the URL and, when the app does
 * not export the SDK's standard metric names, its own; not needed when every guardrail is an
 * experiment metric, which the store computes). The flag and environment come from the
 * command line. Everything is checked before the store is opened.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { PrometheusSourceOptions, RolloutPlan } from '@tiqology/elite/rollouts';
import { CliError, type CliIo, usageError } from './io.js';

/** A plan file once read: the plan for the flag, and the Prometheus source's options. */
export interface PlanFile {
  /** The plan, with the command line's flag and environment. */
  plan: RolloutPlan;
  /** How to query Prometheus; absent when every guardrail is an experiment metric (read from the store). */
  prometheus?: PrometheusSourceOptions;
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** `90s`, `10m`, `1h`, `500ms` → ms; undefined when it is not a duration. */
export function parseDuration(value: string): number | undefined {
  const match = DURATION.exec(value.trim());
  if (match === null) return undefined;
  return Number(match[1]) * (UNIT_MS[match[2] as string] as number);
}

/** Reads and checks a plan file. `CliError` (exit 1) naming the file and the field for bad content. */
export async function readPlanFile(
  path: string,
  io: CliIo,
  flagKey: string,
  environment: string,
  prometheusUrl?: string,
): Promise<PlanFile> {
  let text: string;
  try {
    text = await readFile(resolve(io.cwd, path), 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${(error as Error).message}`, 1, { cause: error });
  }
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new CliError(`invalid JSON in ${path}: ${(error as Error).message}`, 1, { cause: error });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new CliError(`${path}: a plan must be a JSON object { steps, guardrails, prometheus, … }`);
  const { prometheus: fromFile, minStep, flagKey: fileKey, environment: fileEnv, ...rest } = parsed;
  // --prometheus-url (a CI secret) fills or replaces the file's url.
  const prometheus =
    prometheusUrl === undefined ? fromFile : { ...(fromFile !== null && typeof fromFile === 'object' ? fromFile : {}), url: prometheusUrl };
  if (fileKey !== undefined && fileKey !== flagKey)
    throw new CliError(`${path}: flagKey "${String(fileKey)}" differs from the argument ${flagKey}`);
  if (fileEnv !== undefined && fileEnv !== environment)
    throw new CliError(`${path}: environment "${String(fileEnv)}" differs from the command's environment ${environment} (--env)`);
  const plan = { ...rest, flagKey, environment } as unknown as RolloutPlan;
  if (minStep !== undefined) {
    const ms = typeof minStep === 'string' ? parseDuration(minStep) : undefined;
    if (ms === undefined)
      throw new CliError(`${path}: minStep must be a duration like "10m", "90s" or "1h", got ${JSON.stringify(minStep)}`);
    plan.minStepMs = ms;
  }
  // Experiment-metric guardrails read the store; request guardrails need Prometheus.
  const storeOnly =
    Array.isArray(plan.guardrails) &&
    plan.guardrails.length > 0 &&
    plan.guardrails.every((g) => g !== null && typeof g?.metric === 'object');
  if (prometheus === undefined && storeOnly) return { plan };
  if (prometheus === null || typeof prometheus !== 'object' || typeof (prometheus as { url?: unknown }).url !== 'string')
    throw new CliError(`${path}: prometheus must be an object with the server's url, e.g. { "url": "http://prometheus:9090" }`);
  const source = prometheus as PrometheusSourceOptions;
  return { plan, prometheus: source };
}

/** `--interval`: a duration of at least 1 s; default 60 s. */
export function parseInterval(value: unknown): number {
  if (value === undefined) return 60_000;
  const ms = typeof value === 'string' ? parseDuration(value) : undefined;
  if (ms === undefined || ms < 1_000)
    throw usageError(`--interval must be a duration of at least 1s, like 30s, 5m or 1h, got "${String(value)}"`);
  return ms;
}
