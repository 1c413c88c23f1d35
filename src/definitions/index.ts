/**
 * The stored flag model shared by `flags/` and `adapters/`.
 * @module
 */
export type { Condition, FlagDefinition, FlagRule, JsonValue, StoredFlag, Variant, VariantWeight } from './types.js';
