import type { ModelPrice } from '@tiqology/elite/telemetry';
import type { CommandContext } from '../context.js';
import { CliError, EXIT, usageError } from '../io.js';
import { renderTable } from '../table.js';

const usd = (value: number | undefined): string => (value === undefined ? '—' : `$${value}`);

/** `tiqology prices`: the LLM price table (defaults, dated per provider, with an app's JSON file laid over them). */
export async function run({ positionals, values, io, out }: CommandContext): Promise<number> {
  if (positionals.length > 0) throw usageError(`prices: takes no arguments, got "${positionals.join(' ')}"; use --model <id>`);
  const { DEFAULT_PRICES, PRICE_SOURCES, findPriceKey, loadPriceFile } = await import('@tiqology/elite/telemetry');
  let table: Record<string, ModelPrice> = { ...DEFAULT_PRICES };
  let file: string | undefined;
  if (typeof values.file === 'string') {
    const { resolve } = await import('node:path');
    file = values.file;
    try {
      table = { ...table, ...(await loadPriceFile(resolve(io.cwd, file))) };
    } catch (error) {
      throw new CliError((error as Error).message, EXIT.FAILURE, { cause: error });
    }
  }
  const provider = typeof values.provider === 'string' ? values.provider : undefined;
  const model = typeof values.model === 'string' ? values.model : undefined;
  if (model !== undefined) {
    const key = findPriceKey(model, table);
    const price = key === undefined ? undefined : table[key];
    if (out.json) out.data({ model, entry: key ?? null, price: price ?? null });
    else if (price === undefined)
      out.line(`${model}: no price (counted in llm_unpriced_completions_total; add it with --file or createTelemetry({ prices }))`);
    else
      out.line(
        `${model}: priced as "${key}" (${price.provider ?? 'app'}): input ${usd(price.input)}, cached ${usd(price.cachedInput)}, cache write ${usd(price.cacheWrite)}, output ${usd(price.output)} per 1M tokens`,
      );
    return price === undefined ? EXIT.FAILURE : EXIT.OK;
  }
  const rows = Object.entries(table)
    .map(([key, price]) => ({ key, price, owner: price.provider ?? 'app' }))
    .filter((row) => provider === undefined || row.owner === provider)
    .sort((a, b) => a.owner.localeCompare(b.owner) || a.key.localeCompare(b.key));
  if (out.json) {
    out.data({ sources: PRICE_SOURCES, file: file ?? null, prices: rows.map(({ key, price }) => ({ model: key, ...price })) });
    return EXIT.OK;
  }
  out.line(
    renderTable(
      [
        { header: 'provider' },
        { header: 'model' },
        { header: 'input', align: 'right' },
        { header: 'cached', align: 'right' },
        { header: 'cache write', align: 'right' },
        { header: 'output', align: 'right' },
      ],
      rows.map(({ key, price, owner }) => [owner, key, usd(price.input), usd(price.cachedInput), usd(price.cacheWrite), usd(price.output)]),
      out.colors,
    ),
  );
  out.line('USD per 1M tokens; "—": the input price applies. A dated id (gpt-4o-2024-08-06) is priced by its family (gpt-4o).');
  for (const [name, source] of Object.entries(PRICE_SOURCES)) out.line(`${name}: list prices as of ${source.asOf}, ${source.url}`);
  if (file !== undefined) out.line(`With ${file} laid over the defaults.`);
  return EXIT.OK;
}
