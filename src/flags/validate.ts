/**
 * The detailed validation of flag definitions, field by field with a message per mistake: what every store
 * runs before a write and the flags client runs on what it reads from a store. Apart from `./flags` so
 * that Edge middleware does not load it: `createFlags({ bootstrap })` checks bootstrap definitions with
 * a compact check that accepts and refuses the same definitions, with shorter messages.
 * @packageDocumentation
 */

export type { FlagDefinition } from '../definitions/index.js';
export { KEY_PATTERN, validateCondition, validateFlag } from '../definitions/validate.js';
