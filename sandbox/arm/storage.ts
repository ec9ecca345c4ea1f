/**
 * Microsoft.Storage: storage accounts (list, list by resource group, get, listKeys) whose blob
 * endpoint is Azurite and whose keys really open the Azurite account; blob containers (list,
 * get, create) read from and written to Azurite.
 */
import { ArmError, badRequest, notFound, page, type Router } from './http';
import { requireResourceGroup, requireStorageAccount, requireSubscription, type Emulator } from './context';
import { armId, type StorageAccountRec } from './world';

export function storageAccountId(emu: Emulator, sa: StorageAccountRec): string {
  return armId(emu.world, sa.resourceGroup, 'Microsoft.Storage', 'storageAccounts', sa.name);
}

function accountJson(emu: Emulator, sa: StorageAccountRec) {
  return {
    id: storageAccountId(emu, sa),
    name: sa.name,
    type: 'Microsoft.Storage/storageAccounts',
    location: sa.location,
    tags: {},
    kind: 'StorageV2',
    sku: { name: 'Standard_LRS', tier: 'Standard' },
    properties: {
      provisioningState: 'Succeeded',
      primaryEndpoints: { blob: sa.blobEndpoint },
      primaryLocation: sa.location,
      statusOfPrimary: 'available',
      creationTime: sa.creationTime,
      accessTier: 'Hot',
      // Azurite serves plain http on loopback.
      supportsHttpsTrafficOnly: false,
      allowBlobPublicAccess: false,
      allowSharedKeyAccess: true,
      minimumTlsVersion: 'TLS1_2',
      isHnsEnabled: false,
      routingPreference: { routingChoice: 'MicrosoftRouting', publishMicrosoftEndpoints: false, publishInternetEndpoints: false },
      encryption: {
        keySource: 'Microsoft.Storage',
        services: { blob: { enabled: true, keyType: 'Account', lastEnabledTime: sa.creationTime } },
      },
    },
  };
}

interface ContainerInfo {
  name: string;
  properties: { etag: string; lastModified: Date; publicAccess?: string; leaseStatus?: string; leaseState?: string; hasImmutabilityPolicy?: boolean; hasLegalHold?: boolean };
}

function containerJson(emu: Emulator, sa: StorageAccountRec, c: ContainerInfo) {
  return {
    id: `${storageAccountId(emu, sa)}/blobServices/default/containers/${c.name}`,
    name: c.name,
    type: 'Microsoft.Storage/storageAccounts/blobServices/containers',
    etag: c.properties.etag,
    properties: {
      publicAccess: c.properties.publicAccess === 'container' ? 'Container' : c.properties.publicAccess === 'blob' ? 'Blob' : 'None',
      lastModifiedTime: c.properties.lastModified.toISOString(),
      leaseStatus: c.properties.leaseStatus === 'locked' ? 'Locked' : 'Unlocked',
      leaseState: 'Available',
      hasImmutabilityPolicy: false,
      hasLegalHold: false,
    },
  };
}

/** Azurite failures become ARM errors that say where the fault is. */
function storageDown(e: unknown): ArmError {
  return new ArmError(500, 'InternalServerError', `The sandbox's blob service (Azurite) did not answer: ${(e as Error).message}`);
}

const SA = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Storage/storageAccounts/{accountName}';
const CONTAINER_NAME = /^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

export function registerStorage(router: Router, emu: Emulator): void {
  const w = emu.world;
  router.add('GET', '/subscriptions/{subscriptionId}/providers/Microsoft.Storage/storageAccounts', 'storage', (req) => {
    requireSubscription(emu, req);
    return { status: 200, body: page(req, w.storageAccounts.values().map((sa) => accountJson(emu, sa)), emu.pageSize, emu.baseUrl) };
  });
  router.add('GET', '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Storage/storageAccounts', 'storage', (req) => {
    const rg = requireResourceGroup(emu, req).name.toLowerCase();
    const items = w.storageAccounts.values().filter((sa) => sa.resourceGroup.toLowerCase() === rg);
    return { status: 200, body: page(req, items.map((sa) => accountJson(emu, sa)), emu.pageSize, emu.baseUrl) };
  });
  router.add('GET', SA, 'storage', (req) => ({ status: 200, body: accountJson(emu, requireStorageAccount(emu, req)) }));
  router.add('POST', `${SA}/listKeys`, 'storage', (req) => {
    const sa = requireStorageAccount(emu, req);
    return {
      status: 200,
      body: {
        keys: [
          { keyName: 'key1', value: sa.key1, permissions: 'Full', creationTime: sa.creationTime },
          { keyName: 'key2', value: sa.key2, permissions: 'Full', creationTime: sa.creationTime },
        ],
      },
    };
  });
  router.add('GET', `${SA}/blobServices/default/containers`, 'storage', async (req) => {
    const sa = requireStorageAccount(emu, req);
    const containers: ContainerInfo[] = [];
    try {
      for await (const c of emu.blobService(sa).listContainers()) containers.push(c as ContainerInfo);
    } catch (e) {
      throw storageDown(e);
    }
    return { status: 200, body: page(req, containers.map((c) => containerJson(emu, sa, c)), emu.pageSize, emu.baseUrl) };
  });
  router.add('GET', `${SA}/blobServices/default/containers/{containerName}`, 'storage', async (req) => {
    const sa = requireStorageAccount(emu, req);
    const name = req.params.containerName!;
    try {
      const p = await emu.blobService(sa).getContainerClient(name.toLowerCase()).getProperties();
      return { status: 200, body: containerJson(emu, sa, { name: name.toLowerCase(), properties: { etag: p.etag ?? '', lastModified: p.lastModified ?? new Date() } }) };
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode === 404) throw notFound('Microsoft.Storage/storageAccounts/blobServices/containers', `${sa.name}/default/${name}`, sa.resourceGroup);
      throw storageDown(e);
    }
  });
  router.add('PUT', `${SA}/blobServices/default/containers/{containerName}`, 'storage', async (req) => {
    const sa = requireStorageAccount(emu, req);
    const name = req.params.containerName!;
    if (!CONTAINER_NAME.test(name)) {
      throw badRequest('ContainerOperationFailure', `The specified resource name '${name}' contains invalid characters or is not 3-63 characters long.`);
    }
    const client = emu.blobService(sa).getContainerClient(name);
    let created: boolean;
    try {
      created = (await client.createIfNotExists()).succeeded;
      const p = await client.getProperties();
      return { status: created ? 201 : 200, body: containerJson(emu, sa, { name, properties: { etag: p.etag ?? '', lastModified: p.lastModified ?? new Date() } }) };
    } catch (e) {
      throw storageDown(e);
    }
  });
}
