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
 * Another flag of the same environment that must serve a given answer first (LaunchDarkly
 * prerequisites, Unleash dependent features, GrowthBook prerequisite flags).
 * @see docs/flags.md#prerequisites
 */
export interface Prerequisite {
  /** Key of the flag required. A flag cannot require itself, directly or through others. */
  flag: string;
  /**
   * The variant it must serve. Without it, the flag must be "on": a toggle serving `on`, or an
   * experiment the user is in (what `isEnabled` answers).
   */
  variant?: string;
}

/**
 * A dated change of a flag (see {@link FlagDefinition.schedule}): from `at` on, `enabled` and/or
 * `rollout` take these values, until a later step changes them again.
 */
export interface ScheduledStep {
  /** ISO 8601 date-time with a time zone (`2026-03-01T09:00:00Z`). */
  at: string;
  /** The kill switch from `at` on. */
  enabled?: boolean;
  /** The flag's rollout from `at` on, 0–100 with at most two decimals. */
  rollout?: number;
}

/**
 * A flag's range of a layer of mutually exclusive experiments (GrowthBook namespaces, Statsig
 * layers): each user has one place in the layer, and the experiments of a layer take ranges that
 * do not overlap, so no user is in two of them.
 * @see docs/flags.md#layers
 */
export interface FlagLayer {
  /** The layer's name (same pattern as flag keys); with the user id it decides the user's place. */
  key: string;
  /** Start of this flag's range of the layer, in percent (0–100, at most two decimals), included. */
  from: number;
  /** End of the range, in percent, excluded; above `from`. */
  to: number;
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
  /** Flags that must serve a given answer for the rule to match (all of them). */
  prerequisites?: Prerequisite[];
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
  /**
   * Flags that must serve a given answer before this one serves anything but its `off`/default
   * variant (reason `PREREQUISITE_FAILED`). Checked after the kill switch.
   */
  prerequisites?: Prerequisite[];
  /** This experiment's range of a layer of mutually exclusive experiments; users outside it get the default variant. */
  layer?: FlagLayer;
  /**
   * Dated changes of `enabled` and `rollout`, in time order, applied by the client's clock at
   * evaluation: no write is needed when a step comes due.
   */
  schedule?: ScheduledStep[];
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
