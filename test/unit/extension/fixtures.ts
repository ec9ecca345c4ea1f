/** DatabaseMigration resources as the service returns them, composed from the 2025-09-01-preview schema. */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { MigrationRef } from '../../../src/core/azure/dms/client';
import type { DatabaseMigration, DatabaseMigrationSqlMi } from '../../../src/core/azure/dms/models';
import type { MonitorSource } from '../../../src/core/migration/monitor';
import type { DatabaseMigrationJson, MigrationStatusDetailsJson, SqlBackupSetInfoJson } from '../../../src/extension/dashboard/dmsShape';

const MI = '/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/rg-sql/providers/Microsoft.Sql/managedInstances/mi-prod';

/** The official example from the specs, when ../shared is present. */
export function officialExample(): DatabaseMigrationJson | undefined {
  try {
    const path = resolve(__dirname, '../../../../shared/reference/dms-examples/SqlMiGetDatabaseMigrationExpanded.json');
    return JSON.parse(readFileSync(join(path), 'utf8')).responses['200'].body;
  } catch {
    return undefined;
  }
}

export function set(type: string, first: string, last: string, files: [string, string, number?][], extra: Partial<SqlBackupSetInfoJson> = {}): SqlBackupSetInfoJson {
  return {
    backupSetId: `${type}-${first}`,
    firstLSN: first,
    lastLSN: last,
    backupType: type,
    backupStartDate: '2026-11-01T08:00:00Z',
    backupFinishDate: '2026-11-01T08:01:00Z',
    familyCount: files.length,
    isBackupRestored: files.every(([, s]) => s === 'Restored'),
    listOfBackupFiles: files.map(([fileName, status, totalSize], i) => ({ fileName, status, totalSize: totalSize ?? 1024 * 1024, familySequenceNumber: i + 1 })),
    ...extra,
  };
}

export function migration(name: string, status: string, details: MigrationStatusDetailsJson = {}, extra: Partial<NonNullable<DatabaseMigrationJson['properties']>> = {}): DatabaseMigrationJson {
  return {
    id: `${MI}/providers/Microsoft.DataMigration/databaseMigrations/${name}`,
    name,
    type: 'Microsoft.DataMigration/databaseMigrations',
    properties: {
      kind: 'SqlMi',
      scope: MI,
      provisioningState: 'Succeeded',
      migrationStatus: status,
      migrationOperationId: `op-${name}`,
      sourceServerName: 'sql01',
      sourceDatabaseName: name,
      migrationStatusDetails: details,
      ...extra,
    },
  };
}

/** An online migration waiting for its cutover: full + 2 logs restored, one log pending. */
export function readySales(): DatabaseMigrationJson {
  return migration('Sales', 'ReadyForCutover', {
    isFullBackupRestored: true,
    lastRestoredFilename: 'Sales_LOG_002.trn',
    pendingLogBackupsCount: 0,
    fullBackupSetInfo: set('Database', '41000000012800037', '41000000020000001', [['Sales_FULL.bak', 'Restored', 50 * 1024 * 1024]]),
    activeBackupSets: [
      // Out of order on purpose, and LSNs beyond 2^53.
      set('TransactionLog', '41000000020000001', '41000000030000001', [['Sales_LOG_002.trn', 'Restored']]),
      set('TransactionLog', '9000000000000000001', '9000000000000000002', [['Sales_LOG_003.trn', 'Uploading', 2048]]),
      set('TransactionLog', '41000000000000001', '41000000000000002', [['Old_LOG.trn', 'Ignored']], { ignoreReasons: ['The backup is older than the restored full backup.'] }),
    ],
  });
}

export const SERVICE_ID = '/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/rg-sql/providers/Microsoft.DataMigration/sqlMigrationServices/dms1';

/**
 * The migration service as the core's monitor reads it: each listMigrations answers the next
 * entry of the script (an error is thrown), without the details; a GET answers the same entry's
 * migration with them.
 */
export class ScriptedMigrationService implements MonitorSource {
  listCalls = 0;
  getCalls = 0;

  constructor(private readonly script: (DatabaseMigrationJson[] | Error)[]) {}

  private answer(): DatabaseMigrationJson[] {
    const a = this.script[Math.max(0, Math.min(this.listCalls - 1, this.script.length - 1))]!;
    if (a instanceof Error) throw a;
    return a.map((m) => ({ ...m, properties: { ...m.properties, migrationService: SERVICE_ID } }));
  }

  async listMigrations(): Promise<DatabaseMigration[]> {
    this.listCalls++;
    return this.answer().map((m) => ({ ...m, properties: { ...m.properties, migrationStatusDetails: undefined } }) as DatabaseMigration);
  }

  async getMigration(ref: MigrationRef): Promise<DatabaseMigrationSqlMi> {
    this.getCalls++;
    const m = this.answer().find((x) => x.name === ref.targetDatabase);
    if (!m) throw Object.assign(new Error('not found'), { statusCode: 404 });
    return m as unknown as DatabaseMigrationSqlMi;
  }
}
