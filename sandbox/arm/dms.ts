/**
 * Microsoft.DataMigration: SQL migration services (create/update/delete as long-running
 * operations, get, lists, auth keys, runtime monitoring, deleteNode, listMigrations) and
 * database migrations to a managed instance (create as a long-running operation, get with
 * `$expand=MigrationStatusDetails` and `migrationOperationId`, delete, cancel, cutover).
 */
import { randomUUID } from 'node:crypto';
import { Migration, type MigrationSecrets, type SourceKind } from '../dms/migration';
import { migrationJson } from '../dms/migrationJson';
import { asyncHeaders, finishLater, requireManagedInstance, requireResourceGroup, requireService, requireSubscription, type Emulator } from './context';
import { ArmError, badRequest, notFound, objectBody, page, type ArmRequest, type Router } from './http';
import { armId, newAuthKey, newService, parseArmId, rgKey, type ServiceRec } from './world';

const DMS = 'Microsoft.DataMigration';

export function serviceId(emu: Emulator, s: ServiceRec): string {
  return armId(emu.world, s.resourceGroup, DMS, 'sqlMigrationServices', s.name);
}

/** Online while a registered node sends heartbeats; NeedRegistration before any node registers. */
export function runtimeState(emu: Emulator, s: ServiceRec): string {
  if (s.forcedOffline) return 'Offline';
  if (s.nodes.size === 0) return 'NeedRegistration';
  const fresh = Date.now() - emu.runtimeHeartbeatMs * 4;
  return s.nodes.values().some((n) => n.online && n.lastHeartbeat >= fresh) ? 'Online' : 'Offline';
}

function serviceJson(emu: Emulator, s: ServiceRec) {
  return {
    id: serviceId(emu, s),
    name: s.name,
    type: `${DMS}/sqlMigrationServices`,
    location: s.location,
    tags: s.tags,
    systemData: { createdBy: 'sandbox-user', createdByType: 'User', createdAt: s.createdAt, lastModifiedBy: 'sandbox-user', lastModifiedByType: 'User', lastModifiedAt: s.lastModifiedAt },
    properties: { provisioningState: s.provisioningState, integrationRuntimeState: runtimeState(emu, s) },
  };
}

function tagsOf(body: Record<string, unknown>): Record<string, string> | undefined {
  if (body.tags === undefined) return undefined;
  if (typeof body.tags !== 'object' || body.tags === null || Array.isArray(body.tags) || Object.values(body.tags).some((v) => typeof v !== 'string')) {
    throw badRequest('InvalidParameterValue', 'tags must be an object of strings.');
  }
  return body.tags as Record<string, string>;
}

function operationStatusPrefix(emu: Emulator, location: string): string {
  return `/subscriptions/${emu.world.subscriptionId}/providers/${DMS}/locations/${location}/operationStatuses`;
}

function apiVersion(req: ArmRequest): string {
  return req.url.searchParams.get('api-version')!;
}

/** The migrations a service runs. */
function migrationsOf(emu: Emulator, s: ServiceRec): Migration[] {
  return emu.migrations.values().filter((m) => m.service === s);
}

const SMS = `/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/${DMS}/sqlMigrationServices/{sqlMigrationServiceName}`;
const MIGRATION = `/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Sql/managedInstances/{managedInstanceName}/providers/${DMS}/databaseMigrations/{targetDbName}`;

export function registerDms(router: Router, emu: Emulator): void {
  const w = emu.world;

  router.add('GET', `/subscriptions/{subscriptionId}/providers/${DMS}/locations/{location}/operationStatuses/{operationId}`, 'datamigration', (req) => {
    requireSubscription(emu, req);
    const op = emu.operations.get(req.params.operationId!);
    if (!op) throw notFound(`${DMS}/locations/operationStatuses`, req.params.operationId!);
    return { status: 200, body: emu.operations.body(op) };
  });

  // --- SQL migration services ---
  router.add('GET', `/subscriptions/{subscriptionId}/providers/${DMS}/sqlMigrationServices`, 'datamigration', (req) => {
    requireSubscription(emu, req);
    return { status: 200, body: page(req, w.services.values().map((s) => serviceJson(emu, s)), emu.pageSize, emu.baseUrl) };
  });
  router.add('GET', `/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/${DMS}/sqlMigrationServices`, 'datamigration', (req) => {
    const rg = requireResourceGroup(emu, req).name.toLowerCase();
    const items = w.services.values().filter((s) => s.resourceGroup.toLowerCase() === rg);
    return { status: 200, body: page(req, items.map((s) => serviceJson(emu, s)), emu.pageSize, emu.baseUrl) };
  });
  router.add('GET', SMS, 'datamigration', (req) => ({ status: 200, body: serviceJson(emu, requireService(emu, req)) }));
  router.add('PUT', SMS, 'datamigration', (req) => {
    const rg = requireResourceGroup(emu, req);
    const name = req.params.sqlMigrationServiceName!;
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{1,61}[A-Za-z0-9_]$/.test(name)) {
      throw badRequest('InvalidParameterValue', `The service name '${name}' is not valid: use 3-63 letters, digits, '-', '_' or '.'.`);
    }
    const body = objectBody(req);
    const tags = tagsOf(body);
    let s = w.services.get(rgKey(rg.name, name));
    const created = !s;
    if (s) {
      if (s.provisioningState !== 'Succeeded' && s.provisioningState !== 'Failed') throw new ArmError(409, 'OperationInProgress', `An operation is already in progress on service '${s.name}'.`);
      if (tags) s.tags = tags;
      s.provisioningState = 'Updating';
    } else {
      if (typeof body.location !== 'string' || !body.location) throw badRequest('InvalidParameterValue', 'location is required.');
      s = newService(rg.name, name, body.location, new URL(emu.baseUrl).host, tags);
      s.provisioningState = 'Provisioning';
      w.services.set(rgKey(rg.name, name), s);
    }
    s.lastModifiedAt = emu.clock.date().toISOString();
    const service = s;
    const op = emu.operations.start(operationStatusPrefix(emu, s.location), apiVersion(req));
    finishLater(emu, op, emu.timings.serviceProvisionSeconds, () => {
      service.provisioningState = 'Succeeded';
    });
    return { status: created ? 201 : 200, body: serviceJson(emu, s), headers: asyncHeaders(emu, op) };
  });
  router.add('PATCH', SMS, 'datamigration', (req) => {
    const s = requireService(emu, req);
    const tags = tagsOf(objectBody(req));
    if (tags) s.tags = tags;
    s.lastModifiedAt = emu.clock.date().toISOString();
    return { status: 200, body: serviceJson(emu, s) };
  });
  router.add('DELETE', SMS, 'datamigration', (req) => {
    requireResourceGroup(emu, req);
    const s = w.services.get(rgKey(req.params.resourceGroupName!, req.params.sqlMigrationServiceName!));
    if (!s) return { status: 204 };
    const active = migrationsOf(emu, s).filter((m) => !m.terminal);
    if (active.length) {
      throw badRequest('DeleteServiceNotAllowed', `Service '${s.name}' cannot be deleted while ${active.length} migration${active.length > 1 ? 's are' : ' is'} in progress (${active.map((m) => m.name).join(', ')}).`);
    }
    s.provisioningState = 'Deleting';
    const op = emu.operations.start(operationStatusPrefix(emu, s.location), apiVersion(req));
    finishLater(emu, op, emu.timings.deleteSeconds, () => {
      w.services.delete(rgKey(s.resourceGroup, s.name));
    });
    return { status: 202, headers: asyncHeaders(emu, op) };
  });
  router.add('POST', `${SMS}/listAuthKeys`, 'datamigration', (req) => {
    const s = requireService(emu, req);
    return { status: 200, body: { authKey1: s.authKey1, authKey2: s.authKey2 } };
  });
  router.add('POST', `${SMS}/regenerateAuthKeys`, 'datamigration', (req) => {
    const s = requireService(emu, req);
    const keyName = objectBody(req).keyName;
    if (keyName !== 'authKey1' && keyName !== 'authKey2') {
      throw badRequest('RegenerateAuthenticationKeyNameInvalid', `The key name '${String(keyName)}' is not valid: use authKey1 or authKey2.`);
    }
    s[keyName] = newAuthKey(s.name, new URL(emu.baseUrl).host);
    // A node registered with the old key can no longer talk to the service.
    for (const n of s.nodes.values()) if (n.keyName === keyName) n.online = false;
    return { status: 200, body: { keyName, [keyName]: s[keyName] } };
  });
  router.add('POST', `${SMS}/listMonitoringData`, 'datamigration', (req) => {
    const s = requireService(emu, req);
    return {
      status: 200,
      body: { name: s.name, nodes: s.nodes.values().map((n) => ({ nodeName: n.nodeName, ...n.stats })) },
    };
  });
  router.add('POST', `${SMS}/deleteNode`, 'datamigration', (req) => {
    const s = requireService(emu, req);
    const body = objectBody(req);
    if (typeof body.nodeName !== 'string' || !body.nodeName) throw badRequest('InvalidParameterValue', 'nodeName is required.');
    if (!s.nodes.delete(body.nodeName)) throw notFound('integrationRuntimes/nodes', body.nodeName);
    return { status: 200, body: { nodeName: body.nodeName, ...(typeof body.integrationRuntimeName === 'string' && { integrationRuntimeName: body.integrationRuntimeName }) } };
  });
  router.add('GET', `${SMS}/listMigrations`, 'datamigration', (req) => {
    const s = requireService(emu, req);
    return { status: 200, body: page(req, migrationsOf(emu, s), emu.pageSize, emu.baseUrl, (m) => migrationJson(m, false)) };
  });

  // --- Database migrations to a managed instance ---
  const findMigration = (req: ArmRequest) => {
    const mi = requireManagedInstance(emu, req);
    const m = emu.migrations.get(`${mi.resourceGroup}/${mi.name}/${req.params.targetDbName}`);
    return { mi, m };
  };
  const requireMigration = (req: ArmRequest) => {
    const { mi, m } = findMigration(req);
    if (!m) throw notFound(`${DMS}/databaseMigrations`, req.params.targetDbName!, mi.resourceGroup);
    return m;
  };
  const checkOperationId = (m: Migration, body: Record<string, unknown>) => {
    const id = body.migrationOperationId;
    if (typeof id !== 'string' || !id) throw badRequest('InvalidParameterValue', 'migrationOperationId is required.');
    if (id.toLowerCase() !== m.operationId.toLowerCase()) {
      throw badRequest('OperationIdNotFound', `Migration operation '${id}' is not the current operation of migration '${m.name}' (${m.operationId}).`);
    }
  };

  router.add('GET', MIGRATION, 'datamigration', (req) => {
    const m = requireMigration(req);
    const expand = (req.url.searchParams.get('$expand') ?? '').toLowerCase() === 'migrationstatusdetails';
    const opId = req.url.searchParams.get('migrationOperationId');
    if (opId && opId.toLowerCase() !== m.operationId.toLowerCase()) {
      const old = m.history.get(opId.toLowerCase());
      if (!old) throw badRequest('OperationIdNotFound', `Migration operation '${opId}' was not found for migration '${m.name}'.`);
      return { status: 200, body: old };
    }
    return { status: 200, body: migrationJson(m, expand) };
  });

  router.add('PUT', MIGRATION, 'datamigration', (req) => {
    const { mi, m: existing } = findMigration(req);
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
    const source = (p.backupConfiguration as Record<string, any>)?.sourceLocation ?? {};
    const offline = !!(p.offlineConfiguration as Record<string, unknown> | undefined)?.offline;
    const lastBackupName = (p.offlineConfiguration as Record<string, unknown> | undefined)?.lastBackupName;
    let accountId: string | undefined;
    let containerPath: string | undefined;
    let sharePath: string | undefined;
    if (kind === 'AzureBlob') {
      const blob = source.azureBlob ?? {};
      containerPath = typeof blob.blobContainerName === 'string' ? blob.blobContainerName : '';
      if (!containerPath) throw badRequest('InvalidParameterValue', 'backupConfiguration.sourceLocation.azureBlob.blobContainerName is required.');
      if (containerPath.split('/')[0]!.toLowerCase() === 'backup') throw badRequest('InvalidContainerName', "The container name 'backup' is reserved on SQL Managed Instance: use another container.");
      if (offline && (typeof lastBackupName !== 'string' || !lastBackupName)) {
        throw badRequest('InvalidParameterValue', 'offlineConfiguration.lastBackupName is required for an offline migration from Azure Blob Storage.');
      }
      accountId = blob.storageAccountResourceId;
    } else {
      const share = source.fileShare ?? {};
      sharePath = typeof share.path === 'string' ? share.path : '';
      if (!sharePath) throw badRequest('InvalidParameterValue', 'backupConfiguration.sourceLocation.fileShare.path is required.');
      if (runtimeState(emu, service) !== 'Online') {
        throw badRequest('IntegrationRuntimeIsNotOnline', `The integration runtime of service '${service.name}' is not online: register a self-hosted integration runtime node with one of the service's authentication keys.`);
      }
      accountId = (p.backupConfiguration as Record<string, any>)?.targetLocation?.storageAccountResourceId;
    }
    const accountRef = typeof accountId === 'string' ? parseArmId(accountId) : undefined;
    const account = accountRef && accountRef.types[0]?.toLowerCase() === 'storageaccounts' ? w.storageAccounts.get(rgKey(accountRef.resourceGroup, accountRef.names[0]!)) : undefined;

    const operationId = randomUUID();
    const id = `/subscriptions/${w.subscriptionId}/resourceGroups/${mi.resourceGroup}/providers/Microsoft.Sql/managedInstances/${mi.name}/providers/${DMS}/databaseMigrations/${target}`;
    const m = new Migration(
      emu,
      {
        id,
        name: target,
        mi,
        service,
        operationId,
        request,
        secrets,
        sourceKind: kind,
        offline,
        ...(typeof lastBackupName === 'string' && lastBackupName && { lastBackupName }),
        sourceDatabaseName: p.sourceDatabaseName,
        ...(account && { account }),
        ...(containerPath && { containerPath }),
        ...(sharePath && { sharePath }),
      },
      () => emu.restoreFailures,
    );
    if (existing) {
      for (const [k, v] of existing.history) m.history.set(k, v);
      m.history.set(existing.operationId.toLowerCase(), migrationJson(existing, true));
    }
    emu.migrations.set(`${mi.resourceGroup}/${mi.name}/${target}`, m);
    const op = emu.operations.start(operationStatusPrefix(emu, service.location), apiVersion(req), operationId);
    m.start(op);
    return { status: existing ? 200 : 201, body: migrationJson(m, false), headers: asyncHeaders(emu, op) };
  });

  router.add('DELETE', MIGRATION, 'datamigration', (req) => {
    const { mi, m } = findMigration(req);
    if (!m) return { status: 204 };
    const force = (req.url.searchParams.get('force') ?? '').toLowerCase() === 'true';
    if (!m.terminal && !force) {
      throw badRequest('DeleteMigrationNotAllowedMigrationInProgress', `Migration '${m.name}' is ${m.migrationStatus}: cancel it first, or delete with force=true.`);
    }
    m.stop();
    const op = emu.operations.start(operationStatusPrefix(emu, m.service.location), apiVersion(req));
    finishLater(emu, op, emu.timings.deleteSeconds, () => {
      if (emu.migrations.get(`${mi.resourceGroup}/${mi.name}/${m.name}`) === m) emu.migrations.delete(`${mi.resourceGroup}/${mi.name}/${m.name}`);
    });
    return { status: 202, headers: asyncHeaders(emu, op) };
  });

  router.add('POST', `${MIGRATION}/cutover`, 'datamigration', (req) => {
    const m = requireMigration(req);
    checkOperationId(m, objectBody(req));
    if (m.migrationStatus === 'Succeeded') throw badRequest('CutoverNotAllowedMigrationCompleteError', `Migration '${m.name}' has already completed.`);
    if (m.migrationStatus === 'Completing') throw new ArmError(409, 'OperationInProgress', `A cutover of migration '${m.name}' is already in progress.`);
    if (m.terminal || m.migrationStatus === 'Canceling') throw badRequest('MigrationNotReadyForCutoverError', `Migration '${m.name}' is ${m.migrationStatus} and cannot be cut over.`);
    const refusal = m.cutoverRefusal();
    if (refusal) throw badRequest('MigrationNotReadyForCutoverError', `Migration '${m.name}' is not ready for cutover. ${refusal}`);
    const op = emu.operations.start(operationStatusPrefix(emu, m.service.location), apiVersion(req));
    void m.cutover(op);
    return { status: 202, headers: asyncHeaders(emu, op) };
  });

  router.add('POST', `${MIGRATION}/cancel`, 'datamigration', (req) => {
    const m = requireMigration(req);
    checkOperationId(m, objectBody(req));
    if (m.terminal || m.migrationStatus === 'Completing' || m.migrationStatus === 'Canceling') {
      throw badRequest('MigrationNotReadyForCancelError', `Migration '${m.name}' is ${m.migrationStatus} and cannot be canceled.`);
    }
    const op = emu.operations.start(operationStatusPrefix(emu, m.service.location), apiVersion(req));
    void m.cancel(op);
    return { status: 202, headers: asyncHeaders(emu, op) };
  });
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
