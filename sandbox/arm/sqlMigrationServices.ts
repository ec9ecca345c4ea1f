/**
 * Microsoft.DataMigration, the services: SQL migration services (create/update/delete as
 * long-running operations, get, lists, auth keys, runtime monitoring, deleteNode,
 * listMigrations) and the provider's operation-status resource that their operations and the
 * database migrations' (databaseMigrations.ts) are polled on.
 */
import type { Migration } from '../dms/migration';
import { migrationJson } from '../dms/migrationJson';
import { asyncHeaders, finishLater, requireResourceGroup, requireService, requireSubscription, type Emulator } from './emulator';
import { API_VERSIONS, apiVersionOf, ArmError, badRequest, notFound, objectBody, page, type ArmRequest, type ArmResponse } from './http';
import { route } from './router';
import { armId, newAuthKey, newService, rgKey, type ServiceRec } from './world';

export const DMS = 'Microsoft.DataMigration';
export const DATAMIGRATION = API_VERSIONS.datamigration;
const SMS = `/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/${DMS}/sqlMigrationServices/{sqlMigrationServiceName}`;

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

/** Where the provider's long-running operations in `location` are polled. */
export function operationStatusPrefix(emu: Emulator, location: string): string {
  return `/subscriptions/${emu.world.subscriptionId}/providers/${DMS}/locations/${location}/operationStatuses`;
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

/** The migrations a service runs. */
function migrationsOf(emu: Emulator, s: ServiceRec): Migration[] {
  return emu.migrations.values().filter((m) => m.service === s);
}

DataMigrationOperationStatuses_Get.route = route(
  'GET',
  `/subscriptions/{subscriptionId}/providers/${DMS}/locations/{location}/operationStatuses/{operationId}`,
  DATAMIGRATION,
  "ARM's polling resource (Azure-AsyncOperation) of the provider's operations",
);
export function DataMigrationOperationStatuses_Get(emu: Emulator, req: ArmRequest): ArmResponse {
  requireSubscription(emu, req);
  const op = emu.longRunning.get(req.params.operationId!);
  if (!op) throw notFound(`${DMS}/locations/operationStatuses`, req.params.operationId!);
  return { status: 200, body: emu.longRunning.body(op) };
}

SqlMigrationServices_ListBySubscription.route = route('GET', `/subscriptions/{subscriptionId}/providers/${DMS}/sqlMigrationServices`, DATAMIGRATION);
export function SqlMigrationServices_ListBySubscription(emu: Emulator, req: ArmRequest): ArmResponse {
  requireSubscription(emu, req);
  return { status: 200, body: page(req, emu.world.services.values().map((s) => serviceJson(emu, s)), emu.pageSize, emu.baseUrl) };
}

SqlMigrationServices_ListByResourceGroup.route = route('GET', `/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/${DMS}/sqlMigrationServices`, DATAMIGRATION);
export function SqlMigrationServices_ListByResourceGroup(emu: Emulator, req: ArmRequest): ArmResponse {
  const rg = requireResourceGroup(emu, req).name.toLowerCase();
  const items = emu.world.services.values().filter((s) => s.resourceGroup.toLowerCase() === rg);
  return { status: 200, body: page(req, items.map((s) => serviceJson(emu, s)), emu.pageSize, emu.baseUrl) };
}

SqlMigrationServices_Get.route = route('GET', SMS, DATAMIGRATION);
export function SqlMigrationServices_Get(emu: Emulator, req: ArmRequest): ArmResponse {
  return { status: 200, body: serviceJson(emu, requireService(emu, req)) };
}

SqlMigrationServices_CreateOrUpdate.route = route('PUT', SMS, DATAMIGRATION);
/** Provisioning (or Updating), then Succeeded after serviceProvisionSeconds; 409 while another operation runs. */
export function SqlMigrationServices_CreateOrUpdate(emu: Emulator, req: ArmRequest): ArmResponse {
  const rg = requireResourceGroup(emu, req);
  const name = req.params.sqlMigrationServiceName!;
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{1,61}[A-Za-z0-9_]$/.test(name)) {
    throw badRequest('InvalidParameterValue', `The service name '${name}' is not valid: use 3-63 letters, digits, '-', '_' or '.'.`);
  }
  const body = objectBody(req);
  const tags = tagsOf(body);
  let s = emu.world.services.get(rgKey(rg.name, name));
  const created = !s;
  if (s) {
    if (s.provisioningState !== 'Succeeded' && s.provisioningState !== 'Failed') throw new ArmError(409, 'OperationInProgress', `An operation is already in progress on service '${s.name}'.`);
    if (tags) s.tags = tags;
    s.provisioningState = 'Updating';
  } else {
    if (typeof body.location !== 'string' || !body.location) throw badRequest('InvalidParameterValue', 'location is required.');
    s = newService(rg.name, name, body.location, new URL(emu.baseUrl).host, tags);
    s.provisioningState = 'Provisioning';
    emu.world.services.set(rgKey(rg.name, name), s);
  }
  s.lastModifiedAt = emu.clock.date().toISOString();
  const service = s;
  const op = emu.longRunning.start(operationStatusPrefix(emu, s.location), apiVersionOf(req));
  finishLater(emu, op, emu.timings.serviceProvisionSeconds, () => {
    service.provisioningState = 'Succeeded';
  });
  return { status: created ? 201 : 200, body: serviceJson(emu, s), headers: asyncHeaders(emu, op) };
}

SqlMigrationServices_Update.route = route('PATCH', SMS, DATAMIGRATION);
/** Tags only: the one thing a service has to update. */
export function SqlMigrationServices_Update(emu: Emulator, req: ArmRequest): ArmResponse {
  const s = requireService(emu, req);
  const tags = tagsOf(objectBody(req));
  if (tags) s.tags = tags;
  s.lastModifiedAt = emu.clock.date().toISOString();
  return { status: 200, body: serviceJson(emu, s) };
}

SqlMigrationServices_Delete.route = route('DELETE', SMS, DATAMIGRATION);
/** Refused while a migration of the service runs, as the real service does. */
export function SqlMigrationServices_Delete(emu: Emulator, req: ArmRequest): ArmResponse {
  requireResourceGroup(emu, req);
  const s = emu.world.services.get(rgKey(req.params.resourceGroupName!, req.params.sqlMigrationServiceName!));
  if (!s) return { status: 204 };
  const active = migrationsOf(emu, s).filter((m) => !m.terminal);
  if (active.length) {
    throw badRequest('DeleteServiceNotAllowed', `Service '${s.name}' cannot be deleted while ${active.length} migration${active.length > 1 ? 's are' : ' is'} in progress (${active.map((m) => m.name).join(', ')}).`);
  }
  s.provisioningState = 'Deleting';
  const op = emu.longRunning.start(operationStatusPrefix(emu, s.location), apiVersionOf(req));
  finishLater(emu, op, emu.timings.deleteSeconds, () => {
    emu.world.services.delete(rgKey(s.resourceGroup, s.name));
  });
  return { status: 202, headers: asyncHeaders(emu, op) };
}

SqlMigrationServices_listAuthKeys.route = route('POST', `${SMS}/listAuthKeys`, DATAMIGRATION);
export function SqlMigrationServices_listAuthKeys(emu: Emulator, req: ArmRequest): ArmResponse {
  const s = requireService(emu, req);
  return { status: 200, body: { authKey1: s.authKey1, authKey2: s.authKey2 } };
}

SqlMigrationServices_regenerateAuthKeys.route = route('POST', `${SMS}/regenerateAuthKeys`, DATAMIGRATION);
export function SqlMigrationServices_regenerateAuthKeys(emu: Emulator, req: ArmRequest): ArmResponse {
  const s = requireService(emu, req);
  const keyName = objectBody(req).keyName;
  if (keyName !== 'authKey1' && keyName !== 'authKey2') {
    throw badRequest('RegenerateAuthenticationKeyNameInvalid', `The key name '${String(keyName)}' is not valid: use authKey1 or authKey2.`);
  }
  s[keyName] = newAuthKey(s.name, new URL(emu.baseUrl).host);
  // A node registered with the old key can no longer talk to the service.
  for (const n of s.nodes.values()) if (n.keyName === keyName) n.online = false;
  return { status: 200, body: { keyName, [keyName]: s[keyName] } };
}

SqlMigrationServices_listMonitoringData.route = route('POST', `${SMS}/listMonitoringData`, DATAMIGRATION);
export function SqlMigrationServices_listMonitoringData(emu: Emulator, req: ArmRequest): ArmResponse {
  const s = requireService(emu, req);
  return {
    status: 200,
    body: { name: s.name, nodes: s.nodes.values().map((n) => ({ nodeName: n.nodeName, ...n.stats })) },
  };
}

SqlMigrationServices_deleteNode.route = route('POST', `${SMS}/deleteNode`, DATAMIGRATION);
export function SqlMigrationServices_deleteNode(emu: Emulator, req: ArmRequest): ArmResponse {
  const s = requireService(emu, req);
  const body = objectBody(req);
  if (typeof body.nodeName !== 'string' || !body.nodeName) throw badRequest('InvalidParameterValue', 'nodeName is required.');
  if (!s.nodes.delete(body.nodeName)) throw notFound('integrationRuntimes/nodes', body.nodeName);
  return { status: 200, body: { nodeName: body.nodeName, ...(typeof body.integrationRuntimeName === 'string' && { integrationRuntimeName: body.integrationRuntimeName }) } };
}

SqlMigrationServices_listMigrations.route = route('GET', `${SMS}/listMigrations`, DATAMIGRATION);
export function SqlMigrationServices_listMigrations(emu: Emulator, req: ArmRequest): ArmResponse {
  const s = requireService(emu, req);
  return { status: 200, body: page(req, migrationsOf(emu, s), emu.pageSize, emu.baseUrl, (m) => migrationJson(m, false)) };
}
