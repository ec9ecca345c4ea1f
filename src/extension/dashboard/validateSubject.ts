/**
 * What Validate needs to know of a succeeded migration or restore: the source database, its
 * name on the target, the managed instance, and what the service says of the source connection
 * (a prefill the user confirms: the migration service's runtime may reach the source by a name
 * the editor's machine does not). Never a password.
 */
import type { LrsRestoreView } from '../../core/migration/lrsStatus';
import type { DatabaseMigrationJson } from './dmsShape';
import { targetOf } from './dmsShape';
import { groupOf, statusOf } from './statusRules';

export interface ValidateSubject {
  label: string;
  database: string;
  targetDatabase: string;
  /** The managed instance's ARM id. */
  instanceId: string;
  sourceServer?: string;
  sourceUser?: string;
  sourceAuthentication?: 'SqlAuthentication' | 'WindowsAuthentication';
  /** Whether the migration service was told to trust the source's certificate (a self-signed one, typically). */
  sourceTrustServerCertificate?: boolean;
  succeeded: boolean;
}

const INSTANCE = /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Sql\/managedInstances\/[^/]+)/i;

export function subjectOfMigration(m: DatabaseMigrationJson): ValidateSubject | undefined {
  const p = m.properties ?? {};
  const instanceId = INSTANCE.exec(p.scope ?? m.id)?.[1];
  if (!instanceId) return undefined;
  const t = targetOf(m);
  const c = p.sourceSqlConnection;
  return {
    label: t.database,
    database: p.sourceDatabaseName ?? t.database,
    targetDatabase: t.database,
    instanceId,
    ...(c?.dataSource && { sourceServer: c.dataSource }),
    ...(c?.userName && { sourceUser: c.userName }),
    ...(c?.trustServerCertificate !== undefined && { sourceTrustServerCertificate: c.trustServerCertificate }),
    ...(c?.authentication === 'WindowsAuthentication' ? { sourceAuthentication: 'WindowsAuthentication' as const } : c?.authentication ? { sourceAuthentication: 'SqlAuthentication' as const } : {}),
    succeeded: groupOf(statusOf(m)) === 'succeeded',
  };
}

export function subjectOfRestore(v: LrsRestoreView): ValidateSubject {
  return {
    label: v.ref.targetDatabase,
    database: v.sourceDatabase ?? v.ref.targetDatabase,
    targetDatabase: v.ref.targetDatabase,
    instanceId: `/subscriptions/${v.ref.subscriptionId}/resourceGroups/${v.ref.resourceGroup}/providers/Microsoft.Sql/managedInstances/${v.ref.managedInstance}`,
    succeeded: v.status === 'Succeeded',
  };
}
