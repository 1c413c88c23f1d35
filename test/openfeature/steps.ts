/**
 * Step definitions of the OpenFeature spec's Gherkin suites, run against our provider. Each step
 * is a pattern and what it does to (or checks on) the scenario's {@link World}; a step no pattern
 * matches fails the scenario, so an upstream change cannot pass unnoticed.
 */
import type { EvaluationDetails, Hook, JsonValue } from '@openfeature/server-sdk';
import { expect, vi } from 'vitest';
import { type ContextLevel, type SpecType, silentStorage, type World } from './world.js';

/** A step: its pattern, and what it does with the captures and the step's data table (rows of cells). */
type Step = [RegExp, (world: World, args: string[], table: string[][]) => unknown];

/** Gherkin leaves `\"` in cells and quoted text; the scenarios mean a plain quote. */
const unquote = (text: string) => text.replaceAll('\\"', '"');

/** A scenario's literal as the value of a flag type. */
function parseValue(type: string, text: string): JsonValue {
  const raw = unquote(text);
  switch (type.toLowerCase()) {
    case 'boolean':
      return raw === 'true';
    case 'integer':
      return Number.parseInt(raw, 10);
    case 'float':
      return Number.parseFloat(raw);
    case 'object':
      return raw === 'null' ? null : (JSON.parse(raw) as JsonValue);
    default:
      return raw;
  }
}

const specType = (type: string): SpecType => (type.charAt(0).toUpperCase() + type.slice(1).toLowerCase()) as SpecType;

/** A hook that records each stage it runs in, and the details after/finally get. */
function recordingHook(world: World, name: string): Hook {
  const record = (stage: string, details?: EvaluationDetails<JsonValue>) => {
    world.hookCalls.push(`${name}:${stage}`);
    if (details) world.hookDetails[`${name}:${stage}`] = details;
  };
  return {
    before: () => record('before'),
    after: (_context, details) => record('after', details as EvaluationDetails<JsonValue>),
    error: () => record('error'),
    finally: (_context, details) => record('finally', details as EvaluationDetails<JsonValue>),
  };
}

/** The details a hooks scenario lists (data_type, key, value), checked on `details`. */
function checkHookDetails(details: EvaluationDetails<JsonValue> | undefined, table: string[][]) {
  expect(details).toBeDefined();
  const fields: Record<string, keyof EvaluationDetails<JsonValue>> = {
    flag_key: 'flagKey',
    value: 'value',
    variant: 'variant',
    reason: 'reason',
    error_code: 'errorCode',
  };
  for (const [type, key, value] of table.slice(1)) {
    const field = fields[key as string] as keyof EvaluationDetails<JsonValue>;
    const actual = details?.[field];
    if (value === 'null') expect(actual ?? null).toBeNull();
    else expect(actual).toEqual(parseValue(type as string, value as string));
  }
}

const PROVIDERS: Record<string, (world: World) => Promise<void>> = {
  stable: (world) => world.useProvider({ wait: true }),
  'not ready': (world) => world.useProvider({ wait: false, storage: silentStorage() }),
  error: async (world) => {
    world.store.state.down = true;
    await world.useProvider({ wait: true, failOnRefreshError: true }).catch(() => {});
  },
  stale: async (world) => {
    await world.useProvider({ wait: true });
    world.store.state.down = true;
    world.expire();
    await world.of.getBooleanDetails('boolean-flag', false);
    await vi.waitFor(() => expect(world.status).toBe('STALE'));
  },
  fatal: async () => {
    throw new Error('our provider has no FATAL state: every store failure is one it recovers from');
  },
};

const LEVEL_SETTERS = (world: World, level: ContextLevel, key: string, value: string) => {
  world.levels[level] = { ...world.levels[level], [key]: value };
};

/** Every step of the suites, matched in order. */
export const STEPS: Step[] = [
  // Providers
  [/^a (stable|not ready|error|fatal|stale) provider$/, (world, [kind]) => PROVIDERS[kind as string]?.(world)],
  [/^a stable provider with retrievable context is registered$/, (world) => world.useProvider({ wait: true, recordContext: true })],
  [/^the provider status should be "(\w+)"$/, (world, [status]) => expect(world.status).toBe(status)],

  // Flags, contexts and options
  [
    /^an? (\w+)-flag with key "([^"]*)" and a fallback value "(.*)"$/,
    (world, [type, key, fallback]) => {
      world.flag = { type: specType(type as string), key: key as string, fallback: parseValue(type as string, fallback as string) };
    },
  ],
  [
    /^a context containing a key "([^"]*)", with type "(\w+)" and with value "(.*)"$/,
    (world, [key, type, value]) => {
      world.context[key as string] = parseValue(type as string, value as string);
    },
  ],
  [
    /^a context containing a key "([^"]*)" with null value$/,
    (world, [key]) => {
      world.context[key as string] = null;
    },
  ],
  [
    /^an evaluation context with modifiable data$/,
    (world) => {
      world.context = { targetingKey: 'user-1', tags: ['a', 'b'], profile: { plan: 'pro' } };
      world.contextBefore = JSON.stringify(world.context);
    },
  ],
  [
    /^evaluation options containing specific hooks$/,
    (world) => {
      world.options = { hooks: [recordingHook(world, 'first'), recordingHook(world, 'second')] };
    },
  ],
  [/^a client with added hook$/, (world) => world.of.addHooks(recordingHook(world, 'client'))],

  // Evaluation
  [
    /^the flag was evaluated with details( using the evaluation options)?$/,
    async (world) => {
      world.details = await world.evaluate();
    },
  ],
  [
    /^the flag was evaluated with details asynchronously$/,
    (world) => {
      world.pending = world.evaluate();
    },
  ],
  [
    /^the evaluation should complete without blocking$/,
    async (world) => {
      expect(world.pending).toBeInstanceOf(Promise);
      world.details = await world.pending;
    },
  ],

  // Checks on the details
  [
    /^the resolved details value should be "(.*)"$/,
    (world, [value]) => expect(world.details?.value).toEqual(parseValue(world.flag?.type ?? 'String', value as string)),
  ],
  [/^the reason should be "(\w+)"$/, (world, [reason]) => expect(world.details?.reason).toBe(reason)],
  [/^the error-code should be "(\w+)"$/, (world, [code]) => expect(world.details?.errorCode).toBe(code)],
  [/^the flag key should be "([^"]*)"$/, (world, [key]) => expect(world.details?.flagKey).toBe(key)],
  [/^the variant should be "([^"]*)"$/, (world, [variant]) => expect(world.details?.variant).toBe(variant)],
  [
    /^the resolved metadata should contain$/,
    (world, _args, table) => {
      for (const [key, type, value] of table.slice(1)) {
        expect(world.details?.flagMetadata[key as string]).toEqual(parseValue(type as string, value as string));
      }
    },
  ],
  [/^the resolved metadata is empty$/, (world) => expect(world.details?.flagMetadata).toEqual({})],
  [
    /^the original evaluation context should remain unmodified$/,
    (world) => expect(JSON.stringify(world.context)).toBe(world.contextBefore),
  ],
  [
    /^the evaluation details should be immutable$/,
    (world) => {
      const details = world.details as EvaluationDetails<JsonValue>;
      expect(Object.isFrozen(details)).toBe(true);
      expect(Object.isFrozen(details.flagMetadata)).toBe(true);
    },
  ],

  // Hooks
  [/^the specified hooks should execute during evaluation$/, (world) => expect(world.hookCalls).toContain('first:before')],
  [
    /^the hook order should be maintained$/,
    // Before hooks run in the order given, after and finally hooks in reverse (spec 4.4.2).
    (world) =>
      expect(world.hookCalls).toEqual(['first:before', 'second:before', 'second:after', 'first:after', 'second:finally', 'first:finally']),
  ],
  [/^the "(\w+)" hook should have been executed$/, (world, [stage]) => expect(world.hookCalls).toContain(`client:${stage}`)],
  [
    /^the "([\w, ]+)" hooks should be called with evaluation details$/,
    (world, [stages], table) => {
      for (const stage of (stages as string).split(', ')) checkHookDetails(world.hookDetails[`client:${stage}`], table);
    },
  ],

  // Context merging
  [
    /^A context entry with key "([^"]*)" and value "([^"]*)" is added to the "([^"]*)" level$/,
    (world, [key, value, level]) => LEVEL_SETTERS(world, level as ContextLevel, key as string, value as string),
  ],
  [
    /^A table with levels of increasing precedence$/,
    (world, _args, table) => {
      world.levelOrder = table.map(([level]) => level as ContextLevel);
    },
  ],
  [
    // Each level up to the one named gets the entry, valued with its own level's name, so only
    // the right precedence leaves the named level's value in the merged context.
    /^Context entries for each level from API level down to the "([^"]*)" level, with key "([^"]*)" and value "([^"]*)"$/,
    (world, [last, key]) => {
      for (const level of world.levelOrder.slice(0, world.levelOrder.indexOf(last as ContextLevel) + 1)) {
        LEVEL_SETTERS(world, level, key as string, level);
      }
    },
  ],
  [/^Some flag was evaluated$/, (world) => world.evaluateWithLevels()],
  [
    /^The merged context contains an entry with key "([^"]*)" and value "([^"]*)"$/,
    (world, [key, value]) => expect((world.merged as Record<string, unknown>)[key as string]).toBe(value),
  ],

  // The deprecated evaluation.feature
  [
    /^an? (boolean|string|integer|float|object) flag with key "([^"]*)" is evaluated with (details and )?(?:default value |a null default value)"?([^"]*)"?$/,
    async (world, [type, key, , fallback]) => {
      world.flag = {
        type: specType(type as string),
        key: key as string,
        fallback: type === 'object' ? null : parseValue(type as string, fallback as string),
      };
      world.details = await world.evaluate();
    },
  ],
  [
    /^the resolved (boolean|string|integer|float) value should be "?([^"]*)"?$/,
    (world, [type, value]) => expect(world.details?.value).toEqual(parseValue(type as string, value as string)),
  ],
  [
    /^the resolved (?:object|object details) value should be contain fields "(\w+)", "(\w+)", and "(\w+)", with values "([^"]*)", "([^"]*)" and (\d+), respectively$/,
    (world, [a, b, c, va, vb, vc]) =>
      expect(world.details?.value).toEqual({ [a as string]: va === 'true', [b as string]: vb, [c as string]: Number(vc) }),
  ],
  [
    /^the resolved (boolean|string|integer|float) details value should be "?([^",]*)"?, the variant should be "([^"]*)", and the reason should be "(\w+)"$/,
    (world, [type, value, variant, reason]) => {
      expect(world.details).toMatchObject({ value: parseValue(type as string, value as string), variant, reason });
    },
  ],
  [
    /^the variant should be "([^"]*)", and the reason should be "(\w+)"$/,
    (world, [variant, reason]) => expect(world.details).toMatchObject({ variant, reason }),
  ],
  [
    /^context contains keys "(\w+)", "(\w+)", "(\w+)", "(\w+)" with values "([^"]*)", "([^"]*)", (\d+), "(true|false)"$/,
    (world, [k1, k2, k3, k4, v1, v2, v3, v4]) => {
      world.context = { [k1 as string]: v1, [k2 as string]: v2, [k3 as string]: Number(v3), [k4 as string]: v4 === 'true' };
    },
  ],
  [
    /^a flag with key "([^"]*)" is evaluated with default value "([^"]*)"$/,
    async (world, [key, fallback]) => {
      world.flag = { type: 'String', key: key as string, fallback: fallback as string };
      world.details = await world.evaluate();
    },
  ],
  [/^the resolved string response should be "([^"]*)"$/, (world, [value]) => expect(world.details?.value).toBe(value)],
  [
    /^the resolved flag value is "([^"]*)" when the context is empty$/,
    async (world, [value]) => expect((await world.evaluate({})).value).toBe(value),
  ],
  [
    /^a non-existent string flag with key "([^"]*)" is evaluated with details and a fallback value "([^"]*)"$/,
    async (world, [key, fallback]) => {
      world.flag = { type: 'String', key: key as string, fallback: fallback as string };
      world.details = await world.evaluate();
    },
  ],
  [
    /^a string flag with key "([^"]*)" is evaluated as an integer, with details and a fallback value (\d+)$/,
    async (world, [key, fallback]) => {
      world.flag = { type: 'Integer', key: key as string, fallback: Number(fallback) };
      world.details = await world.evaluate();
    },
  ],
  [/^the default (string|integer) value should be returned$/, (world) => expect(world.details?.value).toEqual(world.flag?.fallback)],
  [
    /^the reason should indicate an error and the error code should indicate an? [\w ]+ with "(\w+)"$/,
    (world, [code]) => expect(world.details).toMatchObject({ reason: 'ERROR', errorCode: code }),
  ],
];

/** Runs one step's text against the world; throws when no pattern matches. */
export async function runStep(world: World, text: string, table: string[][]): Promise<void> {
  for (const [pattern, action] of STEPS) {
    const match = pattern.exec(text);
    if (match) {
      await action(world, match.slice(1), table);
      return;
    }
  }
  throw new Error(`no step definition matches: ${text}`);
}
