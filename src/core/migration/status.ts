/**
 * What the service says about a migration, and what a user may do about it. The contract has
 * no enum for migrationStatus: these are the values the service reports (the RP's
 * MigrationState). Anything else is treated as "unknown": every action is refused until the
 * service says something we understand.
 */
import type { DatabaseMigration, DatabaseMigrationSqlMi, MigrationStatusDetails } from '../azure/dms/models';

export const MIGRATION_STATUSES = [
  'Creating',
  'InProgress',
  'UploadingFullBackup',
  'UploadingLogBackup',
  'Restoring',
  'ReadyForCutover',
  'Completing',
  'Succeeded',
  'Failed',
  'Canceling',
  'Canceled',
  'Retriable',
] as const;

export type MigrationStatus = (typeof MIGRATION_STATUSES)[number];

/** The states a migration never leaves by itself. */
export const TERMINAL_STATUSES: ReadonlySet<string> = new Set(['Succeeded', 'Failed', 'Canceled']);

const ONGOING: ReadonlySet<string> = new Set(['Creating', 'InProgress', 'UploadingFullBackup', 'UploadingLogBackup', 'Restoring', 'ReadyForCutover', 'Retriable']);
const CUTOVER_STATES: ReadonlySet<string> = new Set(['InProgress', 'ReadyForCutover', 'Restoring', 'UploadingLogBackup']);
const DELETABLE: ReadonlySet<string> = new Set(['Canceled', 'Failed', 'Retriable', 'Succeeded']);
const RESTARTABLE: ReadonlySet<string> = new Set(['Canceled', 'Failed', 'Retriable', 'Succeeded']);

type AnyMigration = DatabaseMigration | DatabaseMigrationSqlMi;

/** Matches a status case-insensitively to its canonical spelling; unknown values come back as given. */
export function normalizeStatus(status: string): string {
  const hit = MIGRATION_STATUSES.find((s) => s.toLowerCase() === status.toLowerCase());
  if (hit) return hit;
  if (status.toLowerCase() === 'cancelled') return 'Canceled';
  return status;
}

/**
 * migrationStatus, or, before the service sets it, what provisioningState implies
 * ("Succeeded implies validations passed and migration started").
 */
export function statusOf(m: AnyMigration): string {
  const p = m.properties;
  if (p?.migrationStatus) return normalizeStatus(p.migrationStatus);
  switch ((p?.provisioningState ?? '').toLowerCase()) {
    case 'succeeded':
      return 'InProgress';
    case 'failed':
      return 'Failed';
    case 'canceled':
      return 'Canceled';
    default:
      return 'Creating';
  }
}

export function isKnownStatus(status: string): status is MigrationStatus {
  return (MIGRATION_STATUSES as readonly string[]).includes(status);
}

export function isTerminal(m: AnyMigration): boolean {
  return TERMINAL_STATUSES.has(statusOf(m));
}

export function isOnline(m: AnyMigration): boolean {
  return m.properties?.offlineConfiguration?.offline !== true;
}

function details(m: AnyMigration): MigrationStatusDetails | undefined {
  return m.properties?.migrationStatusDetails;
}

export function isFullBackupRestored(m: AnyMigration): boolean {
  const d = details(m);
  return d?.isFullBackupRestored === true || Boolean(d?.lastRestoredFilename);
}

/**
 * Cutover is for online migrations with a current operation whose full backup is restored and
 * nothing blocks the restore. It needs the expanded details ($expand=MigrationStatusDetails):
 * without them the answer is no.
 */
export function canCutover(m: AnyMigration): boolean {
  return (
    isOnline(m) &&
    Boolean(m.properties?.migrationOperationId) &&
    CUTOVER_STATES.has(statusOf(m)) &&
    isFullBackupRestored(m) &&
    !details(m)?.restoreBlockingReason
  );
}

/**
 * Whether to offer a cutover for a migration read from a list, whose details were not read (a
 * view of a thousand migrations reads details only for the ones it shows): the service says it
 * is ready. The guard reads it fresh, with its details, before any cutover (checkCutover).
 */
export function mayCutover(m: AnyMigration): boolean {
  if (details(m)) return canCutover(m);
  return isOnline(m) && Boolean(m.properties?.migrationOperationId) && statusOf(m) === 'ReadyForCutover';
}

export function canCancel(m: AnyMigration): boolean {
  return Boolean(m.properties?.migrationOperationId) && ONGOING.has(statusOf(m));
}

export function canDelete(m: AnyMigration): boolean {
  return DELETABLE.has(statusOf(m));
}

/** Start again with the same choices (a new migration operation on the same target). */
export function canRestart(m: AnyMigration): boolean {
  return RESTARTABLE.has(statusOf(m));
}

/** Backups come from a network share, read and uploaded by the self-hosted integration runtime. */
export function usesNetworkShare(m: AnyMigration): boolean {
  const source = m.properties?.backupConfiguration?.sourceLocation;
  return source?.fileStorageType === 'FileShare' || Boolean(source?.fileShare);
}

/** Every problem the service reports on a migration, in one list (for warnings counts and error dialogs). */
export function migrationProblems(m: AnyMigration): string[] {
  const p = m.properties;
  const d = p?.migrationStatusDetails;
  const out: string[] = [];
  if (p?.provisioningError) out.push(p.provisioningError);
  if (p?.migrationFailureError?.message) out.push(p.migrationFailureError.code ? `${p.migrationFailureError.code}: ${p.migrationFailureError.message}` : p.migrationFailureError.message);
  if (d?.restoreBlockingReason) out.push(`Restore blocked: ${d.restoreBlockingReason}`);
  if (d?.completeRestoreErrorMessage) out.push(d.completeRestoreErrorMessage);
  for (const e of d?.fileUploadBlockingErrors ?? []) out.push(`Upload blocked: ${e}`);
  return out;
}

/**
 * A copy without the write-only secrets (SQL and share passwords, account keys). The service
 * does not return them, but a copy kept for display or state must not carry one by accident.
 */
export function withoutSecrets<T extends AnyMigration>(m: T): T {
  const p = m.properties;
  if (!p) return m;
  const src = p.backupConfiguration?.sourceLocation;
  const target = p.backupConfiguration?.targetLocation;
  const { password: _sqlPassword, ...connection } = p.sourceSqlConnection ?? {};
  const { password: _sharePassword, ...share } = src?.fileShare ?? {};
  const { accountKey: _blobKey, ...blob } = src?.azureBlob ?? {};
  const { accountKey: _targetKey, ...targetLocation } = target ?? {};
  return {
    ...m,
    properties: {
      ...p,
      ...(p.sourceSqlConnection && { sourceSqlConnection: connection }),
      ...(p.backupConfiguration && {
        backupConfiguration: {
          ...(src && { sourceLocation: { ...src, ...(src.fileShare && { fileShare: share }), ...(src.azureBlob && { azureBlob: blob }) } }),
          ...(target && { targetLocation }),
        },
      }),
    },
  };
}
