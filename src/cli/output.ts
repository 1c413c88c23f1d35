import { createColors } from 'picocolors';
import type { CliIo } from './io.js';

/** The colour functions of picocolors (identity functions when colour is off). */
export type Colors = ReturnType<typeof createColors>;

/** How a command writes: human text or JSON, with or without colour. */
export interface Output {
  /** `--json` was given: print one JSON document on stdout and nothing else there. */
  readonly json: boolean;
  /** Colour functions; identity functions when colour is off. */
  readonly colors: Colors;
  /** Writes a line of text to stdout. */
  line(text?: string): void;
  /** Writes a value as JSON (two-space indent) to stdout. */
  data(value: unknown): void;
  /** Writes a line to stderr (notes, warnings): stdout stays parseable. */
  note(text: string): void;
}

/**
 * Colour is on when stdout is a terminal, unless `--no-color`, `NO_COLOR` or `TERM=dumb`;
 * `FORCE_COLOR` (not `0`) turns it on for pipes. JSON output is never coloured.
 */
export function colorEnabled(io: CliIo, noColor: boolean): boolean {
  const { env } = io;
  if (noColor || (env.NO_COLOR !== undefined && env.NO_COLOR !== '') || env.TERM === 'dumb') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0';
  return io.stdout.isTTY === true;
}

/** The {@link Output} of a command run. */
export function createOutput(io: CliIo, options: { json: boolean; color: boolean }): Output {
  const colors = createColors(options.color && !options.json);
  return {
    json: options.json,
    colors,
    line: (text = '') => io.stdout.write(`${text}\n`),
    data: (value) => io.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    note: (text) => io.stderr.write(`${text}\n`),
  };
}
