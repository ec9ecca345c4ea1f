/**
 * Microsoft.DataMigration 2025-09-01-preview wire models for SQL migration services and SQL MI
 * database migrations, as the OpenAPI document defines them (every property optional except
 * `kind`). Status fields are plain strings in the contract: the values the service reports
 * are listed in src/core/migration/status.ts.
 */

export const DMS_API_VERSION = '2025-09-01-preview';

export interface SystemData {
  createdBy?: string;
  createdByType?: string;
  createdAt?: string;
  lastModifiedBy?: string;
  lastModifiedByType?: string;
  lastModifiedAt?: string;
}

export interface SqlMigrationService {
  id?: string;
  name?: string;
  type?: string;
  location?: string;
  tags?: Record<string, string>;
  systemData?: SystemData;
  properties?: {
    /** Succeeded, Updating, Provisioning, Failed... (a string, not an enum) */
    provisioningState?: string;
    /** NeedRegistration, Online, Offline, Limited, ... */
    integrationRuntimeState?: string;
  };
}

export interface SqlMigrationServiceUpdate {
  tags?: Record<string, string>;
}

/** Secrets: the integration runtime registers with either key. */
export interface AuthenticationKeys {
  authKey1?: string;
  authKey2?: string;
}

export type AuthKeyName = 'authKey1' | 'authKey2';

export interface RegenAuthKeys {
  keyName?: AuthKeyName;
  authKey1?: string;
  authKey2?: string;
}

export interface DeleteNode {
  nodeName?: string;
  integrationRuntimeName?: string;
}

export interface NodeMonitoringData {
  nodeName?: string;
  availableMemoryInMB?: number;
  cpuUtilization?: number;
  concurrentJobsLimit?: number;
  concurrentJobsRunning?: number;
  maxConcurrentJobs?: number;
  sentBytes?: number;
  receivedBytes?: number;
  additionalProperties?: Record<string, unknown>;
}

export interface IntegrationRuntimeMonitoringData {
  name?: string;
  nodes?: NodeMonitoringData[];
}

export interface SqlConnectionInformation {
  dataSource?: string;
  /** SqlAuthentication or WindowsAuthentication */
  authentication?: string;
  userName?: string;
  /** Secret. */
  password?: string;
  encryptConnection?: boolean;
  trustServerCertificate?: boolean;
}

export interface SqlFileShare {
  path?: string;
  username?: string;
  /** Secret. */
  password?: string;
}

export interface AzureBlob {
  authType?: 'AccountKey' | 'ManagedIdentity';
  identity?: { type: string; principalId?: string; tenantId?: string; userAssignedIdentities?: Record<string, { principalId?: string; clientId?: string }> };
  storageAccountResourceId?: string;
  /** Secret. */
  accountKey?: string;
  blobContainerName?: string;
}

export interface BackupConfiguration {
  sourceLocation?: {
    fileShare?: SqlFileShare;
    azureBlob?: AzureBlob;
    /** FileShare, AzureBlob, None (read-only) */
    fileStorageType?: string;
  };
  targetLocation?: {
    storageAccountResourceId?: string;
    /** Secret. */
    accountKey?: string;
  };
}

export interface OfflineConfiguration {
  offline?: boolean;
  lastBackupName?: string;
}

export interface SqlBackupFileInfo {
  fileName?: string;
  /** Arrived, Uploading, Uploaded, Restoring, Restored, Cancelled/Canceled, Ignored, Skipped... */
  status?: string;
  totalSize?: number;
  dataRead?: number;
  dataWritten?: number;
  /** KB/s */
  copyThroughput?: number;
  copyDuration?: number;
  familySequenceNumber?: number;
}

export interface SqlBackupSetInfo {
  backupSetId?: string;
  firstLSN?: string;
  lastLSN?: string;
  backupType?: string;
  listOfBackupFiles?: SqlBackupFileInfo[];
  backupStartDate?: string;
  backupFinishDate?: string;
  isBackupRestored?: boolean;
  hasBackupChecksums?: boolean;
  familyCount?: number;
  ignoreReasons?: string[];
}

export interface MigrationStatusDetails {
  migrationState?: string;
  fullBackupSetInfo?: SqlBackupSetInfo;
  lastRestoredBackupSetInfo?: SqlBackupSetInfo;
  activeBackupSets?: SqlBackupSetInfo[];
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

export interface ErrorInfo {
  code?: string;
  message?: string;
}

export interface DatabaseMigrationPropertiesSqlMi {
  kind: 'SqlMi';
  scope?: string;
  provisioningState?: string;
  migrationStatus?: string;
  startedOn?: string;
  endedOn?: string;
  migrationService?: string;
  migrationOperationId?: string;
  migrationFailureError?: ErrorInfo;
  provisioningError?: string;
  sourceSqlConnection?: SqlConnectionInformation;
  sourceDatabaseName?: string;
  sourceServerName?: string;
  targetDatabaseCollation?: string;
  sqlServerInstanceId?: string;
  migrationStatusDetails?: MigrationStatusDetails;
  backupConfiguration?: BackupConfiguration;
  offlineConfiguration?: OfflineConfiguration;
}

export interface DatabaseMigrationSqlMi {
  id?: string;
  name?: string;
  type?: string;
  systemData?: SystemData;
  properties?: DatabaseMigrationPropertiesSqlMi;
}

/** listMigrations returns migrations of every kind; we only act on SqlMi ones. */
export interface DatabaseMigration {
  id?: string;
  name?: string;
  type?: string;
  systemData?: SystemData;
  properties?: Omit<DatabaseMigrationPropertiesSqlMi, 'kind'> & { kind: string };
}

export interface MigrationOperationInput {
  migrationOperationId: string;
}

export interface ListResult<T> {
  value?: T[];
  nextLink?: string;
}
