// What a flag definition may hold: the names, patterns and bounds that both checks of a definition
// read (validate.ts, the detailed one of writes and store reads; check-flag.ts, the compact one the
// client runs on bootstrap definitions), so the two cannot disagree on a limit.

/** Flag keys, variant keys, environments and segment names all follow this pattern. */
export const KEY_PATTERN = /^[a-z0-9][a-z0-9._-]{0,127}$/;

/** The implicit variants of a boolean toggle. */
export const TOGGLE_VARIANTS: readonly string[] = ['on', 'off'];

/** Most variants of a flag (and entries of a rule's weights): far above any real experiment. */
export const MAX_VARIANTS = 1_000;
/** Most user ids in one rule; larger groups belong in a segment condition. */
export const MAX_USER_IDS = 10_000;
/** Longest JSON text of a variant value. */
export const MAX_VALUE_CHARS = 32_768;
/** Most prerequisites of a flag or rule, steps of a schedule, and metadata entries. */
export const MAX_ITEMS = 32;
/** Longest salt, and longest metadata string. */
export const MAX_SALT_CHARS = 128;
export const MAX_METADATA_CHARS = 256;
/** A schedule's dates name their time zone, so every process reads the same instant. */
export const ZONED = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/i;
/** The operators a stored flag cannot use: it has nowhere to define saved groups. */
export const SAVED_GROUP_OPERATORS = ['$inGroup', '$notInGroup'];

/** Percent 0–100 with at most two decimals, in whole hundredths; NaN when it is not one. */
export const hundredths = (value: unknown): number => {
  const h = typeof value === 'number' ? Math.round(value * 100) : Number.NaN;
  return h >= 0 && h <= 10_000 && Math.abs((value as number) * 100 - h) < 1e-6 ? h : Number.NaN;
};

/** A value as error messages show it: short, and never the text of an object or a function. */
export const describe = (value: unknown): string =>
  value === null
    ? 'null'
    : Array.isArray(value)
      ? 'an array'
      : typeof value === 'string'
        ? JSON.stringify(value.slice(0, 40))
        : typeof value === 'object'
          ? 'an object'
          : typeof value === 'function'
            ? 'a function'
            : String(value);

/**
 * The path of property `name` of `base`, for error fields: `rules[0].id`, `segments.beta`, or
 * `segments[""]` for an empty name (which must still name a field). Top-level fields of the flag
 * (base `flag`) are named alone: `key`, `variants`.
 */
export const member = (base: string, name: string): string => (name === '' ? `${base}[""]` : base === 'flag' ? name : `${base}.${name}`);

/** A metadata value as stored flags hold it: a boolean, a finite number or a short string. */
export const isMetadataValue = (value: unknown): boolean =>
  typeof value === 'boolean' || Number.isFinite(value) || (typeof value === 'string' && value.length <= MAX_METADATA_CHARS);
