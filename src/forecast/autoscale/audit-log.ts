/**
 * The autoscaler's audit log: the last `maxRecords` records in memory, oldest dropped first,
 * each also handed to the caller's `onAudit`, whose failures are logged and never reach the loop.
 * @packageDocumentation
 */
import { messageOf } from '../../internal/errors.js';
import type { SafeLogger } from '../../internal/logger.js';
import type { AuditRecord, AutoscaleOptions } from './types.js';

/** A bounded list of audit records. */
export interface AuditLog {
  /** Oldest first; at most `maxRecords`. */
  readonly records: readonly AuditRecord[];
  /** Records dropped because of the cap. */
  readonly dropped: number;
  /** Appends `entry`, drops the oldest past the cap, calls `onAudit`; returns `entry`. */
  record(entry: AuditRecord): AuditRecord;
}

/** An empty {@link AuditLog}. `onAudit` is read from `options` at each record, as the caller set it. */
export function createAuditLog(maxRecords: number, options: Pick<AutoscaleOptions, 'onAudit'>, logger: SafeLogger): AuditLog {
  const records: AuditRecord[] = [];
  let dropped = 0;
  return {
    records,
    get dropped() {
      return dropped;
    },
    record(entry) {
      records.push(entry);
      if (records.length > maxRecords) {
        records.shift();
        dropped++;
      }
      if (options.onAudit) {
        try {
          options.onAudit(entry);
        } catch (error) {
          logger.warn(`elite/forecast: onAudit threw: ${messageOf(error)}`);
        }
      }
      return entry;
    },
  };
}
