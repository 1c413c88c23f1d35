/**
 * Vitest global setup: the test run's temporary files go under one directory of its own
 * (`TMPDIR`, which `os.tmpdir()` reads in the test workers and in the CLI processes the tests
 * spawn), removed when the run ends, so the many `mkdtempSync` directories of the suites do not
 * pile up in the machine's temporary directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup() {
  const previous = process.env.TMPDIR;
  const scratch = mkdtempSync(join(tmpdir(), 'elite-test-run-'));
  process.env.TMPDIR = scratch;
  return () => {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
    rmSync(scratch, { recursive: true, force: true });
  };
}
