/**
 * The fields of a Microsoft.DataMigration `databaseMigrations` resource (SqlMi kind, read with
 * `$expand=MigrationStatusDetails`) that the dashboard reads, as the REST API returns them
 * (api-version 2025-09-01-preview). Every field is optional: the service omits what it does
 * not know yet, and status strings are open-ended, so unknown values must still display.
 */

export interface SqlBackupFileInfoJson {
  fileName?: string;
  /** Arrived, Uploading, Uploaded, Restoring, Restored, Cancelled/Canceled, Ignored, Skipped... */
  status?: string;
  totalSize?: number;
  dataRead?: number;
  dataWritten?: number;
  /** KB/s */
  copyThroughput?: number;
  /** seconds */
  copyDuration?: number;
  familySequenceNumber?: number;
}

export interface SqlBackupSetInfoJson {
  backupSetId?: string;
  firstLSN?: string;
  lastLSN?: string;
  backupType?: string;
  listOfBackupFiles?: SqlBackupFileInfoJson[];
  backupStartDate?: string;
  backupFinishDate?: string;
  isBackupRestored?: boolean;
  hasBackupChecksums?: boolean;
  familyCount?: number;
  ignoreReasons?: string[];
  /** Not in the 2025 spec, but older services send them. */
  restoreStartDate?: string;
  restoreFinishDate?: string;
}

export interface MigrationStatusDetailsJson {
  migrationState?: string;
  fullBackupSetInfo?: SqlBackupSetInfoJson;
  lastRestoredBackupSetInfo?: SqlBackupSetInfoJson;
  activeBackupSets?: SqlBackupSetInfoJson[];
  invalidFiles?: string[];
  blobContainerName?: string;
  isFullBackupRestored?: boolean;
  restoreBlockingReason?: string;
  completeRestoreErrorMessage?: string;
  fileUploadBlockingErrors?: string[];
  currentRestoringFilename?: string;
  lastRestoredFilename?: string;
  pendingLogBackupsCount?: number;
}

export interface DatabaseMigrationJson {
  id: string;
  name?: string;
  type?: string;
  properties?: {
    kind?: string;
    scope?: string;
    provisioningState?: string;
    migrationStatus?: string;
    startedOn?: string;
    endedOn?: string;
    migrationService?: string;
    migrationOperationId?: string;
    migrationFailureError?: { code?: string; message?: string };
    provisioningError?: string;
    sourceDatabaseName?: string;
    sourceServerName?: string;
    migrationStatusDetails?: MigrationStatusDetailsJson;
    backupConfiguration?: { sourceLocation?: { fileStorageType?: string } };
    offlineConfiguration?: { offline?: boolean; lastBackupName?: string };
  };
}

/** The managed instance name and resource group from a migration's ARM id or scope. */
export function targetOf(m: DatabaseMigrationJson): { resourceGroup?: string; managedInstance?: string; database: string } {
  const text = m.properties?.scope ?? m.id;
  const rg = /resourceGroups\/([^/]+)/i.exec(text)?.[1];
  const mi = /managedInstances\/([^/]+)/i.exec(text)?.[1];
  return { ...(rg && { resourceGroup: rg }), ...(mi && { managedInstance: mi }), database: m.name ?? m.id.slice(m.id.lastIndexOf('/') + 1) };
}
