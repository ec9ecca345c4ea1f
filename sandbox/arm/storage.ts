/**
 * Microsoft.Storage: storage accounts (list, list by resource group, get, listKeys) whose blob
 * endpoint is Azurite and whose keys really open the Azurite account; blob containers (list,
 * get, create) read from and written to Azurite.
 */
import { requireResourceGroup, requireStorageAccount, requireSubscription, type Emulator } from './emulator';
import { API_VERSIONS, ArmError, badRequest, notFound, page, type ArmRequest, type ArmResponse } from './http';
import { route } from './router';
import { armId, type StorageAccountRec } from './world';

const STORAGE = API_VERSIONS.storage;
const SA = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Storage/storageAccounts/{accountName}';
const CONTAINER = `${SA}/blobServices/default/containers/{containerName}`;
const CONTAINER_NAME = /^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

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

StorageAccounts_List.route = route('GET', '/subscriptions/{subscriptionId}/providers/Microsoft.Storage/storageAccounts', STORAGE);
export function StorageAccounts_List(emu: Emulator, req: ArmRequest): ArmResponse {
  requireSubscription(emu, req);
  return { status: 200, body: page(req, emu.world.storageAccounts.values().map((sa) => accountJson(emu, sa)), emu.pageSize, emu.baseUrl) };
}

StorageAccounts_ListByResourceGroup.route = route('GET', '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Storage/storageAccounts', STORAGE);
export function StorageAccounts_ListByResourceGroup(emu: Emulator, req: ArmRequest): ArmResponse {
  const rg = requireResourceGroup(emu, req).name.toLowerCase();
  const items = emu.world.storageAccounts.values().filter((sa) => sa.resourceGroup.toLowerCase() === rg);
  return { status: 200, body: page(req, items.map((sa) => accountJson(emu, sa)), emu.pageSize, emu.baseUrl) };
}

StorageAccounts_GetProperties.route = route('GET', SA, STORAGE);
export function StorageAccounts_GetProperties(emu: Emulator, req: ArmRequest): ArmResponse {
  return { status: 200, body: accountJson(emu, requireStorageAccount(emu, req)) };
}

StorageAccounts_ListKeys.route = route('POST', `${SA}/listKeys`, STORAGE);
/** The Azurite account's real keys: what the product reads here opens the blobs. */
export function StorageAccounts_ListKeys(emu: Emulator, req: ArmRequest): ArmResponse {
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
}

BlobContainers_List.route = route('GET', `${SA}/blobServices/default/containers`, STORAGE);
export async function BlobContainers_List(emu: Emulator, req: ArmRequest): Promise<ArmResponse> {
  const sa = requireStorageAccount(emu, req);
  const containers: ContainerInfo[] = [];
  try {
    for await (const c of emu.blobService(sa).listContainers()) containers.push(c as ContainerInfo);
  } catch (e) {
    throw storageDown(e);
  }
  return { status: 200, body: page(req, containers.map((c) => containerJson(emu, sa, c)), emu.pageSize, emu.baseUrl) };
}

BlobContainers_Get.route = route('GET', CONTAINER, STORAGE);
export async function BlobContainers_Get(emu: Emulator, req: ArmRequest): Promise<ArmResponse> {
  const sa = requireStorageAccount(emu, req);
  const name = req.params.containerName!;
  try {
    const p = await emu.blobService(sa).getContainerClient(name.toLowerCase()).getProperties();
    return { status: 200, body: containerJson(emu, sa, { name: name.toLowerCase(), properties: { etag: p.etag ?? '', lastModified: p.lastModified ?? new Date() } }) };
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) throw notFound('Microsoft.Storage/storageAccounts/blobServices/containers', `${sa.name}/default/${name}`, sa.resourceGroup);
    throw storageDown(e);
  }
}

BlobContainers_Create.route = route('PUT', CONTAINER, STORAGE);
/** Creates the container in Azurite; 200 when it was already there. */
export async function BlobContainers_Create(emu: Emulator, req: ArmRequest): Promise<ArmResponse> {
  const sa = requireStorageAccount(emu, req);
  const name = req.params.containerName!;
  if (!CONTAINER_NAME.test(name)) {
    throw badRequest('ContainerOperationFailure', `The specified resource name '${name}' contains invalid characters or is not 3-63 characters long.`);
  }
  const client = emu.blobService(sa).getContainerClient(name);
  try {
    const created = (await client.createIfNotExists()).succeeded;
    const p = await client.getProperties();
    return { status: created ? 201 : 200, body: containerJson(emu, sa, { name, properties: { etag: p.etag ?? '', lastModified: p.lastModified ?? new Date() } }) };
  } catch (e) {
    throw storageDown(e);
  }
}
