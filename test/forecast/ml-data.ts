import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = join(import.meta.dirname, '..', 'fixtures', 'ml');

/** A reference CSV split into train and test rows of numeric features plus a target column. */
export interface MlSplit<T> {
  header: string[];
  train: { x: number[][]; y: T[] };
  test: { x: number[][]; y: T[] };
}

/** Reads `test/fixtures/ml/<name>`; `features` are the column names used as inputs. */
export function loadMl<T>(name: string, features: string[], target: string, parse: (s: string) => T): MlSplit<T> {
  const [head, ...lines] = readFileSync(join(dir, name), 'utf8').trim().split('\n');
  const header = head!.split(',');
  const cols = features.map((f) => header.indexOf(f));
  const t = header.indexOf(target);
  const s = header.indexOf('split');
  const out: MlSplit<T> = { header, train: { x: [], y: [] }, test: { x: [], y: [] } };
  for (const line of lines) {
    const cells = line.split(',');
    const part = cells[s] === 'train' ? out.train : out.test;
    part.x.push(cols.map((c) => Number(cells[c])));
    part.y.push(parse(cells[t]!));
  }
  return out;
}
