/**
 * The OpenFeature spec's test flags (test/fixtures/openfeature-spec/test-flags.json, the format of
 * the spec's in-memory provider) as our flag definitions.
 *
 * The mapping, one field at a time:
 * - `variants` → our variants with their values; the `defaultVariant` gets weight 100 and the
 *   others 0, so a flag without targeting always serves it (reason `STATIC`, as the spec expects).
 * - `disabled: true` → `enabled: false`.
 * - `flagMetadata` → `metadata` (null → none).
 * - `contextEvaluator` (a small expression language) → a targeting rule serving the variant the
 *   expression names, on a flag with `rollout: 0`: users the rule does not match get the default
 *   variant with reason `DEFAULT`, as with the spec's provider. Only the expressions the file holds
 *   are known; an unknown one throws, so a new upstream flag cannot be mistranslated silently.
 * - `null-default-flag` and `undefined-default-flag` (a flag without a default variant) are left
 *   out: no scenario evaluates them, and our model always has a default variant.
 *
 * `context-aware` is not in the file: the deprecated evaluation.feature expects it, and its rule
 * is written from that scenario's text (fn, ln, age and customer must all match).
 */
import { readFileSync } from 'node:fs';
import type { Condition, FlagDefinition, FlagMetadata, JsonValue } from '../../src/index.js';

interface SpecFlag {
  variants: Record<string, JsonValue>;
  defaultVariant?: string | null;
  disabled?: boolean;
  flagMetadata?: FlagMetadata | null;
  contextEvaluator?: string;
}

/** The conditions of the context evaluators in test-flags.json, and the variant each serves when it holds. */
const EVALUATORS: Record<string, [Condition, string]> = {
  "email == 'ballmer@macrosoft.com' ? 'zero' : ''": [{ email: 'ballmer@macrosoft.com' }, 'zero'],
  // `!customer` holds for false and for a missing attribute.
  "!customer && email == 'ballmer@macrosoft.com' && age > 10 ? 'internal' : ''": [
    { customer: { $ne: true }, email: 'ballmer@macrosoft.com', age: { $gt: 10 } },
    'internal',
  ],
};

const ENVIRONMENT = 'production';

/** One spec flag as our definition (see the module comment for the mapping). */
function toDefinition(key: string, flag: SpecFlag): FlagDefinition {
  const defaultVariant = flag.defaultVariant as string;
  const definition: FlagDefinition = {
    key,
    environment: ENVIRONMENT,
    enabled: flag.disabled !== true,
    variants: Object.entries(flag.variants).map(([variant, value]) => ({
      key: variant,
      weight: variant === defaultVariant ? 100 : 0,
      value,
    })),
    defaultVariant,
  };
  if (flag.flagMetadata) definition.metadata = flag.flagMetadata;
  if (flag.contextEvaluator !== undefined) {
    const known = EVALUATORS[flag.contextEvaluator];
    if (!known) throw new Error(`spec-flags: no translation for the context evaluator of ${key}: ${flag.contextEvaluator}`);
    definition.rollout = 0;
    definition.rules = [{ condition: known[0], variant: known[1] }];
  }
  return definition;
}

/** Every spec flag the scenarios evaluate, as our definitions, plus `context-aware`. */
export function specFlags(): FlagDefinition[] {
  const file = new URL('../fixtures/openfeature-spec/test-flags.json', import.meta.url);
  const flags = JSON.parse(readFileSync(file, 'utf8')) as Record<string, SpecFlag>;
  const definitions = Object.entries(flags)
    .filter(([, flag]) => typeof flag.defaultVariant === 'string')
    .map(([key, flag]) => toDefinition(key, flag));
  definitions.push({
    key: 'context-aware',
    environment: ENVIRONMENT,
    enabled: true,
    variants: [
      { key: 'internal', weight: 0, value: 'INTERNAL' },
      { key: 'external', weight: 100, value: 'EXTERNAL' },
    ],
    defaultVariant: 'external',
    rollout: 0,
    rules: [{ condition: { fn: 'Sulisław', ln: 'Świętopełk', age: 29, customer: false }, variant: 'internal' }],
  });
  return definitions;
}
