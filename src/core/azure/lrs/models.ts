/**
 * Microsoft.Sql wire models for the Log Replay Service (LRS): a managed database created with
 * `createMode: RestoreExternalBackup`, its restore details, and completing the restore, as the
 * OpenAPI documents define them (ManagedDatabases.json and ManagedDatabaseRestoreDetails.json,
 * api-version 2025-01-01; every property optional). Status fields are plain strings: what they
 * mean is read in src/core/migration/lrsStatus.ts.
 */

import type { MigrationRef } from '../dms/client';

/** A restore is addressed by its target: instance + database name (the shape of a migration's target). */
export type RestoreRef = MigrationRef;

export interface InstanceRef {
  subscriptionId: string;
  resourceGroup: string;
  managedInstance: string;
}

export function managedDatabaseIdOf(ref: RestoreRef): string {
  return `/subscriptions/${ref.subscriptionId}/resourceGroups/${ref.resourceGroup}/providers/Microsoft.Sql/managedInstances/${ref.managedInstance}/databases/${ref.targetDatabase}`;
}

/** Parses a managed database id (…/managedInstances/MI/databases/DB). */
export function restoreRefFromId(id: string): RestoreRef {
  const m = /^\/?subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Sql\/managedInstances\/([^/]+)\/databases\/([^/]+)\/?$/i.exec(id);
  if (!m) throw new Error(`not a managed database id: ${JSON.stringify(id)} (expected …/providers/Microsoft.Sql/managedInstances/MI/databases/DB)`);
  return { subscriptionId: m[1]!, resourceGroup: m[2]!, managedInstance: m[3]!, targetDatabase: decodeURIComponent(m[4]!) };
}

/** The newest stable Microsoft.Sql version of these operations (the specs in ../shared/reference/specs). */
export const LRS_API_VERSION = '2025-01-01';

/** How the instance reads the container: a SAS token (the default) or its managed identity. */
export type StorageContainerIdentity = 'SharedAccessSignature' | 'ManagedIdentity';

export interface ManagedDatabaseProperties {
  collation?: string;
  /** Online, Offline, Shutdown, Creating, Inaccessible, Restoring, Updating, Stopping, Stopped, Starting, DbMoving, DbCopying (read-only). */
  status?: string;
  creationDate?: string;
  earliestRestorePoint?: string;
  defaultSecondaryLocation?: string;
  /** Default, RestoreExternalBackup, PointInTimeRestore, Recovery, RestoreLongTermRetentionBackup (create only). */
  createMode?: string;
  /** The container (and folder) the backups are in (create only; never returned). */
  storageContainerUri?: string;
  storageContainerIdentity?: StorageContainerIdentity;
  /** Secret (create only; never returned). */
  storageContainerSasToken?: string;
  autoCompleteRestore?: boolean;
  lastBackupName?: string;
  isLedgerOn?: boolean;
  failoverGroupId?: string;
}

export interface ManagedDatabase {
  id?: string;
  name?: string;
  type?: string;
  location?: string;
  tags?: Record<string, string>;
  properties?: ManagedDatabaseProperties;
}

/** One backup set of a restore, as the service reports it (no LSNs: the backup location has them). */
export interface RestoreDetailsBackupSet {
  /** The service's word for the set (Queued, Restoring, Restored, Skipped, ...). */
  status?: string;
  firstStripeName?: string;
  numberOfStripes?: number;
  backupSizeMB?: number;
  restoreStartedTimestampUtc?: string;
  restoreFinishedTimestampUtc?: string;
}

export interface RestoreDetailsProperties {
  /** The kind of restore (read-only). */
  type?: string;
  /** The restore's own status (Restoring, Completing, Completed, Failed, ...). */
  status?: string;
  /** Why the restore is blocked or failed, in the service's words. */
  blockReason?: string;
  lastUploadedFileName?: string;
  lastUploadedFileTime?: string;
  lastRestoredFileName?: string;
  lastRestoredFileTime?: string;
  percentCompleted?: number;
  currentRestoredSizeMB?: number;
  currentRestorePlanSizeMB?: number;
  currentBackupType?: string;
  currentRestoringFileName?: string;
  numberOfFilesDetected?: number;
  numberOfFilesQueued?: number;
  numberOfFilesSkipped?: number;
  numberOfFilesRestoring?: number;
  numberOfFilesRestored?: number;
  numberOfFilesUnrestorable?: number;
  fullBackupSets?: RestoreDetailsBackupSet[];
  diffBackupSets?: RestoreDetailsBackupSet[];
  logBackupSets?: RestoreDetailsBackupSet[];
  /** Objects with a name (2025-01-01); plain names in 2023-08-01. */
  unrestorableFiles?: ({ name?: string } | string)[];
}

export interface ManagedDatabaseRestoreDetails {
  id?: string;
  name?: string;
  type?: string;
  properties?: RestoreDetailsProperties;
}

/**
 * Tags sqlmig puts on a database it restores with LRS: what the restore reads and how it ends,
 * so that status and completion can find the backup location again (ARM never returns
 * `storageContainerUri`). Names and ids only; never a secret.
 */
export const LRS_TAGS = {
  source: 'sqlmig-lrs-source',
  storageAccount: 'sqlmig-lrs-storage-account',
  /** `container/folder`. */
  folder: 'sqlmig-lrs-folder',
  /** continuous or autocomplete. */
  mode: 'sqlmig-lrs-mode',
  lastBackup: 'sqlmig-lrs-last-backup',
  /** SharedAccessSignature or ManagedIdentity. */
  access: 'sqlmig-lrs-access',
} as const;
