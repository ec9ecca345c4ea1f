/**
 * Microsoft.Sql: managed instances (list by subscription and resource group, get) and their
 * databases (list, get, delete as a long-running operation). Databases appear here when a
 * migration to the instance completes.
 */
import { asyncHeaders, finishLater, requireManagedInstance, requireResourceGroup, requireSubscription, type Emulator } from './context';
import { notFound, page, type Router } from './http';
import { armId, type ManagedDatabaseRec, type ManagedInstanceRec } from './world';

const SKU = { GeneralPurpose: 'GP_Gen5', BusinessCritical: 'BC_Gen5' } as const;

export function managedInstanceId(emu: Emulator, mi: ManagedInstanceRec): string {
  return armId(emu.world, mi.resourceGroup, 'Microsoft.Sql', 'managedInstances', mi.name);
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
    properties: {
      provisioningState: 'Succeeded',
      state: mi.state,
      // A name under .localhost: nothing in the sandbox may resolve to a real address.
      fullyQualifiedDomainName: `${mi.name.toLowerCase()}.sandbox.localhost`,
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

function databaseJson(emu: Emulator, mi: ManagedInstanceRec, db: ManagedDatabaseRec) {
  return {
    id: `${managedInstanceId(emu, mi)}/databases/${db.name}`,
    name: db.name,
    type: 'Microsoft.Sql/managedInstances/databases',
    location: mi.location,
    tags: {},
    properties: { collation: db.collation, status: db.status, creationDate: db.creationDate, defaultSecondaryLocation: mi.location, isLedgerOn: false },
  };
}

const MI = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Sql/managedInstances/{managedInstanceName}';

export function registerSql(router: Router, emu: Emulator): void {
  const w = emu.world;
  router.add('GET', '/subscriptions/{subscriptionId}/providers/Microsoft.Sql/managedInstances', 'sql', (req) => {
    requireSubscription(emu, req);
    return { status: 200, body: page(req, w.managedInstances.values().map((mi) => managedInstanceJson(emu, mi)), emu.pageSize, emu.baseUrl) };
  });
  router.add('GET', '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Sql/managedInstances', 'sql', (req) => {
    const rg = requireResourceGroup(emu, req).name.toLowerCase();
    const items = w.managedInstances.values().filter((mi) => mi.resourceGroup.toLowerCase() === rg);
    return { status: 200, body: page(req, items.map((mi) => managedInstanceJson(emu, mi)), emu.pageSize, emu.baseUrl) };
  });
  router.add('GET', MI, 'sql', (req) => ({ status: 200, body: managedInstanceJson(emu, requireManagedInstance(emu, req)) }));
  router.add('GET', `${MI}/databases`, 'sql', (req) => {
    const mi = requireManagedInstance(emu, req);
    return { status: 200, body: page(req, mi.databases.values().map((db) => databaseJson(emu, mi, db)), emu.pageSize, emu.baseUrl) };
  });
  router.add('GET', `${MI}/databases/{databaseName}`, 'sql', (req) => {
    const mi = requireManagedInstance(emu, req);
    const db = mi.databases.get(req.params.databaseName!);
    if (!db) throw notFound('Microsoft.Sql/managedInstances/databases', `${mi.name}/${req.params.databaseName}`, mi.resourceGroup);
    return { status: 200, body: databaseJson(emu, mi, db) };
  });
  router.add('DELETE', `${MI}/databases/{databaseName}`, 'sql', (req) => {
    const mi = requireManagedInstance(emu, req);
    const db = mi.databases.get(req.params.databaseName!);
    if (!db) return { status: 204 };
    db.status = 'Stopping';
    const op = emu.operations.start(`/subscriptions/${w.subscriptionId}/providers/Microsoft.Sql/locations/${mi.location}/managedDatabaseAzureAsyncOperation`, req.url.searchParams.get('api-version')!);
    finishLater(emu, op, emu.timings.deleteSeconds, () => {
      mi.databases.delete(db.name);
    });
    return { status: 202, headers: asyncHeaders(emu, op) };
  });
  router.add('GET', '/subscriptions/{subscriptionId}/providers/Microsoft.Sql/locations/{location}/managedDatabaseAzureAsyncOperation/{operationId}', 'sql', (req) => {
    requireSubscription(emu, req);
    const op = emu.operations.get(req.params.operationId!);
    if (!op) throw notFound('Microsoft.Sql/locations/managedDatabaseAzureAsyncOperation', req.params.operationId!);
    return { status: 200, body: emu.operations.body(op) };
  });
}
