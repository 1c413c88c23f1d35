// What evaluation (flags/conditions.ts) and both checks of a definition share about condition operands.

type Dict = Record<string, unknown>;

const isArray = Array.isArray;
const isObject = (x: unknown): x is Dict => typeof x === 'object' && x !== null && !isArray(x);

/** True for what version operators (`$veq`, `$vgt`…) accept: a string or a number. Evaluation reads anything else as version `0`. */
export const isVersion = (x: unknown): boolean => typeof x === 'string' || typeof x === 'number';

/** The type of a value as `$type` names it: `typeof`, except `null` and `array`. */
export const typeName = (x: unknown): string => (x === null ? 'null' : isArray(x) ? 'array' : typeof x);

/**
 * True for an object whose own keys all start with `$`, e.g. `{ $gt: 1, $lt: 5 }`: a set of operators
 * on one field. `{}` and objects with plain keys are literals, compared as values.
 */
export function isOperatorObject(x: unknown): x is Dict {
  const own = isObject(x) ? Object.keys(x) : [];
  return own.length > 0 && own.every((key) => key[0] === '$');
}
