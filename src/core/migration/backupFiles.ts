/**
 * Every backup file the service knows for a migration, with its state (Arrived, Uploading,
 * Uploaded, Restoring, Restored, or Ignored with the reason): what the dashboard and
 * `sqlmig migrate status` list, and what the cutover guard counts as pending.
 */
import type { DatabaseMigration, DatabaseMigrationSqlMi, SqlBackupSetInfo } from '../azure/dms/models';

export type FileState = 'Arrived' | 'Uploading' | 'Uploaded' | 'Restoring' | 'Restored' | 'Ignored' | 'Canceled' | 'Unknown';

export interface BackupFileView {
  fileName: string;
  state: FileState;
  /** The service's word when it is not one of ours. */
  rawStatus?: string;
  backupType?: string;
  firstLsn?: string;
  lastLsn?: string;
  backupFinishDate?: string;
  totalSize?: number;
  dataWritten?: number;
  familySequenceNumber?: number;
  /** Why the service ignores it (Ignored files only). */
  reason?: string;
}

function stateOf(status: string | undefined, set: SqlBackupSetInfo): FileState {
  if (set.ignoreReasons?.length) return 'Ignored';
  if (set.isBackupRestored) return 'Restored';
  switch ((status ?? '').toLowerCase()) {
    case 'arrived':
    case 'initial':
    case 'queued':
      return 'Arrived';
    case 'uploading':
      return 'Uploading';
    case 'uploaded':
      return 'Uploaded';
    case 'restoring':
      return 'Restoring';
    case 'restored':
      return 'Restored';
    case 'ignored':
    case 'skipped':
      return 'Ignored';
    case 'canceled':
    case 'cancelled':
      return 'Canceled';
    default:
      return 'Unknown';
  }
}

const KNOWN = new Set(['arrived', 'initial', 'queued', 'uploading', 'uploaded', 'restoring', 'restored', 'ignored', 'skipped', 'canceled', 'cancelled']);

export function backupFiles(m: DatabaseMigration | DatabaseMigrationSqlMi): BackupFileView[] {
  const d = m.properties?.migrationStatusDetails;
  if (!d) return [];
  const sets: SqlBackupSetInfo[] = [];
  const seen = new Set<string>();
  for (const s of [d.fullBackupSetInfo, d.lastRestoredBackupSetInfo, ...(d.activeBackupSets ?? [])]) {
    if (!s) continue;
    const key = s.backupSetId ?? `${s.firstLSN}-${s.lastLSN}-${s.backupType}`;
    if (seen.has(key)) continue;
    seen.add(key);
    sets.push(s);
  }
  const files: BackupFileView[] = [];
  for (const s of sets) {
    for (const f of s.listOfBackupFiles ?? []) {
      const state = stateOf(f.status, s);
      files.push({
        fileName: f.fileName ?? '(unnamed)',
        state,
        ...(f.status && !KNOWN.has(f.status.toLowerCase()) && { rawStatus: f.status }),
        ...(s.backupType && { backupType: s.backupType }),
        ...(s.firstLSN && { firstLsn: s.firstLSN }),
        ...(s.lastLSN && { lastLsn: s.lastLSN }),
        ...(s.backupFinishDate && { backupFinishDate: s.backupFinishDate }),
        ...(f.totalSize !== undefined && { totalSize: f.totalSize }),
        ...(f.dataWritten !== undefined && { dataWritten: f.dataWritten }),
        ...(f.familySequenceNumber !== undefined && { familySequenceNumber: f.familySequenceNumber }),
        ...(state === 'Ignored' && { reason: s.ignoreReasons?.join('; ') || 'ignored by the service' }),
      });
    }
  }
  for (const name of d.invalidFiles ?? []) {
    if (!files.some((f) => f.fileName === name)) files.push({ fileName: name, state: 'Ignored', reason: 'not a valid backup file for this database' });
  }
  return files.sort((a, b) => (a.backupFinishDate ?? '').localeCompare(b.backupFinishDate ?? '') || a.fileName.localeCompare(b.fileName));
}

/** Log backups the service has seen but not restored (nor ignored). */
export function pendingLogBackups(m: DatabaseMigration | DatabaseMigrationSqlMi): number {
  const reported = m.properties?.migrationStatusDetails?.pendingLogBackupsCount;
  const listed = backupFiles(m).filter((f) => f.backupType === 'TransactionLog' && f.state !== 'Restored' && f.state !== 'Ignored').length;
  return Math.max(reported ?? 0, listed);
}
