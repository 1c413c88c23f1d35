// Types of scaling-policy.mjs for the TypeScript tests that import it.
import type * as forecastLib from '../../src/forecast/index.js';
import type { Panel } from './score.mjs';

type Lib = typeof forecastLib;
type Decision = 'SCALE_UP' | 'SCALE_DOWN' | 'MAINTAIN';

export const FOREST: Record<string, unknown>;
export function scalingSeries(panel: Panel): string[];
export function weekOf(ms: number): number;
export function heldOutWeeks(name: string, timestamps: number[]): Set<number>;
export function forecastDecision(lib: Lib, s: { ts: number[]; y: Float64Array }, i: number): Decision;
