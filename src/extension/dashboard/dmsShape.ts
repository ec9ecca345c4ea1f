/**
 * The Microsoft.DataMigration `databaseMigrations` resources (SqlMi kind, read with
 * `$expand=MigrationStatusDetails`) as the dashboard reads them: the core's contract types,
 * with every property optional (the service omits what it does not know yet, and status
 * strings are open-ended, so unknown values must still display).
 */
import type { DatabaseMigration, MigrationStatusDetails, SqlBackupFileInfo, SqlBackupSetInfo } from '../../core/azure/dms/models';

export type SqlBackupFileInfoJson = SqlBackupFileInfo;
export type SqlBackupSetInfoJson = SqlBackupSetInfo;
export type MigrationStatusDetailsJson = MigrationStatusDetails;

/** A migration as listed or read: the dashboard keys everything by its ARM id. */
export type DatabaseMigrationJson = Omit<DatabaseMigration, 'id' | 'properties'> & {
  id: string;
  properties?: Partial<NonNullable<DatabaseMigration['properties']>>;
};

/** The managed instance name and resource group from a migration's ARM id or scope. */
export function targetOf(m: DatabaseMigrationJson): { resourceGroup?: string; managedInstance?: string; database: string } {
  const text = m.properties?.scope ?? m.id;
  const rg = /resourceGroups\/([^/]+)/i.exec(text)?.[1];
  const mi = /managedInstances\/([^/]+)/i.exec(text)?.[1];
  return { ...(rg && { resourceGroup: rg }), ...(mi && { managedInstance: mi }), database: m.name ?? m.id.slice(m.id.lastIndexOf('/') + 1) };
}
