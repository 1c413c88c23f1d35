/**
 * The stored flag model shared by `flags/` and `adapters/`: the types of a stored definition, the compact
 * check of bootstrap definitions (check-flag.ts), regex safety and plain JSON. Neither `flags/` nor
 * `adapters/` imports the other for these. The detailed validator (`validateFlag`, `validateCondition`) is
 * imported from validate.ts directly, not through this file: what imports the model for evaluation must not
 * load it (the flags client loads it with its first store read).
 * @module
 */

export { checkFlag } from './check-flag.js';
export type { FieldOperator, LogicalOperator } from './conditions.js';
export { isDict, isJson } from './json.js';
export { KEY_PATTERN, MAX_VARIANTS, TOGGLE_VARIANTS } from './limits.js';
export { isOperatorObject, isVersion, typeName } from './operators.js';
export { MAX_UNBOUNDED, type RegexRisk, regexRisk, safeRegex } from './regex-safety.js';
export type {
  Condition,
  FlagDefinition,
  FlagLayer,
  FlagMetadata,
  FlagRule,
  JsonValue,
  Prerequisite,
  ScheduledStep,
  StoredFlag,
  Variant,
  VariantWeight,
} from './types.js';
