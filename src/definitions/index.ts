/**
 * The stored flag model shared by `flags/` and `adapters/`: the types of a stored definition and the
 * write-time checks every store and client runs on it (flag validation, targeting conditions, regex
 * safety, plain JSON). Neither `flags/` nor `adapters/` imports the other for these.
 * @module
 */
export {
  type FieldOperator,
  isOperatorObject,
  isVersion,
  type LogicalOperator,
  typeName,
  validateCondition,
} from './conditions.js';
export { isDict, isJson } from './json.js';
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
export { KEY_PATTERN, MAX_VARIANTS, TOGGLE_VARIANTS, validateFlag } from './validate.js';
