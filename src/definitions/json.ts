// Checks on plain JSON values, shared by flag validation (variant values) and `track()` input
// (event properties): both must survive a round trip through a JSON column unchanged.

/** An object of string keys, as the checks here read it. */
export type Dict = Record<string, unknown>;

/**
 * True for a plain object (an object literal or one with a null prototype); false for arrays,
 * class instances (`Date`, `Map`…) and everything else. Only plain objects serialize as they are.
 */
export const isDict = (value: unknown): value is Dict => {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};

/**
 * True when `value` is plain JSON: strings, booleans, null, finite numbers, and arrays and plain
 * objects of those, at most 32 levels deep. `undefined`, functions, `NaN` and class instances are not.
 */
export const isJson = (value: unknown, depth = 0): boolean =>
  depth < 32 &&
  (value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    Number.isFinite(value) ||
    ((Array.isArray(value) || isDict(value)) && Object.values(value).every((v) => isJson(v, depth + 1))));
