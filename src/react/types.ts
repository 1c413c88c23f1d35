import type { JsonValue } from '../definitions/types.js';

/**
 * The app's flags, declared once to type the hooks (declaration merging):
 *
 * ```ts
 * declare module '@tiqology/elite/react' {
 *   interface FlagTypes {
 *     'pricing-test': { variant: 'control' | 'variant-a'; value: { priceUsd: number } };
 *   }
 * }
 * ```
 *
 * With a declaration, a key not declared is a type error and `useVariant` / `useFlagValue`
 * return the declared types; without one, any string key is accepted.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by the app's declaration merging
export interface FlagTypes {}

/** A flag key: one of {@link FlagTypes}' keys when declared, else any string. */
export type FlagKey = [keyof FlagTypes] extends [never] ? string : Extract<keyof FlagTypes, string>;

/** The variants of flag `K` as declared, else `string`. */
export type VariantOf<K extends string> = K extends keyof FlagTypes
  ? FlagTypes[K] extends Record<'variant', infer V extends string>
    ? V
    : string
  : string;

/** The value type of flag `K` as declared, else any JSON value. */
export type ValueOf<K extends string> = K extends keyof FlagTypes
  ? FlagTypes[K] extends Record<'value', infer V>
    ? V
    : JsonValue
  : JsonValue;

/** `T` with a literal widened to its primitive (`useFlagValue('x', 5)` is a `number`). */
export type Widen<T> = T extends string ? string : T extends number ? number : T extends boolean ? boolean : T;

/** The key type of an undeclared flag: any string without a declaration, none with one. */
export type UndeclaredKey = [keyof FlagTypes] extends [never] ? string : never;
