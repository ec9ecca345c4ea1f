/**
 * A Log Replay Service restore as `ManagedDatabaseRestoreDetailsResult` JSON: its status, the
 * files it found, queued, skipped, restored or cannot restore, every backup set by type with its
 * first stripe's name, and why it is blocked or failed (blockReason).
 */
import type { BackupHeader } from '../../src/core/backup';
import type { LogReplay } from './logReplay';
import type { BackupFile } from './types';

const MB = 1024 * 1024;

function setStatus(files: BackupFile[], restoring: boolean): string {
  if (files.every((f) => f.status === 'Restored')) return 'Restored';
  if (restoring || files.some((f) => f.status === 'Restoring')) return 'Restoring';
  if (files.some((f) => f.status === 'Ignored')) return 'Skipped';
  return 'Queued';
}

export function restoreDetailsJson(r: LogReplay) {
  const sets = new Map<string, { header: BackupHeader; files: BackupFile[] }>();
  const unrestorable: BackupFile[] = [];
  for (const f of r.files.values()) {
    const h = f.reading?.header;
    if (!f.reading) continue;
    if (!h || !(f.reading.verdict === 'backup' || f.reading.verdict === 'stripe')) {
      unrestorable.push(f);
      continue;
    }
    let s = sets.get(h.backupSetId);
    if (!s) sets.set(h.backupSetId, (s = { header: h, files: [] }));
    if (h.familySequenceNumber === 1) s.header = h;
    s.files.push(f);
  }
  const full: unknown[] = [];
  const diff: unknown[] = [];
  const log: unknown[] = [];
  const ordered = [...sets.values()].sort((a, b) => (a.header.firstLsn < b.header.firstLsn ? -1 : a.header.firstLsn > b.header.firstLsn ? 1 : 0));
  for (const s of ordered) {
    const first = s.files.find((f) => f.reading?.header?.familySequenceNumber === 1) ?? s.files[0]!;
    const restoredAt = s.files.map((f) => f.restoredAt).filter(Boolean).sort().at(-1);
    const json = {
      status: setStatus(s.files, r.current?.backupSetId === s.header.backupSetId),
      firstStripeName: first.name,
      numberOfStripes: s.header.familyCount,
      backupSizeMB: Math.round(s.files.reduce((n, f) => n + f.size, 0) / MB),
      ...(restoredAt && { restoreFinishedTimestampUtc: restoredAt }),
    };
    (s.header.backupType === 'Database' ? full : s.header.backupType === 'DifferentialDatabase' ? diff : log).push(json);
  }
  const files = [...r.files.values()];
  const count = (status: BackupFile['status']) => files.filter((f) => f.reading && f.status === status).length;
  const planBytes = (r.plan?.plan ?? []).flatMap((s) => s.files).length ? files.filter((f) => f.status === 'Restored' || (f.reading && r.pendingSteps().some((s) => s.files.includes(f.reading!.path)))).reduce((n, f) => n + f.size, 0) : 0;
  const restoredBytes = files.filter((f) => f.status === 'Restored').reduce((n, f) => n + f.size, 0);
  const newest = files.filter((f) => f.detectedAt).sort((a, b) => a.detectedAt!.localeCompare(b.detectedAt!) || a.name.localeCompare(b.name)).at(-1);
  const lastRestored = r.lastRestoredFileName();
  const lastRestoredAt = files.find((f) => f.name === lastRestored)?.restoredAt;
  const current = r.current?.files[0]?.split('/').pop();
  const blockReason = r.status === 'Failed' ? r.failure : r.blockingReason;
  return {
    id: `${r.id}/restoreDetails/current`,
    name: 'current',
    type: 'Microsoft.Sql/managedInstances/databases/restoreDetails',
    properties: {
      type: r.autoComplete ? 'LRSAutoComplete' : 'LRSContinuous',
      status: r.status,
      ...(blockReason && { blockReason }),
      ...(newest && { lastUploadedFileName: newest.name, lastUploadedFileTime: newest.detectedAt }),
      ...(lastRestored && { lastRestoredFileName: lastRestored }),
      ...(lastRestoredAt && { lastRestoredFileTime: lastRestoredAt }),
      percentCompleted: r.status === 'Completed' ? 100 : planBytes ? Math.floor((restoredBytes / planBytes) * 100) : 0,
      currentRestoredSizeMB: Math.round(restoredBytes / MB),
      currentRestorePlanSizeMB: Math.round(planBytes / MB),
      ...(r.current && { currentBackupType: r.current.backupType, ...(current && { currentRestoringFileName: current }) }),
      numberOfFilesDetected: files.length,
      numberOfFilesQueued: count('Arrived'),
      numberOfFilesSkipped: count('Ignored'),
      numberOfFilesRestoring: count('Restoring'),
      numberOfFilesRestored: count('Restored'),
      numberOfFilesUnrestorable: unrestorable.length,
      fullBackupSets: full,
      diffBackupSets: diff,
      logBackupSets: log,
      unrestorableFiles: unrestorable.map((f) => ({ name: f.name })),
    },
  };
}
