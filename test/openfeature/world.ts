/**
 * The state one OpenFeature spec scenario builds up: the provider under test (ours, over a real
 * flags client on the memory store), the SDK client of a domain of its own, the flag asked for,
 * the context at each level, and what came back.
 */
import {
  AsyncLocalStorageTransactionContextPropagator,
  type Client,
  type EvaluationContext,
  type EvaluationDetails,
  type Hook,
  type JsonValue,
  OpenFeature,
  type ProviderStatus,
} from '@openfeature/server-sdk';
import { createMemoryStorage } from '../../src/adapters/memory.js';
import { outageStorage } from '../../src/adapters/outage-storage.case.js';
import type { StorageAdapter } from '../../src/adapters/types.js';
import { createOpenFeatureProvider, type EliteProvider, type FlagsClientLike } from '../../src/flags/openfeature.js';
import { createFlags, type FlagsClient } from '../../src/index.js';
import { specFlags } from './spec-flags.js';

/** The flag types of the scenarios, as the SDK's typed methods name them. */
export type SpecType = 'Boolean' | 'String' | 'Integer' | 'Float' | 'Object';

/** A context level of the context-merging scenarios, lowest precedence first. */
export type ContextLevel = 'API' | 'Transaction' | 'Client' | 'Invocation' | 'Before Hooks';

const quiet = { warn: () => {}, error: () => {} };
let domains = 0;

/** One scenario's state; a new one per scenario. */
export class World {
  readonly domain = `spec-${++domains}`;
  readonly of: Client = OpenFeature.getClient(this.domain);
  provider: EliteProvider | undefined;
  client: FlagsClient | undefined;
  /** The store, and a switch that takes it down (every read rejects). */
  readonly store = outageStorage(specFlags());
  /** Moves the client's clock past the cache TTL, so the next read goes to the store. */
  expire: () => void = () => {};
  flag: { type: SpecType; key: string; fallback: JsonValue } | undefined;
  context: Record<string, unknown> = {};
  /** The context exactly as it was before the evaluation, to check it was not written to. */
  contextBefore: string | undefined;
  details: EvaluationDetails<JsonValue> | undefined;
  pending: Promise<EvaluationDetails<JsonValue>> | undefined;
  options: { hooks: Hook[] } | undefined;
  /** What the recording hooks saw, in order: `name:stage`, and the details after/finally got. */
  readonly hookCalls: string[] = [];
  readonly hookDetails: Record<string, EvaluationDetails<JsonValue>> = {};
  /** Context entries per level (context-merging scenarios) and the context the client got. */
  readonly levels: Partial<Record<ContextLevel, Record<string, string>>> = {};
  levelOrder: ContextLevel[] = [];
  merged: unknown;

  /** Our provider over a real flags client, registered for this scenario's domain. */
  async useProvider(options: { wait: boolean; failOnRefreshError?: boolean; recordContext?: boolean; storage?: StorageAdapter }) {
    let t = Date.UTC(2026, 0, 1);
    this.expire = () => {
      t += 60_001;
    };
    const client = createFlags({ storage: options.storage ?? this.store.storage, now: () => t, logger: quiet, timeoutMs: 2_000 });
    this.client = client;
    let target: FlagsClientLike = client;
    if (options.recordContext) {
      // A client that keeps the context the SDK merged: what our provider hands to evaluate().
      target = {
        environment: client.environment,
        storage: client.storage,
        refresh: () => client.refresh(),
        evaluate: (flagKey, user, evaluateOptions) => {
          this.merged = user;
          return client.evaluate(flagKey, user, evaluateOptions);
        },
      };
    }
    this.provider = createOpenFeatureProvider(target, { failOnRefreshError: options.failOnRefreshError, probeIntervalMs: 20 });
    if (options.wait) await OpenFeature.setProviderAndWait(this.domain, this.provider);
    else OpenFeature.setProvider(this.domain, this.provider);
  }

  /** The provider status the SDK reports for this domain. */
  get status(): ProviderStatus {
    return this.of.providerStatus;
  }

  /** Evaluates the scenario's flag with details, through the typed method of its type. */
  evaluate(context: EvaluationContext = this.context as EvaluationContext): Promise<EvaluationDetails<JsonValue>> {
    const flag = this.flag;
    if (!flag) throw new Error('no flag given');
    const { key, fallback } = flag;
    const of = this.of;
    const options = this.options;
    switch (flag.type) {
      case 'Boolean':
        return of.getBooleanDetails(key, fallback as boolean, context, options);
      case 'String':
        return of.getStringDetails(key, fallback as string, context, options);
      case 'Integer':
      case 'Float':
        return of.getNumberDetails(key, fallback as number, context, options);
      case 'Object':
        return of.getObjectDetails(key, fallback, context, options);
    }
  }

  /** Evaluates with the context set at every level, inside a transaction when one was given. */
  async evaluateWithLevels(): Promise<void> {
    const { API, Transaction, Client: client, Invocation, 'Before Hooks': beforeHooks } = this.levels;
    if (API) OpenFeature.setContext(API);
    if (client) this.of.setContext(client);
    if (beforeHooks) this.of.addHooks({ before: () => beforeHooks });
    this.flag ??= { type: 'Boolean', key: 'boolean-flag', fallback: false };
    const run = () => this.evaluate(Invocation ?? {});
    if (Transaction) {
      OpenFeature.setTransactionContextPropagator(new AsyncLocalStorageTransactionContextPropagator());
      this.details = await new Promise((resolve, reject) =>
        OpenFeature.setTransactionContext(Transaction, () => run().then(resolve, reject)),
      );
    } else {
      this.details = await run();
    }
  }

  /** Undoes what the scenario set process-wide (the API context). */
  async cleanup(): Promise<void> {
    OpenFeature.setContext({});
    await this.provider?.onClose();
  }
}

/** A store that never answers: the provider stays NOT_READY. */
export function silentStorage(): StorageAdapter {
  const inner = createMemoryStorage();
  const never = () => new Promise<never>(() => {});
  return { ...inner, metadata: { name: 'silent' }, subscribe: undefined, getFlag: never, listFlags: never };
}
