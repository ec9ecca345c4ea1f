/**
 * A migration's backup files as the view lays them out: the core's files (backupFiles.ts, with
 * their states and why a file is ignored) under the backup set each belongs to, the sets in LSN
 * order. Files the service cannot use at all (invalidFiles) are left to the problems.
 */
import type { BackupFileView } from '../../core/migration/backupFiles';
import type { DatabaseMigrationJson } from './dmsShape';
import { backupFilesOf } from './statusRules';

export interface BackupFileShown extends BackupFileView {
  /** KB/s while uploading (the service's figure). */
  copyThroughput?: number;
}

export interface BackupSetShown {
  /** Stable across refreshes: the type and LSN range. */
  key: string;
  backupType?: string;
  firstLsn?: string;
  lastLsn?: string;
  backupFinishDate?: string;
  /** Every file restored, or every file ignored. */
  state?: 'Restored' | 'Ignored';
  /** Why the service ignores it (the core's words). */
  reason?: string;
  /** How many stripes the backup was written to (more than listed: a stripe is missing). */
  familyCount: number;
  /** False when the backup was written without checksums; undefined when the service did not say. */
  hasBackupChecksums?: boolean;
  files: BackupFileShown[];
}

const setKey = (type: string | undefined, first: string | undefined, last: string | undefined) => `${type ?? ''}|${first ?? ''}|${last ?? ''}`;

/** Figures the core's file view does not carry (stripe count, checksums, throughput), by set and file. */
function figuresOf(m: DatabaseMigrationJson) {
  const d = m.properties?.migrationStatusDetails;
  const sets = new Map<string, { familyCount?: number; hasBackupChecksums?: boolean; throughput: Map<string, number> }>();
  for (const s of [d?.fullBackupSetInfo, d?.lastRestoredBackupSetInfo, ...(d?.activeBackupSets ?? [])]) {
    if (!s) continue;
    const k = setKey(s.backupType, s.firstLSN, s.lastLSN);
    const figures = sets.get(k) ?? { throughput: new Map<string, number>() };
    if (s.familyCount !== undefined) figures.familyCount = s.familyCount;
    if (s.hasBackupChecksums !== undefined) figures.hasBackupChecksums = s.hasBackupChecksums;
    for (const f of s.listOfBackupFiles ?? []) if (f.fileName && f.copyThroughput !== undefined) figures.throughput.set(f.fileName, f.copyThroughput);
    sets.set(k, figures);
  }
  return sets;
}

/** LSNs are decimal strings that exceed 2^53: compare them as bigints. */
function lsnKey(text: string | undefined): bigint {
  return text && /^\d+$/.test(text) ? BigInt(text) : -1n;
}

function byFirstLsn(a: BackupSetShown, b: BackupSetShown): number {
  const x = lsnKey(a.firstLsn);
  const y = lsnKey(b.firstLsn);
  return x === y ? (a.backupFinishDate ?? '').localeCompare(b.backupFinishDate ?? '') : x < y ? -1 : 1;
}

export function backupSetsOf(m: DatabaseMigrationJson): BackupSetShown[] {
  const invalid = new Set(m.properties?.migrationStatusDetails?.invalidFiles ?? []);
  const figures = figuresOf(m);
  const sets = new Map<string, BackupSetShown>();
  for (const f of backupFilesOf(m)) {
    if (f.backupType === undefined && invalid.has(f.fileName)) continue;
    const key = setKey(f.backupType, f.firstLsn, f.lastLsn);
    const known = figures.get(key);
    let set = sets.get(key);
    if (!set) {
      set = {
        key,
        ...(f.backupType && { backupType: f.backupType }),
        ...(f.firstLsn && { firstLsn: f.firstLsn }),
        ...(f.lastLsn && { lastLsn: f.lastLsn }),
        ...(f.backupFinishDate && { backupFinishDate: f.backupFinishDate }),
        familyCount: known?.familyCount ?? 1,
        ...(known?.hasBackupChecksums !== undefined && { hasBackupChecksums: known.hasBackupChecksums }),
        files: [],
      };
      sets.set(key, set);
    }
    const throughput = known?.throughput.get(f.fileName);
    set.files.push(throughput === undefined ? f : { ...f, copyThroughput: throughput });
  }
  for (const set of sets.values()) {
    set.familyCount = Math.max(set.familyCount, set.files.length);
    if (set.files.every((f) => f.state === 'Restored')) set.state = 'Restored';
    else if (set.files.every((f) => f.state === 'Ignored')) {
      set.state = 'Ignored';
      if (set.files[0]?.reason) set.reason = set.files[0].reason;
    }
  }
  return [...sets.values()].sort(byFirstLsn);
}

/** What to call a file's state: the core's word, or the service's own when the core does not know it. */
export function fileStatusText(f: BackupFileView): string {
  return f.state === 'Unknown' ? f.rawStatus ?? 'Unknown' : f.state;
}
