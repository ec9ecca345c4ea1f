/**
 * Starts every database of a plan with bounded concurrency. One database's failure never stops
 * the others: each gets its own result, with the service's reason when it failed.
 */
import { mapBounded } from '../backup/scan';
import type { DmsClient } from '../azure/dms/client';
import { toDmsRequest, type MigrationPlan, type PlannedDatabase } from './plan';
import { statusOf } from './status';

export interface StartResult {
  source: string;
  target: string;
  migrationId: string;
  ok: boolean;
  /** The operation to quote for cutover and cancel. */
  migrationOperationId?: string;
  status?: string;
  error?: string;
}

export interface StartOptions {
  /** Databases started at once (default 4): DMS and ARM throttle bursts. */
  concurrency?: number;
  signal?: AbortSignal;
  pollIntervalMs?: number;
  /** Called as each database's start finishes. */
  onResult?: (result: StartResult) => void;
}

export async function startMigrations(dms: Pick<DmsClient, 'createMigration'>, plan: MigrationPlan, options: StartOptions = {}): Promise<StartResult[]> {
  return mapBounded(
    plan.planned,
    options.concurrency ?? 4,
    async (db: PlannedDatabase): Promise<StartResult> => {
      const base = { source: db.source, target: db.target, migrationId: db.migrationId };
      let result: StartResult;
      try {
        const req = toDmsRequest(plan, db);
        const m = await dms.createMigration(req.ref, req.body, {
          secrets: req.secrets,
          ...(options.signal && { signal: options.signal }),
          ...(options.pollIntervalMs !== undefined && { pollIntervalMs: options.pollIntervalMs }),
        });
        const opId = m.properties?.migrationOperationId;
        result = { ...base, ok: true, status: statusOf(m), ...(opId && { migrationOperationId: opId }) };
      } catch (e) {
        if ((e as Error).name === 'AbortError') throw e;
        result = { ...base, ok: false, error: (e as Error).message };
      }
      options.onResult?.(result);
      return result;
    },
    options.signal,
  );
}
