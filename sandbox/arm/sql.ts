/**
 * Microsoft.Sql: managed instances (list by subscription and resource group, get) and their
 * databases (list, get, delete as a long-running operation). Databases appear here when a
 * migration to the instance completes.
 */
import { asyncHeaders, finishLater, requireManagedInstance, requireResourceGroup, requireSubscription, type Emulator } from './emulator';
import { API_VERSIONS, apiVersionOf, notFound, page, type ArmRequest, type ArmResponse } from './http';
import { route } from './router';
import { armId, type ManagedDatabaseRec, type ManagedInstanceRec } from './world';

const SQL = API_VERSIONS.sql;
const MI = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Sql/managedInstances/{managedInstanceName}';
const SKU = { GeneralPurpose: 'GP_Gen5', BusinessCritical: 'BC_Gen5' } as const;

export function managedInstanceId(emu: Emulator, mi: ManagedInstanceRec): string {
  return armId(emu.world, mi.resourceGroup, 'Microsoft.Sql', 'managedInstances', mi.name);
}

/** The instance's host name as ARM gives it: under .localhost, so nothing in the sandbox resolves to a real address. */
export function managedInstanceHostName(mi: ManagedInstanceRec): string {
  return `${mi.name.toLowerCase()}.sandbox.localhost`;
}

export function managedInstanceJson(emu: Emulator, mi: ManagedInstanceRec) {
  const id = managedInstanceId(emu, mi);
  return {
    id,
    name: mi.name,
    type: 'Microsoft.Sql/managedInstances',
    location: mi.location,
    tags: {},
    sku: { name: SKU[mi.tier], tier: mi.tier, family: 'Gen5', capacity: mi.vCores },
    ...(mi.identity && { identity: { type: 'SystemAssigned', principalId: mi.identity.principalId, tenantId: mi.identity.tenantId } }),
    properties: {
      provisioningState: 'Succeeded',
      state: mi.state,
      fullyQualifiedDomainName: managedInstanceHostName(mi),
      dnsZone: 'sandbox',
      administratorLogin: 'sqladmin',
      subnetId: armId(emu.world, mi.resourceGroup, 'Microsoft.Network', 'virtualNetworks', 'vnet-sandbox', 'subnets', 'ManagedInstance'),
      licenseType: 'LicenseIncluded',
      vCores: mi.vCores,
      storageSizeInGB: mi.storageSizeInGB,
      collation: mi.collation,
      publicDataEndpointEnabled: false,
      proxyOverride: 'Proxy',
      timezoneId: 'UTC',
      minimalTlsVersion: '1.2',
      currentBackupStorageRedundancy: 'Geo',
      requestedBackupStorageRedundancy: 'Geo',
      zoneRedundant: false,
      maintenanceConfigurationId: `/subscriptions/${emu.world.subscriptionId}/providers/Microsoft.Maintenance/publicMaintenanceConfigurations/SQL_Default`,
      virtualClusterId: armId(emu.world, mi.resourceGroup, 'Microsoft.Sql', 'virtualClusters', `vc-${mi.name.toLowerCase()}`),
      externalGovernanceStatus: 'Disabled',
      hybridSecondaryUsage: 'Active',
      authenticationMetadata: 'AzureAD',
      pricingModel: 'Regular',
      createTime: mi.createTime,
      databaseFormat: 'SQLServer2022',
      requestedLogicalAvailabilityZone: 'NoPreference',
    },
  };
}

export function databaseJson(emu: Emulator, mi: ManagedInstanceRec, db: ManagedDatabaseRec) {
  return {
    id: `${managedInstanceId(emu, mi)}/databases/${db.name}`,
    name: db.name,
    type: 'Microsoft.Sql/managedInstances/databases',
    location: mi.location,
    tags: { ...db.tags },
    properties: { collation: db.collation, status: db.status, creationDate: db.creationDate, defaultSecondaryLocation: mi.location, isLedgerOn: false },
  };
}

ManagedInstances_List.route = route('GET', '/subscriptions/{subscriptionId}/providers/Microsoft.Sql/managedInstances', SQL);
export function ManagedInstances_List(emu: Emulator, req: ArmRequest): ArmResponse {
  requireSubscription(emu, req);
  return { status: 200, body: page(req, emu.world.managedInstances.values().map((mi) => managedInstanceJson(emu, mi)), emu.pageSize, emu.baseUrl) };
}

ManagedInstances_ListByResourceGroup.route = route('GET', '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Sql/managedInstances', SQL);
export function ManagedInstances_ListByResourceGroup(emu: Emulator, req: ArmRequest): ArmResponse {
  const rg = requireResourceGroup(emu, req).name.toLowerCase();
  const items = emu.world.managedInstances.values().filter((mi) => mi.resourceGroup.toLowerCase() === rg);
  return { status: 200, body: page(req, items.map((mi) => managedInstanceJson(emu, mi)), emu.pageSize, emu.baseUrl) };
}

ManagedInstances_Get.route = route('GET', MI, SQL);
export function ManagedInstances_Get(emu: Emulator, req: ArmRequest): ArmResponse {
  return { status: 200, body: managedInstanceJson(emu, requireManagedInstance(emu, req)) };
}

ManagedDatabases_ListByInstance.route = route('GET', `${MI}/databases`, SQL);
export function ManagedDatabases_ListByInstance(emu: Emulator, req: ArmRequest): ArmResponse {
  const mi = requireManagedInstance(emu, req);
  return { status: 200, body: page(req, mi.databases.values().map((db) => databaseJson(emu, mi, db)), emu.pageSize, emu.baseUrl) };
}

ManagedDatabases_Get.route = route('GET', `${MI}/databases/{databaseName}`, SQL);
export function ManagedDatabases_Get(emu: Emulator, req: ArmRequest): ArmResponse {
  const mi = requireManagedInstance(emu, req);
  const db = mi.databases.get(req.params.databaseName!);
  if (!db) throw notFound('Microsoft.Sql/managedInstances/databases', `${mi.name}/${req.params.databaseName}`, mi.resourceGroup);
  return { status: 200, body: databaseJson(emu, mi, db) };
}

ManagedDatabases_Delete.route = route('DELETE', `${MI}/databases/{databaseName}`, SQL);
/**
 * Stopping, then gone; a database that is not there is already deleted (204). A database being
 * restored by the Log Replay Service goes the same way: its restore stops (LRS's "stop").
 */
export function ManagedDatabases_Delete(emu: Emulator, req: ArmRequest): ArmResponse {
  const mi = requireManagedInstance(emu, req);
  const db = mi.databases.get(req.params.databaseName!);
  if (!db) return { status: 204 };
  db.status = 'Stopping';
  const restoreKey = `${mi.resourceGroup}/${mi.name}/${db.name}`;
  const restore = emu.restores.get(restoreKey);
  restore?.stopRestore();
  const op = emu.longRunning.start(`/subscriptions/${emu.world.subscriptionId}/providers/Microsoft.Sql/locations/${mi.location}/managedDatabaseAzureAsyncOperation`, apiVersionOf(req));
  finishLater(emu, op, emu.timings.deleteSeconds, () => {
    if (mi.databases.get(db.name) === db) mi.databases.delete(db.name);
    if (restore && emu.restores.get(restoreKey) === restore) emu.restores.delete(restoreKey);
  });
  return { status: 202, headers: asyncHeaders(emu, op) };
}

ManagedDatabaseAzureAsyncOperation_Get.route = route(
  'GET',
  '/subscriptions/{subscriptionId}/providers/Microsoft.Sql/locations/{location}/managedDatabaseAzureAsyncOperation/{operationId}',
  SQL,
  "ARM's polling resource (Azure-AsyncOperation) of managed database operations",
);
export function ManagedDatabaseAzureAsyncOperation_Get(emu: Emulator, req: ArmRequest): ArmResponse {
  requireSubscription(emu, req);
  const op = emu.longRunning.get(req.params.operationId!);
  if (!op) throw notFound('Microsoft.Sql/locations/managedDatabaseAzureAsyncOperation', req.params.operationId!);
  return { status: 200, body: emu.longRunning.body(op) };
}
