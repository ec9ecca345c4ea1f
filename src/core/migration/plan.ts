/**
 * A migration plan: what the wizard (or `sqlmig migrate start`) decided, checked as a whole
 * before anything is sent, then turned into one DMS request per database.
 *
 * Backups: a blob container the DBA fills (or that we fill from a local folder: "upload"),
 * with one folder per database, or a network share the integration runtime uploads from.
 * The folder inside a container is sent as `blobContainerName: "container/folder"`.
 */
import type { ArmId } from '../azure/armId';
import { containerNameProblem, uncPathProblem, windowsUserProblem } from '../naming';
import { migrationIdOf, type MigrationRef } from '../azure/dms/client';
import type { DatabaseMigrationSqlMi } from '../azure/dms/models';
import type { MigrationMode } from '../migrationMode';
import type { ServiceTier } from '../sku/miLimits';
import { armIdInto, DatabaseChecks } from './databaseChecks';

export type { MigrationMode };

export interface SourceConnection {
  /** Server name as the integration runtime reaches it, e.g. SQLSRC01 or sqlsrc01.corp.local,1433 */
  dataSource: string;
  authentication: 'SqlAuthentication' | 'WindowsAuthentication';
  userName: string;
  /** Secret. */
  password: string;
  encryptConnection?: boolean;
  trustServerCertificate?: boolean;
}

interface StorageTarget {
  storageAccountId: string;
  /** Secret. */
  accountKey: string;
  /** Blob sources: how the service reads the container; ManagedIdentity sends no key (default AccountKey). */
  authType?: 'AccountKey' | 'ManagedIdentity';
}

export type BackupSource =
  /** Backups already in (or going to) a blob container, one folder per database. */
  | (StorageTarget & { kind: 'blob'; container: string })
  /** Local backups we upload to the container ourselves (src/core/upload), one folder per database. */
  | (StorageTarget & { kind: 'upload'; container: string })
  /** A network share the self-hosted integration runtime reads and uploads to the storage account. */
  | (StorageTarget & { kind: 'share'; path: string; userName: string; /** Secret. */ password: string });

export interface DatabaseChoice {
  /** Source database name. */
  source: string;
  /** Target database name on the instance (default: the source name). */
  target?: string;
  /** Blob folder holding only this database's backups (default: the source name). */
  folder?: string;
  /** Offline blob migrations: the last backup file to restore (e.g. Sales_LOG_003.trn). */
  lastBackupName?: string;
  /** Upload mode: the local folder with this database's backups. */
  localFolder?: string;
}

export interface MigrationPlanInput {
  source: SourceConnection;
  targetInstanceId: string;
  migrationServiceId: string;
  mode: MigrationMode;
  backup: BackupSource;
  databases: DatabaseChoice[];
  /** Databases already on the target instance: a target name among them is refused. */
  existingTargetDatabases?: readonly string[];
  /** The target instance's service tier: how many databases it holds (unknown: the smallest limit). */
  targetTier?: ServiceTier;
  /** Databases other plans of the same run put on the same instance: they count toward its limit. */
  alsoPlannedOnTarget?: number;
}

export interface PlannedDatabase {
  source: string;
  target: string;
  folder?: string;
  lastBackupName?: string;
  localFolder?: string;
  ref: MigrationRef;
  migrationId: string;
}

export interface MigrationPlan extends MigrationPlanInput {
  target: ArmId;
  planned: PlannedDatabase[];
  /** Not blocking, but worth saying. */
  warnings: string[];
}

export class PlanError extends Error {
  constructor(readonly problems: string[]) {
    super(`the migration plan has ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'PlanError';
  }
}

export { MI_MAX_DATABASES } from '../naming';

/** Checks everything at once and reports every problem, or returns the plan ready to send. */
export function validatePlan(input: MigrationPlanInput): MigrationPlan {
  const problems: string[] = [];
  const warnings: string[] = [];
  const tryId = (id: string, provider: string, type: string, what: string) => armIdInto(problems, id, provider, type, what);
  const target = tryId(input.targetInstanceId, 'Microsoft.Sql', 'managedInstances', 'the target managed instance');
  tryId(input.migrationServiceId, 'Microsoft.DataMigration', 'sqlMigrationServices', 'the migration service');
  tryId(input.backup.storageAccountId, 'Microsoft.Storage', 'storageAccounts', 'the storage account');

  const src = input.source;
  if (!src.dataSource?.trim()) problems.push('the source server name is empty');
  if (!src.userName?.trim()) problems.push('the source login (user name) is empty');
  if (!src.password) problems.push('the source password is empty');
  if (src.authentication === 'WindowsAuthentication') {
    const p = windowsUserProblem(src.userName ?? '', 'the Windows login');
    if (p) problems.push(p);
  }
  if (!input.backup.accountKey) problems.push('the storage account key is empty');
  if (input.mode !== 'online' && input.mode !== 'offline') problems.push(`the mode must be online or offline, not "${String(input.mode)}"`);

  const b = input.backup;
  if (b.kind === 'blob' || b.kind === 'upload') {
    const p = containerNameProblem(b.container);
    if (p) problems.push(p);
  } else if (b.kind === 'share') {
    if (b.authType === 'ManagedIdentity') problems.push('a managed identity reads blob storage: a network share is read by the integration runtime with the share user');
    const unc = uncPathProblem(b.path);
    if (unc) problems.push(unc);
    const user = windowsUserProblem(b.userName, 'the share user');
    if (user) problems.push(user);
    if (!b.password) problems.push('the share password is empty');
  } else {
    problems.push(`unknown backup source kind "${(b as { kind: string }).kind}"`);
  }

  const checks = DatabaseChecks.forPlan(problems, input);
  const planned: PlannedDatabase[] = [];
  for (const d of input.databases) {
    if (!checks.source(d.source)) continue;
    const targetName = d.target ?? d.source;
    checks.target(d.source, targetName);

    let folder: string | undefined;
    if (b.kind === 'blob' || b.kind === 'upload') {
      folder = d.folder ?? d.source;
      // DMS restores everything it finds in the folder: two databases in one folder hang the restore.
      checks.folder(d.source, folder, 'each database needs its own folder');
      if (b.kind === 'upload' && !d.localFolder) problems.push(`${d.source}: upload mode needs the local folder holding its backups`);
    }
    // Uploaded chains name their last file themselves (checkLocalChains); a blob folder's is read there.
    if (input.mode === 'offline' && b.kind === 'blob' && !d.lastBackupName) {
      problems.push(`${d.source}: an offline migration from blob storage needs the last backup file name (e.g. ${d.source}_LOG_003.trn)`);
    }
    if (input.mode === 'online' && d.lastBackupName) problems.push(`${d.source}: a last backup file is only for offline migrations (online ones end with a cutover)`);
    if (d.lastBackupName && /[/\\]/.test(d.lastBackupName)) problems.push(`${d.source}: the last backup name is a file name, not a path: "${d.lastBackupName}"`);
    if (target) {
      const ref: MigrationRef = { subscriptionId: target.subscriptionId, resourceGroup: target.resourceGroup, managedInstance: target.name, targetDatabase: targetName };
      planned.push({
        source: d.source,
        target: targetName,
        ...(folder !== undefined && { folder }),
        ...(d.lastBackupName && { lastBackupName: d.lastBackupName }),
        ...(d.localFolder && { localFolder: d.localFolder }),
        ref,
        migrationId: migrationIdOf(ref),
      });
    }
  }
  if (input.mode === 'online' && b.kind === 'share') warnings.push('online from a network share: the integration runtime must stay online until the cutover');
  if (problems.length) throw new PlanError(problems);
  return { ...input, target: target!, planned, warnings };
}

export interface DmsRequest {
  ref: MigrationRef;
  body: DatabaseMigrationSqlMi;
  /** The passwords and keys inside `body`, to cut out of any error text. */
  secrets: string[];
}

/** The PUT body for one planned database. */
export function toDmsRequest(plan: MigrationPlan, db: PlannedDatabase): DmsRequest {
  const b = plan.backup;
  const sourceLocation =
    b.kind === 'share'
      ? { fileShare: { path: b.path, username: b.userName, password: b.password } }
      : {
          azureBlob: {
            ...(b.authType === 'ManagedIdentity'
              ? { authType: 'ManagedIdentity' as const, identity: { type: 'SystemAssigned' } }
              : { authType: 'AccountKey' as const, accountKey: b.accountKey }),
            storageAccountResourceId: b.storageAccountId,
            blobContainerName: db.folder ? `${b.container}/${db.folder}` : b.container,
          },
        };
  const body: DatabaseMigrationSqlMi = {
    properties: {
      kind: 'SqlMi',
      scope: plan.targetInstanceId,
      migrationService: plan.migrationServiceId,
      sourceDatabaseName: db.source,
      sourceSqlConnection: {
        dataSource: plan.source.dataSource,
        authentication: plan.source.authentication,
        userName: plan.source.userName,
        password: plan.source.password,
        encryptConnection: plan.source.encryptConnection ?? true,
        trustServerCertificate: plan.source.trustServerCertificate ?? false,
      },
      backupConfiguration: {
        sourceLocation,
        // The runtime copies share backups here; blob sources are read where they are.
        ...(b.kind === 'share' && { targetLocation: { storageAccountResourceId: b.storageAccountId, accountKey: b.accountKey } }),
      },
      offlineConfiguration: {
        offline: plan.mode === 'offline',
        ...(plan.mode === 'offline' && db.lastBackupName && { lastBackupName: db.lastBackupName }),
      },
    },
  };
  const secrets = [plan.source.password, b.accountKey, ...(b.kind === 'share' ? [b.password] : [])].filter(Boolean);
  return { ref: db.ref, body, secrets };
}
