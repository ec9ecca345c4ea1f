/** Migration resources shaped like the service's (see the OpenAPI examples), for unit tests. */
import type { DatabaseMigrationSqlMi, MigrationStatusDetails, SqlBackupSetInfo } from '../../../src/core/azure';

export const SUB = '00000000-1111-2222-3333-444444444444';
export const MI_ID = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Sql/managedInstances/mi1`;
export const DMS_ID = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.DataMigration/sqlMigrationServices/dms1`;
export const SA_ID = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/backups1`;

export const migrationId = (db: string) => `${MI_ID}/providers/Microsoft.DataMigration/databaseMigrations/${db}`;

export function backupSet(type: string, files: [string, string][], extra: Partial<SqlBackupSetInfo> = {}): SqlBackupSetInfo {
  return {
    backupSetId: `${type}-${files[0]![0]}`,
    backupType: type,
    firstLSN: '1000',
    lastLSN: '2000',
    backupFinishDate: '2026-11-01T09:00:00Z',
    listOfBackupFiles: files.map(([fileName, status]) => ({ fileName, status, totalSize: 1024 })),
    ...extra,
  };
}

export function migration(
  db: string,
  status: string | undefined,
  opts: { offline?: boolean; opId?: string | null; details?: MigrationStatusDetails; provisioningState?: string; startedOn?: string } = {},
): DatabaseMigrationSqlMi {
  return {
    id: migrationId(db),
    name: db,
    type: 'Microsoft.DataMigration/databaseMigrations',
    properties: {
      kind: 'SqlMi',
      scope: MI_ID,
      migrationService: DMS_ID,
      provisioningState: opts.provisioningState ?? 'Succeeded',
      ...(status !== undefined && { migrationStatus: status }),
      ...(opts.opId !== null && { migrationOperationId: opts.opId ?? `op-${db}` }),
      sourceDatabaseName: db,
      startedOn: opts.startedOn ?? '2026-11-01T09:00:00Z',
      offlineConfiguration: { offline: opts.offline ?? false },
      ...(opts.details && { migrationStatusDetails: opts.details }),
    },
  };
}

/** Full restored, logs restored: what a migration looks like when ready for cutover. */
export function readyDetails(extra: Partial<MigrationStatusDetails> = {}): MigrationStatusDetails {
  return {
    migrationState: 'LogShipping',
    isFullBackupRestored: true,
    lastRestoredFilename: 'Sales_LOG_002.trn',
    pendingLogBackupsCount: 0,
    fullBackupSetInfo: backupSet('Database', [['Sales_FULL.bak', 'Restored']], { isBackupRestored: true }),
    activeBackupSets: [
      backupSet('TransactionLog', [['Sales_LOG_001.trn', 'Restored']], { isBackupRestored: true, backupFinishDate: '2026-11-01T09:05:00Z' }),
      backupSet('TransactionLog', [['Sales_LOG_002.trn', 'Restored']], { isBackupRestored: true, backupFinishDate: '2026-11-01T09:10:00Z' }),
    ],
    ...extra,
  };
}
