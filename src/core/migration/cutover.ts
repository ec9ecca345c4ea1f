/**
 * Cutover: the one step that can lose data. The guard reads the migration fresh (status is
 * read, not remembered) and refuses while the full backup is not restored, log backups are
 * pending, or the service reports a reason the restore is blocked. A DBA who knows better may
 * force the last two with an explicit reason; nothing forces a cutover the service itself
 * cannot do (offline, finished, no operation).
 */
import { mapBounded } from '../backup/scan';
import type { DmsClient, MigrationRef } from '../azure/dms/client';
import type { DatabaseMigrationSqlMi } from '../azure/dms/models';
import { pendingLogBackups } from './backupFiles';
import { isFullBackupRestored, isOnline, isTerminal, statusOf } from './status';

export interface CutoverForce {
  /** Why the DBA cuts over anyway; required, shown in results and logs. */
  reason: string;
}

export interface CutoverCheck {
  allowed: boolean;
  /** What keeps the cutover from being safe (empty when allowed without force). */
  blockers: string[];
  /** True when allowed only because of `force`. */
  forced: boolean;
  migrationOperationId?: string;
}

export function checkCutover(m: DatabaseMigrationSqlMi, force?: CutoverForce): CutoverCheck {
  if (force && !force.reason?.trim()) throw new Error('forcing a cutover needs an explicit reason');
  const status = statusOf(m);
  const opId = m.properties?.migrationOperationId;
  const hard: string[] = [];
  const soft: string[] = [];
  if (!m.properties?.migrationStatusDetails) hard.push('the migration details were not read ($expand=MigrationStatusDetails)');
  if (!isOnline(m)) hard.push('this is an offline migration: it completes by itself after the last backup is restored');
  if (isTerminal(m) || status === 'Completing' || status === 'Canceling') hard.push(`the migration is ${status}`);
  if (!opId) hard.push('the service reports no migration operation id');
  if (m.properties?.migrationStatusDetails && !isFullBackupRestored(m)) hard.push('the full backup is not restored yet');
  const d = m.properties?.migrationStatusDetails;
  if (d?.restoreBlockingReason) soft.push(`the restore is blocked: ${d.restoreBlockingReason}`);
  const pending = pendingLogBackups(m);
  if (pending > 0) soft.push(`${pending} log backup${pending === 1 ? ' is' : 's are'} not restored yet: take the last log backup, wait until it is restored, then cut over`);
  if (!hard.length && !soft.length && status !== 'ReadyForCutover') soft.push(`the service does not report ReadyForCutover yet (it says ${status})`);
  const blockers = [...hard, ...soft];
  const allowed = hard.length === 0 && (soft.length === 0 || Boolean(force));
  return { allowed, blockers, forced: allowed && soft.length > 0, ...(opId && { migrationOperationId: opId }) };
}

export type CutoverOutcome = 'completed' | 'refused' | 'failed';

export interface CutoverResult {
  ref: MigrationRef;
  outcome: CutoverOutcome;
  blockers: string[];
  forced: boolean;
  error?: string;
}

export interface CutoverOptions {
  force?: CutoverForce;
  concurrency?: number;
  signal?: AbortSignal;
  pollIntervalMs?: number;
  onResult?: (r: CutoverResult) => void;
}

/** Cuts over many databases: each is read fresh, checked, then cut over; every one gets a result. */
export async function cutoverMany(
  dms: Pick<DmsClient, 'getMigration' | 'cutoverMigration'>,
  refs: readonly MigrationRef[],
  options: CutoverOptions = {},
): Promise<CutoverResult[]> {
  return mapBounded(
    refs,
    options.concurrency ?? 4,
    async (ref) => {
      let result: CutoverResult;
      try {
        const m = await dms.getMigration(ref, { expand: true, ...(options.signal && { signal: options.signal }) });
        const check = checkCutover(m, options.force);
        if (!check.allowed) {
          result = { ref, outcome: 'refused', blockers: check.blockers, forced: false };
        } else {
          await dms.cutoverMigration(ref, check.migrationOperationId!, {
            ...(options.signal && { signal: options.signal }),
            ...(options.pollIntervalMs !== undefined && { pollIntervalMs: options.pollIntervalMs }),
          });
          result = { ref, outcome: 'completed', blockers: check.blockers, forced: check.forced };
        }
      } catch (e) {
        if ((e as Error).name === 'AbortError') throw e;
        result = { ref, outcome: 'failed', blockers: [], forced: false, error: (e as Error).message };
      }
      options.onResult?.(result);
      return result;
    },
    options.signal,
  );
}
