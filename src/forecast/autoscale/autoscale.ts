/**
 * The auto-scaling loop: `autoscale()` checks its options (options.ts), then wires the state, the
 * audit log (audit-log.ts) and one tick at a time (tick.ts) behind the {@link Autoscaler} handle.
 * @packageDocumentation
 */
import { toSafeLogger } from '../../internal/logger.js';
import { createAuditLog } from './audit-log.js';
import { invalidOption, resolveAutoscaleOptions } from './options.js';
import { runTick, type ScalerState } from './tick.js';
import type { AuditRecord, AutoscaleOptions, Autoscaler } from './types.js';

/**
 * An auto-scaling loop around a decision function: acts only when the decision is to scale, its
 * confidence is at least `minConfidence`, the cooldown since the last `execute` call has passed
 * and the target (clamped to [minReplicas, maxReplicas]) differs from the current count. Every
 * tick leaves an audit record saying what was decided and why it was or was not acted on.
 * `dryRun` is on by default: turn it off once the log shows the decisions you want.
 *
 * Throws `INVALID_OPTIONS` for bad options; after that nothing throws: failures of `decide` and
 * `execute` become audit records and logger lines.
 *
 * @example
 * const scaler = autoscale({
 *   decide: async () => decide({ forecast: await nextHours(), capacity: 5000 }),
 *   execute: ({ toReplicas }) => k8s.scale('api', toReplicas),
 *   cooldownMs: 10 * 60_000, minReplicas: 2, maxReplicas: 20, dryRun: false,
 * });
 * scaler.start(60_000);
 */
export function autoscale(options: AutoscaleOptions): Autoscaler {
  const settings = resolveAutoscaleOptions(options);
  const logger = toSafeLogger(options.logger);
  const audit = createAuditLog(settings.maxAuditRecords, options, logger);
  const state: ScalerState = { replicas: settings.replicas, lastExecuteAt: undefined };
  let inFlight: Promise<AuditRecord> | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;

  const tick = (): Promise<AuditRecord> => {
    // One tick at a time: a second execute must not start while the first is pending.
    inFlight ??= runTick({ options, settings, state, audit, logger }).finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };

  return {
    tick,
    start(intervalMs) {
      if (!Number.isInteger(intervalMs) || intervalMs < 1) invalidOption('intervalMs', 'must be a whole number of ms >= 1', intervalMs);
      if (timer !== undefined) clearInterval(timer);
      timer = setInterval(() => void tick(), intervalMs);
      (timer as { unref?: () => void }).unref?.();
    },
    stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
    },
    get auditLog() {
      return audit.records;
    },
    get droppedAuditRecords() {
      return audit.dropped;
    },
    get replicas() {
      return state.replicas;
    },
  };
}
