// Types of score.mjs for the TypeScript tests that import it.
import type * as forecastLib from '../../src/forecast/index.js';
import type { Scores } from '../../src/forecast/index.js';

type Lib = Pick<typeof forecastLib, 'parseCsv' | 'traffic' | 'scoreForecast'>;
type Row = Record<string, string>;

export interface Panel {
  tasks: Row[];
  anchors: Row[];
  panelOf: Map<string, string>;
  refSnaive: Map<string, number>;
  loadSeries(name: string): { ts: number[]; y: Float64Array; imputed: number[] };
}

export interface ScoreRow {
  series: string;
  task: string;
  panel: string;
  horizon: string;
  model: string;
  used?: string;
  sec: number | undefined;
  MASE: number | undefined;
  sMAPE: number | undefined;
  cov80: number | undefined;
  cov95: number | undefined;
  MSIS: number | undefined;
  wk_total_APE: number | undefined;
  relMASE: number | undefined;
}

export interface SummaryRow {
  panel: string;
  horizon: string;
  model: string;
  tasks: number;
  relMASE: number | undefined;
  MASE: number | undefined;
  sMAPE: number | undefined;
  cov80: number | undefined;
  cov95: number | undefined;
  MSIS: number | undefined;
  wk_total_APE: number | undefined;
  medianMs: number;
}

export function loadPanel(lib: Lib, dir?: string): Panel;
export function runTask(
  lib: Lib,
  panel: Panel,
  task: Row,
  model: string,
  options?: Record<string, unknown>,
): { sc: Scores; sec: number; used: string };
export function scoreRows(
  lib: Lib,
  panel: Panel,
  opts: { models: string[]; panels: string[]; options?: Record<string, unknown> },
): ScoreRow[];
export function summarize(rows: ScoreRow[], panels: string[]): SummaryRow[];
export function barFigures(
  summary: SummaryRow[],
  model?: string,
): { day: SummaryRow; week: SummaryRow; bestWeekRef: { model: string; wk_total_APE: number } | undefined } | undefined;
