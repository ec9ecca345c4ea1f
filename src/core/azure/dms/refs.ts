/**
 * How a migration service and a database migration are named: their ARM ids and the parts of
 * them. No dependencies: the views and the guard use these without loading the Azure SDK.
 */
export interface MigrationServiceRef {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
}

/** A database migration is addressed by its target: instance + target database name. */
export interface MigrationRef {
  subscriptionId: string;
  resourceGroup: string;
  managedInstance: string;
  targetDatabase: string;
}

/** Parses a DatabaseMigration id (…/managedInstances/MI/providers/Microsoft.DataMigration/databaseMigrations/DB). */
export function migrationRefFromId(id: string): MigrationRef {
  const m = /^\/?subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Sql\/managedInstances\/([^/]+)\/providers\/Microsoft\.DataMigration\/databaseMigrations\/([^/]+)\/?$/i.exec(id);
  if (!m) throw new Error(`not a SQL MI database migration id: ${JSON.stringify(id)}`);
  return { subscriptionId: m[1]!, resourceGroup: m[2]!, managedInstance: m[3]!, targetDatabase: decodeURIComponent(m[4]!) };
}

export function migrationIdOf(ref: MigrationRef): string {
  return `/subscriptions/${ref.subscriptionId}/resourceGroups/${ref.resourceGroup}/providers/Microsoft.Sql/managedInstances/${ref.managedInstance}/providers/Microsoft.DataMigration/databaseMigrations/${ref.targetDatabase}`;
}

export function serviceRefFromId(id: string): MigrationServiceRef {
  const m = /^\/?subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.DataMigration\/sqlMigrationServices\/([^/]+)\/?$/i.exec(id);
  if (!m) throw new Error(`not a SQL migration service id: ${JSON.stringify(id)}`);
  return { subscriptionId: m[1]!, resourceGroup: m[2]!, name: m[3]! };
}

export function serviceIdOf(ref: MigrationServiceRef): string {
  return `/subscriptions/${ref.subscriptionId}/resourceGroups/${ref.resourceGroup}/providers/Microsoft.DataMigration/sqlMigrationServices/${ref.name}`;
}
