/**
 * A one-line progress bar for long commands (the demo's simulated users). Written here rather
 * than taken from cli-progress: that package brings five transitive packages into every app that
 * installs the SDK, for one bar in one command; this is 40 lines without dependencies.
 * @packageDocumentation
 */
import type { Colors } from './output.js';

/** Where the bar is drawn: stderr, so stdout stays parseable. */
export interface ProgressStream {
  /** Writes a chunk as is. */
  write(chunk: string): unknown;
  /** True on a terminal: the bar is redrawn in place; otherwise one final line is written. */
  isTTY?: boolean;
}

/** A running bar. */
export interface Progress {
  /** Advances by `n` (default 1); redraws when the shown percentage changes. */
  tick(n?: number): void;
  /** Draws 100% (or the count reached) and ends the line. Idempotent. */
  done(): void;
}

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  /** Units of work; the bar is full at `total`. Must be a whole number > 0. */
  total: number;
  /** Shown before the bar, e.g. `simulating users`. */
  label: string;
  /** Cells of the bar. Default 30. */
  width?: number;
  /** Colour functions for the bar. Default: no colour. */
  colors?: Colors;
}

/**
 * On a terminal, redraws `label [█████░░░░░] 45% 2250/5000` in place at most once per percent;
 * elsewhere (CI logs, pipes) writes only the final line, so logs are not flooded with redraws.
 */
export function createProgress(stream: ProgressStream, options: ProgressOptions): Progress {
  const { total, label } = options;
  if (!Number.isSafeInteger(total) || total <= 0) throw new RangeError(`progress: total must be a whole number > 0, got ${total}`);
  const width = options.width ?? 30;
  const tty = stream.isTTY === true;
  let count = 0;
  let shown = -1;
  let finished = false;
  const line = () => {
    const ratio = Math.min(1, count / total);
    const filled = Math.round(ratio * width);
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    return `${label} [${options.colors ? options.colors.cyan(bar) : bar}] ${String(Math.floor(ratio * 100)).padStart(3)}% ${count}/${total}`;
  };
  return {
    tick(n = 1) {
      if (finished) return;
      count = Math.min(total, count + n);
      const percent = Math.floor((100 * count) / total);
      if (tty && percent !== shown) {
        shown = percent;
        stream.write(`\r${line()}`);
      }
    },
    done() {
      if (finished) return;
      finished = true;
      stream.write(`${tty ? '\r' : ''}${line()}\n`);
    },
  };
}
