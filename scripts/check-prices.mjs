// Cross-checks the default LLM price table (dist/telemetry.js, `npm run build` first) against the
// dated price data of the @pydantic/genai-prices package: for every entry, the package's price of
// the same model id (standard tier, the first tier of tiered prices) must equal ours for input,
// cache reads, cache writes and output. Prints one line per entry; exits 1 on a difference or an
// entry the package does not know.
//
//   node scripts/check-prices.mjs [--module=<path to @pydantic/genai-prices>]
//
// The package is not a dependency: install it anywhere (e.g. `npm i @pydantic/genai-prices` in a
// scratch directory) and pass its folder with --module.

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const option = process.argv.find((a) => a.startsWith('--module='));
const specifier = option === undefined ? '@pydantic/genai-prices' : pathToFileURL(join(option.slice(9), 'dist', 'index.js')).href;
const { calcPrice } = await import(specifier);
const dist = join(root, 'dist', 'telemetry.js');
if (!existsSync(dist)) {
  console.error('check-prices: dist/telemetry.js is missing: run npm run build first');
  process.exit(2);
}
const { DEFAULT_PRICES } = await import(pathToFileURL(dist).href);

// Our provider names → the package's provider ids.
const PROVIDERS = { openai: 'openai', anthropic: 'anthropic', 'gcp.gemini': 'google' };
const FIELDS = [
  ['input', 'input_mtok'],
  ['cachedInput', 'cache_read_mtok'],
  ['cacheWrite', 'cache_write_mtok'],
  ['output', 'output_mtok'],
];
const base = (value) => (typeof value === 'object' && value !== null ? value.base : value);

let problems = 0;
for (const [model, price] of Object.entries(DEFAULT_PRICES)) {
  const found = calcPrice({ input_tokens: 1, output_tokens: 1 }, model, { providerId: PROVIDERS[price.provider] });
  if (!found) {
    problems++;
    console.log(`MISSING ${model}: the package has no price for it`);
    continue;
  }
  const theirs = found.model_price;
  const differences = FIELDS.flatMap(([ours, field]) => {
    const expected = base(theirs[field]);
    if (expected === undefined) return [];
    // Our cache rates default to the input rate, the output rate of an embedding model is 0.
    const actual = price[ours] ?? (ours === 'output' ? 0 : price.input);
    return Math.abs(actual - expected) > 1e-9 ? [`${ours} ${actual} ≠ ${expected}`] : [];
  });
  if (differences.length > 0) problems++;
  console.log(`${differences.length > 0 ? 'DIFFERS' : 'ok     '} ${model} (theirs: ${found.model.id}) ${differences.join(', ')}`);
}
console.log(`\n${Object.keys(DEFAULT_PRICES).length} entries, ${problems} problem(s)`);
process.exitCode = problems > 0 ? 1 : 0;
