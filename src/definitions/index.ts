/**
 * The stored flag model shared by `flags/` and `adapters/`: the types of a stored definition and the
 * write-time checks every store and client runs on it (flag validation, targeting conditions, regex
 * safety, plain JSON). Neither `flags/` nor `adapters/` imports the other for these.
 * @module
 */

export { checkFlag } from './check-flag.js';
export type { FieldOperator, LogicalOperator } from './conditions.js';
export { isDict, isJson } from './json.js';
export { KEY_PATTERN, MAX_VARIANTS, TOGGLE_VARIANTS } from './limits.js';
export { isOperatorObject, isVersion, typeName } from './operators.js';
export { compileRegex, MAX_UNBOUNDED, regexRisk } from './regex-safety.js';
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
