// The stored flag model: what a store keeps and hands back. flags/ evaluates it and adapters/ store it;
// both import it from here so neither has to import the other (no type cycle between them).

/** Any value that survives `JSON.stringify`/`JSON.parse` unchanged. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * A targeting condition in the MongoDB-style language GrowthBook popularised:
 * `{ plan: 'pro' }`, `{ country: { $in: ['FR', 'DE'] } }`, `{ $or: [...] }`, `{ appVersion: { $vgte: '2.1.0' } }`.
 * @see docs/flags.md#targeting for every operator.
 */
export type Condition = { [key: string]: unknown };

/** A flag's free-form metadata: see {@link FlagDefinition.metadata}. */
export type FlagMetadata = Record<string, string | number | boolean>;

/** One arm of a multi-variant flag. */
export interface Variant {
  /** Identifier returned by `getVariant`, e.g. `control`, `variant-a`. Same pattern as flag keys. */
  key: string;
  /** Share of included users in percent, 0–100 with at most two decimals. All weights sum to 100. */
  weight: number;
  /** Payload returned by `getValue`; defaults to the variant key. */
  value?: JsonValue;
}

/** A variant key and its weight, as a rule may override them. */
export interface VariantWeight {
  /** Key of one of the flag's variants. */
  key: string;
  /** Share of the rule's users in percent, 0–100 with at most two decimals; a rule's weights sum to 100. */
  weight: number;
}

/**
 * A targeting rule. Rules are tried in order and the first that matches serves.
 * A rule matches when every criterion it names matches (condition AND segments AND user ids).
 */
export interface FlagRule {
  /** Optional identifier, echoed in logs and docs. */
  id?: string;
  /** Free text for people reading the flag; ignored by evaluation. */
  description?: string;
  /** Condition on the evaluation context. */
  condition?: Condition;
  /** Name (or names, all required) of segments defined in the flag's `segments`. */
  segment?: string | string[];
  /** Exact targeting keys this rule applies to. */
  userIds?: string[];
  /** Serve this fixed variant (`on`/`off` for a toggle). Excludes `rollout` and `weights`. */
  variant?: string;
  /**
   * Share of matching users the rule serves, 0–100 (default 100). Users outside it fall
   * through to the next rule.
   */
  rollout?: number;
  /** Weights for the users the rule serves; default: the flag's variant weights. */
  weights?: VariantWeight[];
}

/** A feature flag as stored, per environment. */
export interface FlagDefinition {
  /** `[a-z0-9][a-z0-9._-]{0,127}` */
  key: string;
  /** `development`, `staging`, `production` or any name of the same pattern. */
  environment: string;
  /** Kill switch: a disabled flag serves `defaultVariant` (or `false`) with reason `DISABLED`. */
  enabled: boolean;
  /** Free text for people reading the flag; ignored by evaluation. */
  description?: string;
  /** Arms of an experiment. Without variants the flag is a boolean toggle. */
  variants?: Variant[];
  /** Share of users included, 0–100 in 0.01 steps. Default 100. */
  rollout?: number;
  /** What excluded users get; default: the first variant. Must name a variant. */
  defaultVariant?: string;
  /** Ordered targeting rules; first match wins. */
  rules?: FlagRule[];
  /** Named reusable conditions referenced by rules. */
  segments?: Record<string, Condition>;
  /** Hash salt; defaults to the key. Changing it reshuffles every user of this flag. */
  salt?: string;
  /**
   * Free-form facts about the flag for tools and telemetry (owner, ticket, expiry…): at most 32
   * entries, keys like flag keys, values strings (≤ 256 characters), finite numbers or booleans.
   * Returned in `evaluate()` details as `flagMetadata` and as the OpenFeature flag metadata;
   * ignored by evaluation.
   */
  metadata?: FlagMetadata;
  /** Optimistic-concurrency version, raised by the store on every write. */
  version?: number;
  /** ISO 8601 time of the last write, set by the store. */
  updatedAt?: string;
}

/** A validated definition, with store-managed fields present. */
export interface StoredFlag extends FlagDefinition {
  version: number;
  updatedAt: string;
}
