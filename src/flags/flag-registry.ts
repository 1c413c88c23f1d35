/**
 * Flag keys known at compile time. Empty in the package, so any string is a flag key and
 * `getValue` returns its default's type. `tiqology flags types` writes a declaration file that
 * fills it by module augmentation, one entry per flag: then a key that is not in it (a typo) is a
 * type error, `getVariant` returns the union of the flag's variant keys, and `getValue` the type
 * of its variants' values.
 *
 * @example
 * declare module '@tiqology/elite' {
 *   interface FlagRegistry {
 *     'pricing-test': { variant: 'control' | 'variant-a'; value: { price: number } };
 *   }
 * }
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by module augmentation, which needs an interface
export interface FlagRegistry {}

/** A flag key: a key of {@link FlagRegistry} when it has entries, else any string. */
export type FlagKey = [keyof FlagRegistry] extends [never] ? string : Extract<keyof FlagRegistry, string>;

/** The variant keys of flag `K` per {@link FlagRegistry}; `string` for a flag it does not list. */
export type FlagVariant<K> = K extends keyof FlagRegistry
  ? FlagRegistry[K] extends {
      /** The flag's variant keys, as a union. */
      variant: infer V extends string;
    }
    ? V
    : string
  : string;

/** The value type of flag `K` per {@link FlagRegistry}; `T` (the default's type) for a flag it does not list. */
export type FlagValue<K, T> = K extends keyof FlagRegistry
  ? FlagRegistry[K] extends {
      /** The type of the flag's variant values. */
      value: infer V;
    }
    ? V
    : T
  : T;
