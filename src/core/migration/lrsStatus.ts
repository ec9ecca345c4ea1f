/**
 * What a Log Replay Service restore is doing, read from the managed database and its restore
 * details, in the words the dashboard and `sqlmig migrate status` already use: a status
 * (InProgress, ReadyForCutover, Completing, Succeeded, Failed) and every backup file in the same
 * states as a migration's (Arrived, Restoring, Restored, or Ignored with the reason LRS gives:
 * skipped, or unrestorable with its block reason). LRS reports backup sets by type with their
 * first stripe's name and no LSNs; the guard gets LSNs from the backup location.
 *
 * Status is read, not remembered: the mode and the backup location come from the tags sqlmig
 * put on the database when it started the restore (LRS_TAGS); a restore someone else started
 * shows without them.
 */
import { LRS_TAGS, managedDatabaseIdOf, type ManagedDatabase, type ManagedDatabaseRestoreDetails, type RestoreDetailsBackupSet, type RestoreRef } from '../azure/lrs/models';
import type { BackupFileView, FileState } from './backupFiles';
import type { CutoverSubject } from './cutover';
import { LRS_MAX_RESTORE_DAYS } from './lrsChecks';
import type { LrsMode } from './lrsPlan';

export interface LrsRestoreView {
  ref: RestoreRef;
  /** The managed database's id. */
  id: string;
  /** Our word: Creating, InProgress, ReadyForCutover, Completing, Succeeded, Failed, Canceling. */
  status: string;
  /** The database's own status (Restoring, Online, ...). */
  databaseStatus: string;
  /** The restore details' own status, as the service says it. */
  restoreStatus?: string;
  /** continuous or autocomplete, when known (tags, or the details' type). */
  mode?: LrsMode;
  sourceDatabase?: string;
  /** From the tags: where the restore reads. */
  storageAccountId?: string;
  /** container/folder */
  folder?: string;
  lastBackupName?: string;
  files: BackupFileView[];
  fullBackupRestored: boolean;
  lastRestoredFile?: string;
  lastUploadedFile?: string;
  currentRestoringFile?: string;
  percentCompleted?: number;
  /** Files the service has found and not restored yet (queued or restoring), when it counts them. */
  pendingReported?: number;
  blockReason?: string;
  /** When the restore began, and when the 30-day limit ends it. */
  startedOn?: string;
  deadline?: string;
  /** The details were read (restoreDetails). */
  detailed: boolean;
  /** What the service reports wrong, and what is coming (the 30-day limit). */
  problems: string[];
}

const lower = (s: string | undefined) => (s ?? '').toLowerCase();
const DAY = 86_400_000;
const SKIPPED = 'skipped by the Log Replay Service: the restore does not need it (superseded, or its log records are already restored)';

/** A backup set's status as one of our file states. */
export function lrsFileState(status: string | undefined): FileState {
  switch (lower(status).replace(/[\s_-]/g, '')) {
    case 'restored':
    case 'completed':
    case 'succeeded':
      return 'Restored';
    case 'restoring':
    case 'inprogress':
      return 'Restoring';
    case 'queued':
    case 'detected':
    case 'uploaded':
    case 'pending':
    case 'waiting':
    case 'notstarted':
    case 'arrived':
      return 'Arrived';
    case 'skipped':
    case 'ignored':
    case 'unrestorable':
    case 'failed':
    case 'corrupted':
      return 'Ignored';
    case 'canceled':
    case 'cancelled':
      return 'Canceled';
    default:
      return 'Unknown';
  }
}

const unrestorable = (blockReason: string | undefined) =>
  `the Log Replay Service cannot restore it${blockReason ? `: ${blockReason}` : ' (not a backup of this database, damaged, or not readable)'}`;

/** Every backup file the restore details name, in our states, with the reasons LRS gives. */
export function lrsBackupFiles(details: ManagedDatabaseRestoreDetails | undefined): BackupFileView[] {
  const p = details?.properties;
  if (!p) return [];
  const files: BackupFileView[] = [];
  const add = (sets: RestoreDetailsBackupSet[] | undefined, backupType: string) => {
    for (const s of sets ?? []) {
      if (!s.firstStripeName) continue;
      const state = lrsFileState(s.status);
      const skipped = ['skipped', 'ignored'].includes(lower(s.status));
      files.push({
        fileName: s.firstStripeName,
        state,
        ...(state === 'Unknown' && s.status && { rawStatus: s.status }),
        backupType,
        ...(s.restoreFinishedTimestampUtc && { backupFinishDate: s.restoreFinishedTimestampUtc }),
        ...(s.backupSizeMB !== undefined && { totalSize: s.backupSizeMB * 1024 * 1024 }),
        ...(state === 'Restored' && s.backupSizeMB !== undefined && { dataWritten: s.backupSizeMB * 1024 * 1024 }),
        ...(state === 'Ignored' && { reason: skipped ? SKIPPED : unrestorable(p.blockReason) }),
      });
    }
  };
  add(p.fullBackupSets, 'Database');
  add(p.diffBackupSets, 'DifferentialDatabase');
  add(p.logBackupSets, 'TransactionLog');
  for (const u of p.unrestorableFiles ?? []) {
    const name = typeof u === 'string' ? u : u.name;
    if (name && !files.some((f) => f.fileName.toLowerCase() === name.toLowerCase())) files.push({ fileName: name, state: 'Ignored', reason: unrestorable(p.blockReason) });
  }
  // A file the service has seen arrive but not planned yet.
  const uploaded = p.lastUploadedFileName;
  if (uploaded && !files.some((f) => f.fileName.toLowerCase() === uploaded.toLowerCase())) files.push({ fileName: uploaded, state: 'Arrived' });
  return files;
}

function modeOf(db: ManagedDatabase, details: ManagedDatabaseRestoreDetails | undefined): LrsMode | undefined {
  const tag = Object.entries(db.tags ?? {}).find(([k]) => k.toLowerCase() === LRS_TAGS.mode)?.[1];
  if (tag === 'continuous' || tag === 'autocomplete') return tag;
  const type = lower(details?.properties?.type);
  if (type.includes('autocomplete')) return 'autocomplete';
  if (type.includes('continuous')) return 'continuous';
  return undefined;
}

const tag = (db: ManagedDatabase, name: string) => Object.entries(db.tags ?? {}).find(([k]) => k.toLowerCase() === name)?.[1];

/** The restore as our views show it; `details` absent: only what the database itself says. */
export function lrsRestoreView(ref: RestoreRef, db: ManagedDatabase, details?: ManagedDatabaseRestoreDetails, now: Date = new Date()): LrsRestoreView {
  const p = details?.properties;
  const databaseStatus = db.properties?.status ?? 'Unknown';
  const files = lrsBackupFiles(details);
  const mode = modeOf(db, details);
  const fullBackupRestored = files.some((f) => f.backupType === 'Database' && f.state === 'Restored') || Boolean(p?.lastRestoredFileName);
  const waiting = files.some((f) => f.state === 'Arrived' || f.state === 'Restoring' || f.state === 'Unknown');
  const pendingReported = p && (p.numberOfFilesQueued !== undefined || p.numberOfFilesRestoring !== undefined) ? (p.numberOfFilesQueued ?? 0) + (p.numberOfFilesRestoring ?? 0) : undefined;
  const rs = lower(p?.status);
  const ds = lower(databaseStatus);
  const status =
    ds === 'online' ? 'Succeeded'
      : rs === 'failed' ? 'Failed'
        : rs.startsWith('complet') ? 'Completing'
          : ds === 'creating' ? 'Creating'
            : ds === 'stopping' || ds === 'deleting' ? 'Canceling'
              : details && mode !== 'autocomplete' && fullBackupRestored && !waiting && !pendingReported && !p?.blockReason && !p?.currentRestoringFileName ? 'ReadyForCutover'
                : 'InProgress';
  const startedOn = db.properties?.creationDate;
  const deadline = startedOn && !Number.isNaN(Date.parse(startedOn)) ? new Date(Date.parse(startedOn) + LRS_MAX_RESTORE_DAYS * DAY) : undefined;
  const problems: string[] = [];
  if (p?.blockReason) problems.push(status === 'Failed' ? `The restore failed: ${p.blockReason}` : `Restore blocked: ${p.blockReason}`);
  else if (status === 'Failed') problems.push('The restore failed (the service gives no reason)');
  if (deadline && !['Succeeded', 'Failed'].includes(status)) {
    const left = (deadline.getTime() - now.getTime()) / DAY;
    if (left <= 3) {
      problems.push(
        left <= 0
          ? `the restore has run ${LRS_MAX_RESTORE_DAYS} days, the longest the Log Replay Service allows`
          : `the restore reaches the ${LRS_MAX_RESTORE_DAYS}-day limit of the Log Replay Service on ${deadline.toISOString().slice(0, 16).replace('T', ' ')} UTC: complete it before then`,
      );
    }
  }
  const source = tag(db, LRS_TAGS.source);
  const account = tag(db, LRS_TAGS.storageAccount);
  const folder = tag(db, LRS_TAGS.folder);
  const last = tag(db, LRS_TAGS.lastBackup);
  return {
    ref,
    id: db.id ?? managedDatabaseIdOf(ref),
    status,
    databaseStatus,
    ...(p?.status && { restoreStatus: p.status }),
    ...(mode && { mode }),
    ...(source && { sourceDatabase: source }),
    ...(account && { storageAccountId: account }),
    ...(folder && { folder }),
    ...(last && { lastBackupName: last }),
    files,
    fullBackupRestored,
    ...(p?.lastRestoredFileName && { lastRestoredFile: p.lastRestoredFileName }),
    ...(p?.lastUploadedFileName && { lastUploadedFile: p.lastUploadedFileName }),
    ...(p?.currentRestoringFileName && { currentRestoringFile: p.currentRestoringFileName }),
    ...(p?.percentCompleted !== undefined && { percentCompleted: p.percentCompleted }),
    ...(pendingReported !== undefined && { pendingReported }),
    ...(p?.blockReason && status !== 'Failed' && { blockReason: p.blockReason }),
    ...(startedOn && { startedOn }),
    ...(deadline && { deadline: deadline.toISOString() }),
    detailed: Boolean(details),
    problems,
  };
}

/** A restore as the cutover guard sees it (cutover.ts): the same rule as a migration's. */
export function lrsCutoverSubject(v: LrsRestoreView): CutoverSubject {
  return {
    status: v.status,
    online: v.mode !== 'autocomplete',
    endsByItself: 'this is an autocomplete restore: it completes by itself after its last backup is restored',
    detailed: v.detailed,
    notDetailed: 'the restore details were not read',
    fullBackupRestored: v.fullBackupRestored,
    ...(v.blockReason && { blockingReason: v.blockReason }),
    files: v.files,
    ...(v.pendingReported !== undefined && { reportedPending: { count: v.pendingReported, noun: 'backup file' } }),
    ...(v.lastRestoredFile && { lastRestoredFile: v.lastRestoredFile }),
    ...(v.sourceDatabase && { sourceDatabase: v.sourceDatabase }),
    noun: 'restore',
    service: 'the Log Replay Service',
    notReady: `the restore is not ready to complete yet (it is ${v.status})`,
  };
}

/** Why a restore cannot be stopped now (stopping deletes the database), or undefined when it can. */
export function stopRefusal(v: LrsRestoreView): string | undefined {
  const ds = lower(v.databaseStatus);
  if (ds === 'restoring' || ds === 'creating') return undefined;
  return ds === 'online'
    ? 'the database is online (the restore completed): stopping would delete it; drop it on purpose instead if that is what you want'
    : `the database is ${v.databaseStatus}, not restoring: only a restore in progress can be stopped`;
}
