/**
 * Microsoft.DataMigration, the migrations: database migrations to a managed instance (create as
 * a long-running operation, get with `$expand=MigrationStatusDetails` and
 * `migrationOperationId`, delete, cancel, cutover). The migration itself runs in dms/migration.ts.
 */
import { randomUUID } from 'node:crypto';
import { Migration } from '../dms/migration';
import { migrationJson } from '../dms/migrationJson';
import type { MigrationSecrets, SourceKind } from '../dms/types';
import { asyncHeaders, finishLater, requireManagedInstance, type Emulator } from './emulator';
import { apiVersionOf, ArmError, badRequest, notFound, objectBody, type ArmRequest, type ArmResponse } from './http';
import { route } from './router';
import { DATAMIGRATION, DMS, operationStatusPrefix, runtimeState } from './sqlMigrationServices';
import { parseArmId, rgKey, type ServiceRec } from './world';

const MIGRATION = `/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Sql/managedInstances/{managedInstanceName}/providers/${DMS}/databaseMigrations/{targetDbName}`;

/** The instance the request names (or the ARM 404) and its migration to the target database, if any. */
function findMigration(emu: Emulator, req: ArmRequest) {
  const mi = requireManagedInstance(emu, req);
  const m = emu.migrations.get(`${mi.resourceGroup}/${mi.name}/${req.params.targetDbName}`);
  return { mi, m };
}

function requireMigration(emu: Emulator, req: ArmRequest): Migration {
  const { mi, m } = findMigration(emu, req);
  if (!m) throw notFound(`${DMS}/databaseMigrations`, req.params.targetDbName!, mi.resourceGroup);
  return m;
}

/** Cutover and cancel name the operation they act on: a stale one is refused, as the real service does. */
function checkOperationId(m: Migration, body: Record<string, unknown>): void {
  const id = body.migrationOperationId;
  if (typeof id !== 'string' || !id) throw badRequest('InvalidParameterValue', 'migrationOperationId is required.');
  if (id.toLowerCase() !== m.operationId.toLowerCase()) {
    throw badRequest('OperationIdNotFound', `Migration operation '${id}' is not the current operation of migration '${m.name}' (${m.operationId}).`);
  }
}

DatabaseMigrationsSqlMi_Get.route = route('GET', MIGRATION, DATAMIGRATION);
/** The migration; with `migrationOperationId` of an earlier operation on this target, that operation's last answer. */
export function DatabaseMigrationsSqlMi_Get(emu: Emulator, req: ArmRequest): ArmResponse {
  const m = requireMigration(emu, req);
  const expand = (req.url.searchParams.get('$expand') ?? '').toLowerCase() === 'migrationstatusdetails';
  const opId = req.url.searchParams.get('migrationOperationId');
  if (opId && opId.toLowerCase() !== m.operationId.toLowerCase()) {
    const old = m.history.get(opId.toLowerCase());
    if (!old) throw badRequest('OperationIdNotFound', `Migration operation '${opId}' was not found for migration '${m.name}'.`);
    return { status: 200, body: old };
  }
  return { status: 200, body: migrationJson(m, expand) };
}

DatabaseMigrationsSqlMi_CreateOrUpdate.route = route('PUT', MIGRATION, DATAMIGRATION);
/**
 * Starts a migration (201), or a new one on a target whose last migration ended (200). What the
 * real service refuses at once is refused here; what it finds out later (a wrong account key, a
 * missing container) fails the migration after provisioning, in dms/migration.ts.
 */
export function DatabaseMigrationsSqlMi_CreateOrUpdate(emu: Emulator, req: ArmRequest): ArmResponse {
  const w = emu.world;
  const { mi, m: existing } = findMigration(emu, req);
  const target = req.params.targetDbName!;
  const props = objectBody(req).properties;
  if (typeof props !== 'object' || props === null || Array.isArray(props)) throw badRequest('InvalidParameterValue', 'properties is required.');
  const p = props as Record<string, unknown>;
  if (p.kind !== 'SqlMi') throw badRequest('InvalidParameterValue', `properties.kind must be 'SqlMi' for a migration to a managed instance, not '${String(p.kind)}'.`);
  if (existing && !existing.terminal) {
    throw new ArmError(409, 'OperationInProgress', `Migration '${existing.name}' is ${existing.migrationStatus}: cancel it or wait until it ends before starting another.`);
  }
  if (mi.databases.get(target)) {
    throw new ArmError(409, 'ResourceAlreadyExists', `Database '${target}' already exists on managed instance '${mi.name}': choose another target database name.`);
  }
  if (typeof p.sourceDatabaseName !== 'string' || !p.sourceDatabaseName) throw badRequest('InvalidParameterValue', 'properties.sourceDatabaseName is required.');
  const serviceRef = typeof p.migrationService === 'string' ? parseArmId(p.migrationService) : undefined;
  if (!serviceRef || serviceRef.types[0]?.toLowerCase() !== 'sqlmigrationservices') throw badRequest('InvalidParameterValue', 'properties.migrationService must be the resource ID of a SQL migration service.');
  const service = w.services.get(rgKey(serviceRef.resourceGroup, serviceRef.names[0]!));
  if (!service) throw notFound(`${DMS}/sqlMigrationServices`, serviceRef.names[0]!, serviceRef.resourceGroup);
  const { request, secrets, kind } = sanitizeRequest(p);
  const location = backupLocation(emu, service, p, kind);
  const accountRef = typeof location.accountId === 'string' ? parseArmId(location.accountId) : undefined;
  const account = accountRef && accountRef.types[0]?.toLowerCase() === 'storageaccounts' ? w.storageAccounts.get(rgKey(accountRef.resourceGroup, accountRef.names[0]!)) : undefined;

  const operationId = randomUUID();
  const id = `/subscriptions/${w.subscriptionId}/resourceGroups/${mi.resourceGroup}/providers/Microsoft.Sql/managedInstances/${mi.name}/providers/${DMS}/databaseMigrations/${target}`;
  const m = new Migration(emu, {
    id,
    name: target,
    mi,
    service,
    operationId,
    request,
    secrets,
    sourceKind: kind,
    offline: location.offline,
    ...(location.lastBackupName && { lastBackupName: location.lastBackupName }),
    sourceDatabaseName: p.sourceDatabaseName,
    ...(account && { account }),
    ...(location.containerPath && { containerPath: location.containerPath }),
    ...(location.sharePath && { sharePath: location.sharePath }),
  });
  if (existing) {
    for (const [k, v] of existing.history) m.history.set(k, v);
    m.history.set(existing.operationId.toLowerCase(), migrationJson(existing, true));
  }
  emu.migrations.set(`${mi.resourceGroup}/${mi.name}/${target}`, m);
  const op = emu.longRunning.start(operationStatusPrefix(emu, service.location), apiVersionOf(req), operationId);
  m.start(op);
  return { status: existing ? 200 : 201, body: migrationJson(m, false), headers: asyncHeaders(emu, op) };
}

DatabaseMigrationsSqlMi_Delete.route = route('DELETE', MIGRATION, DATAMIGRATION);
/** A migration still running is deleted only with `force=true`. */
export function DatabaseMigrationsSqlMi_Delete(emu: Emulator, req: ArmRequest): ArmResponse {
  const { mi, m } = findMigration(emu, req);
  if (!m) return { status: 204 };
  const force = (req.url.searchParams.get('force') ?? '').toLowerCase() === 'true';
  if (!m.terminal && !force) {
    throw badRequest('DeleteMigrationNotAllowedMigrationInProgress', `Migration '${m.name}' is ${m.migrationStatus}: cancel it first, or delete with force=true.`);
  }
  m.stop();
  const op = emu.longRunning.start(operationStatusPrefix(emu, m.service.location), apiVersionOf(req));
  finishLater(emu, op, emu.timings.deleteSeconds, () => {
    if (emu.migrations.get(`${mi.resourceGroup}/${mi.name}/${m.name}`) === m) emu.migrations.delete(`${mi.resourceGroup}/${mi.name}/${m.name}`);
  });
  return { status: 202, headers: asyncHeaders(emu, op) };
}

DatabaseMigrationsSqlMi_cutover.route = route('POST', `${MIGRATION}/cutover`, DATAMIGRATION);
export function DatabaseMigrationsSqlMi_cutover(emu: Emulator, req: ArmRequest): ArmResponse {
  const m = requireMigration(emu, req);
  checkOperationId(m, objectBody(req));
  if (m.migrationStatus === 'Succeeded') throw badRequest('CutoverNotAllowedMigrationCompleteError', `Migration '${m.name}' has already completed.`);
  if (m.migrationStatus === 'Completing') throw new ArmError(409, 'OperationInProgress', `A cutover of migration '${m.name}' is already in progress.`);
  if (m.terminal || m.migrationStatus === 'Canceling') throw badRequest('MigrationNotReadyForCutoverError', `Migration '${m.name}' is ${m.migrationStatus} and cannot be cut over.`);
  const refusal = m.cutoverRefusal();
  if (refusal) throw badRequest('MigrationNotReadyForCutoverError', `Migration '${m.name}' is not ready for cutover. ${refusal}`);
  const op = emu.longRunning.start(operationStatusPrefix(emu, m.service.location), apiVersionOf(req));
  void m.cutover(op);
  return { status: 202, headers: asyncHeaders(emu, op) };
}

DatabaseMigrationsSqlMi_cancel.route = route('POST', `${MIGRATION}/cancel`, DATAMIGRATION);
export function DatabaseMigrationsSqlMi_cancel(emu: Emulator, req: ArmRequest): ArmResponse {
  const m = requireMigration(emu, req);
  checkOperationId(m, objectBody(req));
  if (m.terminal || m.migrationStatus === 'Completing' || m.migrationStatus === 'Canceling') {
    throw badRequest('MigrationNotReadyForCancelError', `Migration '${m.name}' is ${m.migrationStatus} and cannot be canceled.`);
  }
  const op = emu.longRunning.start(operationStatusPrefix(emu, m.service.location), apiVersionOf(req));
  void m.cancel(op);
  return { status: 202, headers: asyncHeaders(emu, op) };
}

interface BackupLocation {
  offline: boolean;
  lastBackupName?: string;
  /** The source account (blob) or the target account the runtime uploads to (share). */
  accountId?: unknown;
  /** Blob source: `container[/folder]`. */
  containerPath?: string;
  /** Share source: its UNC path. */
  sharePath?: string;
}

/** Where the backups come from, refusing what the real service refuses when a migration is created. */
function backupLocation(emu: Emulator, service: ServiceRec, p: Record<string, unknown>, kind: SourceKind): BackupLocation {
  const source = (p.backupConfiguration as Record<string, any>)?.sourceLocation ?? {};
  const offline = !!(p.offlineConfiguration as Record<string, unknown> | undefined)?.offline;
  const last = (p.offlineConfiguration as Record<string, unknown> | undefined)?.lastBackupName;
  const lastBackupName = typeof last === 'string' && last ? last : undefined;
  if (kind === 'AzureBlob') {
    const blob = source.azureBlob ?? {};
    const containerPath: string = typeof blob.blobContainerName === 'string' ? blob.blobContainerName : '';
    if (!containerPath) throw badRequest('InvalidParameterValue', 'backupConfiguration.sourceLocation.azureBlob.blobContainerName is required.');
    if (containerPath.split('/')[0]!.toLowerCase() === 'backup') throw badRequest('InvalidContainerName', "The container name 'backup' is reserved on SQL Managed Instance: use another container.");
    if (offline && !lastBackupName) {
      throw badRequest('InvalidParameterValue', 'offlineConfiguration.lastBackupName is required for an offline migration from Azure Blob Storage.');
    }
    return { offline, ...(lastBackupName && { lastBackupName }), accountId: blob.storageAccountResourceId, containerPath };
  }
  const share = source.fileShare ?? {};
  const sharePath: string = typeof share.path === 'string' ? share.path : '';
  if (!sharePath) throw badRequest('InvalidParameterValue', 'backupConfiguration.sourceLocation.fileShare.path is required.');
  if (runtimeState(emu, service) !== 'Online') {
    throw badRequest('IntegrationRuntimeIsNotOnline', `The integration runtime of service '${service.name}' is not online: register a self-hosted integration runtime node with one of the service's authentication keys.`);
  }
  return { offline, ...(lastBackupName && { lastBackupName }), accountId: (p.backupConfiguration as Record<string, any>)?.targetLocation?.storageAccountResourceId, sharePath };
}

/** The request as the service echoes it: secrets removed, read-only fields dropped, the source kind named. */
function sanitizeRequest(p: Record<string, unknown>): { request: Record<string, unknown>; secrets: MigrationSecrets; kind: SourceKind } {
  const request = structuredClone(p) as Record<string, any>;
  const secrets: MigrationSecrets = {};
  for (const k of ['provisioningState', 'migrationStatus', 'startedOn', 'endedOn', 'migrationFailureError', 'provisioningError', 'migrationStatusDetails', 'migrationOperationId', 'sourceServerName']) {
    delete request[k];
  }
  const sql = request.sourceSqlConnection;
  if (sql && typeof sql === 'object') {
    if (typeof sql.password === 'string') secrets.sqlPassword = sql.password;
    delete sql.password;
    if (typeof sql.dataSource === 'string') request.sourceServerName = sql.dataSource;
  }
  const backup = request.backupConfiguration;
  if (!backup || typeof backup !== 'object' || !backup.sourceLocation || typeof backup.sourceLocation !== 'object') {
    throw badRequest('InvalidParameterValue', 'properties.backupConfiguration.sourceLocation is required (azureBlob or fileShare).');
  }
  const source = backup.sourceLocation;
  const hasBlob = source.azureBlob && typeof source.azureBlob === 'object';
  const hasShare = source.fileShare && typeof source.fileShare === 'object';
  if (hasBlob === hasShare) throw badRequest('InvalidParameterValue', 'backupConfiguration.sourceLocation needs exactly one of azureBlob and fileShare.');
  if (hasBlob) {
    if (typeof source.azureBlob.accountKey === 'string') secrets.sourceAccountKey = source.azureBlob.accountKey;
    delete source.azureBlob.accountKey;
    const auth = source.azureBlob.authType;
    if (auth !== undefined && auth !== 'AccountKey' && auth !== 'ManagedIdentity') throw badRequest('InvalidParameterValue', `azureBlob.authType must be AccountKey or ManagedIdentity, not '${String(auth)}'.`);
  }
  if (hasShare) {
    if (typeof source.fileShare.password === 'string') secrets.sharePassword = source.fileShare.password;
    delete source.fileShare.password;
  }
  if (backup.targetLocation && typeof backup.targetLocation === 'object') {
    if (typeof backup.targetLocation.accountKey === 'string') secrets.targetAccountKey = backup.targetLocation.accountKey;
    delete backup.targetLocation.accountKey;
  }
  const kind: SourceKind = hasBlob ? 'AzureBlob' : 'FileShare';
  source.fileStorageType = kind;
  return { request, secrets, kind };
}
