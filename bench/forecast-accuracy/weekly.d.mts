// Types of weekly.mjs for the TypeScript tests that import it.
import type { Panel, ScoreRow, SummaryRow } from './score.mjs';

type Lib = Parameters<typeof import('./score.mjs').scoreRows>[0];
type Row = Record<string, string>;

export function splitSeries(panel: Panel, panelName: string, tier: string): { tune: string[]; holdout: string[] };
export function weeklyTasks(
  panel: Panel,
  panelName: string,
  opts?: { spacing?: number; maxOrigins?: number; minTrain?: number; maxTrain?: number },
): Row[];
export function scoreTasks(
  lib: Lib,
  panel: Panel,
  tasks: Row[],
  opts: { models: string[]; label: string; options?: Record<string, unknown> },
): ScoreRow[];
export const WEEK_MODELS: string[];
export function weekAheadSummary(
  lib: Lib,
  panel: Panel,
  models?: string[],
  options?: Record<string, unknown>,
): { split: { tune: string[]; holdout: string[] }; tasks: Row[]; rows: ScoreRow[]; summary: SummaryRow[] };
export function shortSummary(
  lib: Lib,
  panel: Panel,
  models?: string[],
  options?: Record<string, unknown>,
): {
  split: { tune: string[]; holdout: string[] };
  rows: (ScoreRow & { fallback?: string })[];
  summary: (SummaryRow & { fallbackShare?: number })[];
};
