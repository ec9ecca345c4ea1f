/**
 * A migration as `DatabaseMigrationSqlMi` JSON: the envelope, the request's properties without
 * secrets, the service's state and, with `$expand=MigrationStatusDetails`, every backup set and
 * file with its status (Ignored ones with their reasons).
 */
import { formatLsn, type BackupHeader } from '../../src/core/backup';
import type { Migration } from './migration';
import type { BackupFile } from './types';

function fileJson(f: BackupFile, familySequenceNumber = 1) {
  return {
    fileName: f.name,
    status: f.status,
    totalSize: f.size,
    dataRead: f.dataRead,
    dataWritten: f.dataWritten,
    copyThroughput: f.copyThroughput,
    copyDuration: f.copyDuration,
    familySequenceNumber,
  };
}

function setJson(h: BackupHeader, files: BackupFile[], restored: boolean, ignoreReasons: string[]) {
  return {
    backupSetId: h.backupSetId.toLowerCase(),
    firstLSN: formatLsn(h.firstLsn),
    lastLSN: formatLsn(h.lastLsn),
    backupType: h.backupType,
    listOfBackupFiles: files
      .map((f) => fileJson(f, f.reading?.header?.familySequenceNumber ?? 1))
      .sort((a, b) => a.familySequenceNumber - b.familySequenceNumber),
    backupStartDate: h.backupStartDate.toISOString(),
    ...(h.backupFinishDate && { backupFinishDate: h.backupFinishDate.toISOString() }),
    isBackupRestored: restored,
    hasBackupChecksums: h.hasChecksums,
    familyCount: h.familyCount,
    ignoreReasons,
  };
}

type SetJson = ReturnType<typeof setJson> | { listOfBackupFiles: ReturnType<typeof fileJson>[]; familyCount: number; isBackupRestored: boolean };

export function statusDetailsJson(m: Migration) {
  const restoredIds = new Set(m.restored.map((s) => s.backupSetId));
  const sets = new Map<string, { header: BackupHeader; files: BackupFile[] }>();
  const invalidFiles: string[] = [];
  for (const f of m.files.values()) {
    const h = f.reading?.header;
    if (!h || !(f.reading!.verdict === 'backup' || f.reading!.verdict === 'stripe')) {
      if (f.reading) invalidFiles.push(f.name);
      continue;
    }
    let s = sets.get(h.backupSetId);
    if (!s) sets.set(h.backupSetId, (s = { header: h, files: [] }));
    if (h.familySequenceNumber === 1) s.header = h;
    s.files.push(f);
  }
  const active: SetJson[] = [];
  let full: ReturnType<typeof setJson> | undefined;
  let lastRestored: ReturnType<typeof setJson> | undefined;
  for (const [id, s] of sets) {
    const reasons = [...new Set(s.files.filter((f) => f.status === 'Ignored' && f.ignoreReason).map((f) => f.ignoreReason!))];
    const json = setJson(s.header, s.files, restoredIds.has(id), reasons);
    active.push(json);
    if (s.header.backupType === 'Database' && (restoredIds.has(id) || m.plan?.plan[0]?.backupSetId === id)) full = json;
    if (m.restored.length && m.restored[m.restored.length - 1]!.backupSetId === id) lastRestored = json;
  }
  // Files the runtime has seen in the share but not uploaded yet: their headers are not read yet.
  for (const r of m.shareFiles.values()) {
    if (m.files.has(r.name)) continue;
    active.push({
      listOfBackupFiles: [{ fileName: r.name, status: r.status, totalSize: r.size, dataRead: r.dataWritten, dataWritten: r.dataWritten, copyThroughput: r.copyThroughput, copyDuration: r.copyDuration, familySequenceNumber: 1 }],
      familyCount: 1,
      isBackupRestored: false,
    });
  }
  active.sort((a, b) => ('firstLSN' in a ? ('firstLSN' in b ? (BigInt(a.firstLSN) < BigInt(b.firstLSN) ? -1 : BigInt(a.firstLSN) > BigInt(b.firstLSN) ? 1 : 0) : -1) : 'firstLSN' in b ? 1 : 0));

  const lastRestoredStep = m.restored[m.restored.length - 1];
  const currentFile = m.current?.files[0];
  return {
    migrationState: migrationState(m),
    ...(full && { fullBackupSetInfo: full }),
    ...(lastRestored && { lastRestoredBackupSetInfo: lastRestored }),
    activeBackupSets: active,
    invalidFiles: invalidFiles.sort(),
    blobContainerName: m.container,
    isFullBackupRestored: m.restored.length > 0,
    ...(m.blockingReason && { restoreBlockingReason: m.blockingReason }),
    ...(m.completeRestoreErrorMessage && { completeRestoreErrorMessage: m.completeRestoreErrorMessage }),
    fileUploadBlockingErrors: m.fileUploadBlockingErrors,
    ...(currentFile && { currentRestoringFilename: currentFile.slice(currentFile.lastIndexOf('/') + 1) }),
    ...(lastRestoredStep && { lastRestoredFilename: lastRestoredStep.files[lastRestoredStep.files.length - 1]!.split('/').pop() }),
    pendingLogBackupsCount: m.pendingLogBackupsCount(),
  };
}

function migrationState(m: Migration): string {
  switch (m.migrationStatus) {
    case 'Creating':
      return 'Initializing';
    case 'Completing':
      return 'CompletingMigration';
    case 'Succeeded':
      return 'Completed';
    case 'Canceling':
    case 'Canceled':
      return 'Cancelled';
    case 'Failed':
      return 'Failed';
  }
  if (m.blockingReason) return 'Blocked';
  if (m.current) return m.current.backupType === 'TransactionLog' ? 'RestoringLogBackups' : 'RestoringFullBackup';
  if (m.restored.length === 0) return 'WaitForFullBackupUploadOperation';
  return 'WaitForLogBackupUploadOperation';
}

const summaries = new WeakMap<Migration, { version: number; json: ReturnType<typeof build> }>();

/** The migration as GET answers it; lists reuse the summary until the migration changes. */
export function migrationJson(m: Migration, expand: boolean) {
  if (expand) return build(m, true);
  const cached = summaries.get(m);
  if (cached && cached.version === m.version) return cached.json;
  const json = build(m, false);
  summaries.set(m, { version: m.version, json });
  return json;
}

function build(m: Migration, expand: boolean) {
  const props: Record<string, unknown> = {
    ...m.request,
    kind: 'SqlMi',
    provisioningState: m.provisioningState,
    migrationStatus: m.migrationStatus,
    startedOn: m.startedOn,
    ...(m.endedOn && { endedOn: m.endedOn }),
    migrationOperationId: m.operationId,
    ...(m.failure && { migrationFailureError: m.failure }),
    ...(m.provisioningError && { provisioningError: m.provisioningError }),
  };
  if (expand) props.migrationStatusDetails = statusDetailsJson(m);
  return { id: m.id, name: m.name, type: 'Microsoft.DataMigration/databaseMigrations', properties: props };
}
