/**
 * The auto-scaling loop around `decide`: `autoscale` (autoscale.ts) wires the checked options
 * (options.ts), the audit log (audit-log.ts) and one tick at a time (tick.ts). Types in types.ts.
 */
export { autoscale } from './autoscale.js';
export type { AuditRecord, AutoscaleDecision, AutoscaleOptions, AutoscaleOutcome, Autoscaler, ScaleAction } from './types.js';
