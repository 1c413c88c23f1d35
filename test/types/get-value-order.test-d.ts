/**
 * Type-level test, checked by `npm run typecheck` (tsc), not run by vitest: each
 * `@ts-expect-error` line must stay an error, or tsc fails with "Unused '@ts-expect-error'".
 * `getValue(flagKey, user, defaultValue)` puts the user second; OpenFeature's
 * `(flagKey, defaultValue, context)` order must not compile, because it would always return
 * the context as the default.
 */
import { createFlags, type FlagUser, flags, type JsonValue } from '@tiqology/elite';

const client = createFlags();
declare const userId: string;
declare const user: FlagUser;
declare const json: JsonValue;

export async function rightOrder(): Promise<void> {
  const price: number = await client.getValue('pricing-test', userId, 20);
  const label: string = await client.getValue('pricing-test', { targetingKey: userId, plan: 'pro' }, 'control');
  const on: boolean = client.getValueSync('dark-mode', user, false);
  const theme: { color: string } = await flags.getValue('theme', userId, { color: 'red' });
  const list: string[] = flags.getValueSync('regions', userId, ['eu']);
  const any: JsonValue = await client.getValue('config', userId, json);
  void [price, label, on, theme, list, any];
}

export async function openFeatureOrder(): Promise<void> {
  // @ts-expect-error the context in the default's place (string default)
  await client.getValue('pricing-test', 'control', { targetingKey: userId });
  // @ts-expect-error the same with attributes
  await flags.getValue('pricing-test', 'control', { targetingKey: userId, plan: 'pro' });
  const context = { targetingKey: userId, plan: 'pro' };
  // @ts-expect-error a context held in a variable
  client.getValueSync('pricing-test', 'control', context);
  // @ts-expect-error an object default in the user's place
  await client.getValue('theme', { color: 'red' }, { targetingKey: userId });
  // @ts-expect-error a boolean default in the user's place
  await client.getValue('dark-mode', false, { targetingKey: userId });
  // @ts-expect-error a number default in the user's place
  flags.getValueSync('pricing-test', 20, { targetingKey: userId });
}
