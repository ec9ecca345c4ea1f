/**
 * The rules the view applies, each one the core's (src/core/migration: status.ts, backupFiles.ts,
 * cutover.ts, operations.ts; the same ones sqlmig uses), read off the service's JSON: the heading
 * a migration goes under, what it allows (and, when not, the core's reason), the log backups it
 * waits for, its backup files. `MigrationRules` is the seam the UI tests use. Pure functions,
 * loaded with the view (no Azure SDK behind them).
 */
import { backupFiles, pendingLogBackups as corePendingLogBackups, type BackupFileView } from '../../core/migration/backupFiles';
import { checkCutover } from '../../core/migration/cutover';
import { cancelRefusal, deleteRefusal } from '../../core/migration/operations';
import { isOnline, mayCutover, normalizeStatus, statusOf as coreStatusOf } from '../../core/migration/status';
import type { DatabaseMigrationSqlMi } from '../../core/azure/dms/models';
import type { DatabaseMigrationJson } from './dmsShape';

export type StatusGroup = 'ready' | 'inProgress' | 'completing' | 'failed' | 'succeeded' | 'canceled';

export const GROUP_ORDER: readonly StatusGroup[] = ['ready', 'inProgress', 'completing', 'failed', 'succeeded', 'canceled'];

export type Allowed = { ok: true } | { ok: false; reason: string };

export interface MigrationRules {
  canCutover(m: DatabaseMigrationJson): Allowed;
  canCancel(m: DatabaseMigrationJson): Allowed;
  canDelete(m: DatabaseMigrationJson): Allowed;
}

/** The service's JSON as the core's model (the same wire shape, read by the same code). */
export const asCore = (m: DatabaseMigrationJson) => m as unknown as DatabaseMigrationSqlMi;

/** The status to show: migrationStatus, or what provisioning says while the service has none yet. */
export function statusOf(m: DatabaseMigrationJson): string {
  return coreStatusOf(asCore(m));
}

/** Status -> its heading: a refresh of a thousand migrations asks for a handful of statuses a thousand times. */
const headings = new Map<string, StatusGroup>();

/** The heading a status goes under; the core spells the status (any case, "Cancelled"). */
export function groupOf(status: string): StatusGroup {
  let group = headings.get(status);
  if (!group) {
    // Statuses are the service's few words; a service inventing many would only refill this.
    if (headings.size >= 256) headings.clear();
    headings.set(status, (group = headingOf(status)));
  }
  return group;
}

function headingOf(status: string): StatusGroup {
  switch (normalizeStatus(status)) {
    case 'ReadyForCutover': return 'ready';
    case 'Completing': return 'completing';
    case 'Failed': return 'failed';
    case 'Succeeded': return 'succeeded';
    case 'Canceled': return 'canceled';
    // InProgress, Creating, Uploading*, Restoring, Retriable, Canceling, and any state the service adds later.
    default: return 'inProgress';
  }
}

export function isOffline(m: DatabaseMigrationJson): boolean {
  return !isOnline(asCore(m));
}

/** Log backups seen but not restored (the core's count); unknown until the details are read. */
export function pendingLogBackups(m: DatabaseMigrationJson): number | undefined {
  return m.properties?.migrationStatusDetails ? corePendingLogBackups(asCore(m)) : undefined;
}

/** Every backup file the service reports, with the core's state (and why it is ignored). */
export function backupFilesOf(m: DatabaseMigrationJson): BackupFileView[] {
  return backupFiles(asCore(m));
}

const refused = (reason: string | undefined): Allowed => (reason ? { ok: false, reason } : { ok: true });

export const coreRules: MigrationRules = {
  canCutover(m) {
    // Without its details (not read yet), a migration the service calls ready is offered: the guard reads it fresh.
    if (mayCutover(asCore(m))) return { ok: true };
    return { ok: false, reason: checkCutover(asCore(m)).blockers[0] ?? `the migration is ${statusOf(m)}` };
  },
  canCancel: (m) => refused(cancelRefusal(asCore(m))),
  canDelete: (m) => refused(deleteRefusal(asCore(m))),
};
