/**
 * Reading an app's price table from a JSON file (Node only: `node:fs` is loaded when called).
 */
import { EliteError, messageOf } from '../internal/errors.js';
import { importOptional } from '../internal/optional-import.js';
import { type PriceTable, priceTableProblem } from './prices.js';

/**
 * Reads a JSON price table (`{ "model-id": { "input": 2.5, "output": 10, "cachedInput": 1.25,
 * "cacheWrite": 3.125 } }`, USD per 1M tokens) to pass as `createTelemetry({ prices })`, where
 * its entries replace or extend the defaults. Rejects with `EliteError('INVALID_OPTIONS')` when
 * the file cannot be read, is not JSON, or an entry is invalid; the message names the file.
 * @example
 * const telemetry = createTelemetry({ prices: await loadPriceFile('./prices.json') });
 */
export async function loadPriceFile(path: string): Promise<PriceTable> {
  // Resolved at run time, so the Edge bundles of the entries that import this module stay free of node:fs.
  const { readFile } = (await importOptional('node:fs/promises')) as typeof import('node:fs/promises');
  let table: unknown;
  try {
    table = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new EliteError('INVALID_OPTIONS', `elite/telemetry: cannot read the price file ${path}: ${messageOf(error)}`, {
      field: 'prices',
    });
  }
  const problem = priceTableProblem(table);
  if (problem) throw new EliteError('INVALID_OPTIONS', `elite/telemetry: price file ${path}: ${problem}`, { field: 'prices' });
  return table as PriceTable;
}
