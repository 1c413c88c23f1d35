import type { StoredFlag } from '@tiqology/elite';
import type { RolloutAction, RolloutDecision } from '@tiqology/elite/rollouts';
import { type CommandContext, quoteArguments } from '../context.js';
import { CliError, type CliIo, EXIT, usageError } from '../io.js';
import type { Output } from '../output.js';
import { parseInterval, readPlanFile } from '../rollout-plan-file.js';
import { environmentOf, withStore } from '../stores.js';
import { didYouMean } from '../suggest.js';

const SUBCOMMANDS = ['run', 'resume'] as const;

/** The exit code of each action, so that a scheduled job (`--once`) can tell them apart. */
export const ROLLOUT_EXIT: Record<RolloutAction, number> = { advance: 0, hold: 3, complete: 4, rollback: 5 };

const percent = (x: number) => (Number.isFinite(x) ? `${Number(x.toFixed(2))} %` : '?');

/** One decision as a line: time, action, from → to, reasons, and whether it was written. */
function printDecision(decision: RolloutDecision, out: Output, enabled: boolean): void {
  if (out.json) return void out.data(decision);
  const time = new Date(decision.at).toISOString().slice(11, 19);
  const move = decision.to === decision.from ? percent(decision.from) : `${percent(decision.from)} → ${percent(decision.to)}`;
  const color = decision.action === 'rollback' ? out.colors.red : decision.action === 'hold' ? (s: string) => s : out.colors.green;
  const writes = decision.action === 'advance' || decision.action === 'rollback';
  const note = !writes ? '' : !decision.dryRun ? '' : enabled ? ' (not written)' : ' (dry run: pass --enable to write)';
  out.line(`${time}  ${color(decision.action.padEnd(8))}  ${move}  ${decision.reasons.join('; ')}${note}`);
}

/** Sleeps `ms`, or less when the process is asked to stop; resolves true when it was. */
function pause(ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const stop = () => finish(true);
    const timer = setTimeout(() => finish(false), ms);
    function finish(stopped: boolean) {
      clearTimeout(timer);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve(stopped);
    }
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

async function runPlan({ positionals, values, io, out }: CommandContext, key: string): Promise<number> {
  const plan_ = values.plan;
  if (typeof plan_ !== 'string') throw usageError('rollout run: --plan <file> is needed (see docs/rollouts.md for its fields)');
  const environment = environmentOf(values, io);
  const intervalMs = parseInterval(values.interval);
  const enabled = values.enable === true;
  const once = values.once === true;
  if (positionals.length > 2) throw usageError(`rollout run: expected <key>, got ${quoteArguments(positionals.slice(1))}`);
  const prometheusUrl = values['prometheus-url'];
  if (prometheusUrl !== undefined && (typeof prometheusUrl !== 'string' || prometheusUrl === ''))
    throw usageError('rollout run: --prometheus-url needs the base URL of Prometheus, e.g. http://prometheus:9090');
  const { plan, prometheus } = await readPlanFile(plan_, io, key, environment, prometheusUrl);
  const { createMemoryLease, createPostgresLease, createPrometheusSource, createRolloutController, leaseName, validatePlan } = await import(
    '@tiqology/elite/rollouts'
  );
  // Both are checked before the store is opened: a bad plan never touches it.
  validatePlan(plan);
  const metrics = prometheus === undefined ? undefined : createPrometheusSource(prometheus);
  return withStore(values, io, async (store) => {
    // Two `rollout run`s on one flag: only the lease holder acts (PostgreSQL: across processes).
    const name = leaseName(key, environment);
    const lease = store.pool === undefined ? createMemoryLease(name) : createPostgresLease({ pool: store.pool, name });
    const controller = createRolloutController({
      lease,
      storage: store.storage,
      plan,
      metrics,
      enabled,
      logger: { warn: (m: string) => out.note(m), error: (m: string) => out.note(m) },
    });
    if (!enabled && !out.json) out.note(`dry run on ${store.label}: decisions are printed, nothing is written (--enable to act)`);
    try {
      for (;;) {
        const decision = await controller.check();
        printDecision(decision, out, enabled);
        if (once || decision.action === 'complete' || decision.action === 'rollback') return ROLLOUT_EXIT[decision.action];
        if (await pause(intervalMs)) return ROLLOUT_EXIT[decision.action];
      }
    } finally {
      await controller.close();
    }
  });
}

async function resume({ values, io, out }: CommandContext, key: string): Promise<number> {
  const environment = environmentOf(values, io);
  const { ROLLOUT_STATE_KEY } = await import('@tiqology/elite/rollouts');
  return withStore(values, io, async ({ storage }) => {
    const flag = await storage.getFlag(key, environment);
    if (flag === undefined) throw new CliError(`flag "${key}" not found in environment "${environment}"`);
    if (flag.metadata?.[ROLLOUT_STATE_KEY] === undefined) {
      if (out.json) out.data({ key, environment, resumed: false });
      else out.line(`${key}: not rolled back; nothing to resume`);
      return EXIT.OK;
    }
    const { [ROLLOUT_STATE_KEY]: _state, ...metadata } = flag.metadata;
    const { version, updatedAt: _at, ...definition } = flag as StoredFlag;
    const stored = await storage.writeFlag({ ...definition, metadata }, { expectedVersion: version, updatedBy: updatedBy(io) });
    if (out.json) out.data({ key, environment, resumed: true, rollout: stored.rollout, enabled: stored.enabled });
    else {
      out.line(`${key}: rollout state cleared; the next \`tiqology rollout run\` starts again from ${percent(stored.rollout ?? 100)}`);
      if (!stored.enabled) out.note(`${key} is disabled (kill switch); \`tiqology flags enable ${key}\` turns it back on`);
    }
    return EXIT.OK;
  });
}

const updatedBy = (io: CliIo) => (io.env.USER ? `${io.env.USER} via tiqology` : 'tiqology');

/** `tiqology rollout <run | resume> <key>`: see the help text in the command table. */
export async function run(context: CommandContext): Promise<number> {
  const [sub, key, ...extra] = context.positionals;
  if (sub === undefined) throw usageError(`rollout: a subcommand is needed: ${SUBCOMMANDS.join(', ')}`);
  if (!(SUBCOMMANDS as readonly string[]).includes(sub))
    throw usageError(`rollout: unknown subcommand "${sub}"${didYouMean(sub, SUBCOMMANDS)}; one of ${SUBCOMMANDS.join(', ')}`);
  if (key === undefined || key === '' || extra.length > 0)
    throw usageError(`rollout ${sub}: expected <key>, got ${quoteArguments(context.positionals.slice(1))}`);
  return sub === 'run' ? runPlan(context, key) : resume(context, key);
}
