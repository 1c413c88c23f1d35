/**
 * The flags routes: the list, one flag's page, the kill switch, and the editor's review and save
 * steps. Every write is validated on the server (`validateFlag`, as the store does again) and
 * conditional on the version the page showed: a flag changed in between is a conflict page, and
 * nothing is written over the other change.
 * @packageDocumentation
 */
import type { FlagChange, StoredFlag } from '@tiqology/elite';
import { definitionOf, formFieldValues, formValues, readFlagForm } from './flag-form.js';
import { flagPage } from './flag-page.js';
import { conflictPage, reviewPage } from './flag-review.js';
import { envQuery, flagsList } from './flags-list.js';
import { html } from './html.js';
import { notice, page } from './layout.js';
import { envOf, keyOf, type Reply, RequestError, type RouteContext, safeBack } from './reply.js';
import { planSection } from './rollout-plan-view.js';

const isConflict = (error: unknown) => (error as { code?: unknown } | undefined)?.code === 'VERSION_CONFLICT';

async function mustGet(ctx: RouteContext, key: string, env: string): Promise<StoredFlag> {
  const flag = await ctx.storage.getFlag(key, env);
  if (flag === undefined) throw new RequestError(404, `flag "${key}" not found in environment "${env}"`);
  return flag;
}

async function historyOf(ctx: RouteContext, flag: StoredFlag): Promise<FlagChange[] | undefined> {
  return typeof ctx.storage.listFlagHistory === 'function'
    ? ctx.storage.listFlagHistory(flag.key, flag.environment, { limit: 50 })
    : undefined;
}

/** The version a form says it read; a malformed one is a 400. */
function versionOf(ctx: RouteContext, name: string): number {
  const text = ctx.form?.get(name) ?? '';
  if (!/^\d{1,15}$/.test(text)) throw new RequestError(400, `the form's ${name} must be a whole number, got "${text}"`);
  return Number(text);
}

/** GET /flags: the list of an environment, searched. */
export async function listFlags(ctx: RouteContext): Promise<Reply> {
  const env = envOf(ctx);
  const search = (ctx.url.searchParams.get('q') ?? '').slice(0, 200);
  const flags = await ctx.storage.listFlags(env);
  const saved = ctx.url.searchParams.get('saved');
  const message = saved === null ? undefined : notice(`Saved ${saved}.`, 'good');
  return { status: 200, html: page(ctx.page, 'flags', `Flags · ${env}`, flagsList(ctx.page, env, search, flags, message)) };
}

/** GET /flags/:key: the flag's page and editor. */
export async function showFlag(ctx: RouteContext, rawKey: string): Promise<Reply> {
  const flag = await mustGet(ctx, keyOf(rawKey), envOf(ctx));
  const saved = ctx.url.searchParams.get('saved');
  const message = saved === null ? undefined : notice(`Saved: version ${saved}.`, 'good');
  const body = flagPage(
    ctx.page,
    flag,
    { values: formValues(definitionOf(flag)), errors: {} },
    await historyOf(ctx, flag),
    message,
    await planSection(flag, ctx.plansDir),
  );
  return { status: 200, html: page(ctx.page, 'flags', flag.key, body) };
}

/** POST /flags/:key/toggle: the kill switch, at the version the page showed. */
export async function toggleFlag(ctx: RouteContext, rawKey: string): Promise<Reply> {
  const env = envOf(ctx);
  const key = keyOf(rawKey);
  const version = versionOf(ctx, 'version');
  const enabled = ctx.form?.get('enabled') === 'on';
  const current = await mustGet(ctx, key, env);
  if (current.version !== version) return conflict(ctx, key, env, version, { ...definitionOf(current), enabled });
  try {
    const stored = await ctx.storage.writeFlag(
      { ...definitionOf(current), enabled },
      { expectedVersion: version, updatedBy: ctx.updatedBy },
    );
    const back = safeBack(ctx.form?.get('back'), `/flags${envQuery(env)}`);
    const join = back.includes('?') ? '&' : '?';
    return {
      status: 303,
      location: `${back}${join}saved=${encodeURIComponent(`${stored.key} ${stored.enabled ? 'on' : 'off'}, version ${stored.version}`)}`,
    };
  } catch (error) {
    if (isConflict(error)) return conflict(ctx, key, env, version, { ...definitionOf(current), enabled });
    throw error;
  }
}

async function conflict(
  ctx: RouteContext,
  key: string,
  env: string,
  version: number,
  submitted: ReturnType<typeof definitionOf> | undefined,
): Promise<Reply> {
  const current = await ctx.storage.getFlag(key, env);
  return { status: 409, html: page(ctx.page, 'flags', `${key}: conflict`, conflictPage(version, current, submitted)) };
}

/**
 * POST /flags/:key/edit: `_step=review` validates the form and shows the diff (or the form again
 * with each field's error, status 422); `_step=save` validates again and writes at the version read.
 */
export async function editFlag(ctx: RouteContext, rawKey: string): Promise<Reply> {
  const env = envOf(ctx);
  const key = keyOf(rawKey);
  const version = versionOf(ctx, '_version');
  const step = ctx.form?.get('_step');
  if (step !== 'review' && step !== 'save') throw new RequestError(400, 'the form must say _step=review or _step=save');
  const current = await mustGet(ctx, key, env);
  if (current.version !== version) {
    // Read against the version now stored, to show what the change would be; nothing is written.
    const read = readFlagForm(ctx.form as NonNullable<RouteContext['form']>, current);
    return conflict(ctx, key, env, version, read.ok ? read.flag : undefined);
  }
  const read = readFlagForm(ctx.form as NonNullable<RouteContext['form']>, current);
  if (!read.ok) {
    const body = flagPage(
      ctx.page,
      current,
      read.state,
      await historyOf(ctx, current),
      undefined,
      await planSection(current, ctx.plansDir),
    );
    return { status: 422, html: page(ctx.page, 'flags', `${key}: fix the form`, body) };
  }
  if (step === 'review') {
    const values = formFieldValues(ctx.form as NonNullable<RouteContext['form']>);
    return { status: 200, html: page(ctx.page, 'flags', `${key}: review`, reviewPage(ctx.page, current, read.flag, values)) };
  }
  try {
    const stored = await ctx.storage.writeFlag(read.flag, { expectedVersion: version, updatedBy: ctx.updatedBy });
    return { status: 303, location: `/flags/${stored.key}${envQuery(env)}&saved=${stored.version}` };
  } catch (error) {
    if (isConflict(error)) return conflict(ctx, key, env, version, read.flag);
    if ((error as { code?: unknown }).code === 'INVALID_FLAG') {
      return {
        status: 422,
        html: page(ctx.page, 'flags', `${key}: refused`, notice(html`The store refused the flag: ${(error as Error).message}`, 'bad')),
      };
    }
    throw error;
  }
}
