/**
 * Storage for backups: accounts (ARM), their containers and keys, and a data-plane client for
 * one container. The blob endpoint comes from ARM (`primaryEndpoints.blob`), so sovereign
 * clouds, Azure Stack and Azurite's path-style endpoints all work unchanged.
 */
import { StorageManagementClient, type StorageAccount } from '@azure/arm-storage';
import { BlobServiceClient, ContainerClient, StorageSharedKeyCredential, type StoragePipelineOptions } from '@azure/storage-blob';
import { containerNameProblem } from '../naming';
import { parseArmId } from './armId';
import { isLoopback } from './cloud';
import { collect, prepareArmPipeline, sdkClientOptions, type AzureContext } from './context';
import { azureCall } from './errors';

export interface StorageAccountInfo {
  id: string;
  name: string;
  resourceGroup: string;
  location: string;
  kind?: string;
  blobEndpoint?: string;
  provisioningState?: string;
  /** False when the account refuses account keys: DMS needs them (or a managed identity). */
  allowSharedKeyAccess?: boolean;
}

function toInfo(a: StorageAccount, fallbackId: string): StorageAccountInfo {
  const id = a.id ?? fallbackId;
  return {
    id,
    name: a.name ?? parseArmId(id).name,
    resourceGroup: parseArmId(id).resourceGroup,
    location: a.location,
    ...(a.kind && { kind: a.kind }),
    ...(a.primaryEndpoints?.blob && { blobEndpoint: a.primaryEndpoints.blob }),
    ...(a.provisioningState && { provisioningState: a.provisioningState }),
    ...(a.allowSharedKeyAccess !== undefined && { allowSharedKeyAccess: a.allowSharedKeyAccess }),
  };
}

function storageClient(ctx: AzureContext, subscriptionId: string): StorageManagementClient {
  const client = new StorageManagementClient(ctx.credential, subscriptionId, sdkClientOptions(ctx));
  prepareArmPipeline(client.pipeline, ctx);
  return client;
}

export function listStorageAccounts(
  ctx: AzureContext,
  subscriptionId: string,
  options: { resourceGroup?: string; signal?: AbortSignal } = {},
): Promise<StorageAccountInfo[]> {
  return azureCall('list the storage accounts', async () => {
    const accounts = storageClient(ctx, subscriptionId).storageAccounts;
    const pager = options.resourceGroup
      ? accounts.listByResourceGroup(options.resourceGroup, { abortSignal: options.signal })
      : accounts.list({ abortSignal: options.signal });
    const all = await collect(pager, options.signal);
    return all
      .map((a) => toInfo(a, a.id ?? ''))
      .sort((x, y) => x.name.localeCompare(y.name));
  });
}

export function getStorageAccount(ctx: AzureContext, storageAccountId: string, signal?: AbortSignal): Promise<StorageAccountInfo> {
  const id = parseArmId(storageAccountId);
  return azureCall(`read storage account ${id.name}`, async () => {
    const a = await storageClient(ctx, id.subscriptionId).storageAccounts.getProperties(id.resourceGroup, id.name, { abortSignal: signal });
    return toInfo(a, storageAccountId);
  });
}

/** The account's first key (a secret: hand it to DMS or to the blob client, never print it). */
export function getStorageAccountKey(ctx: AzureContext, storageAccountId: string, signal?: AbortSignal): Promise<string> {
  const id = parseArmId(storageAccountId);
  return azureCall(`read the keys of storage account ${id.name}`, async () => {
    const result = await storageClient(ctx, id.subscriptionId).storageAccounts.listKeys(id.resourceGroup, id.name, { abortSignal: signal });
    const key = result.keys?.find((k) => k.value && (k.permissions ?? 'FULL').toUpperCase() === 'FULL')?.value;
    if (!key) throw new Error(`storage account ${id.name} returned no usable key (shared-key access may be disabled)`);
    return key;
  });
}

export function listContainers(ctx: AzureContext, storageAccountId: string, signal?: AbortSignal): Promise<string[]> {
  const id = parseArmId(storageAccountId);
  return azureCall(`list the containers of storage account ${id.name}`, async () => {
    const items = await collect(storageClient(ctx, id.subscriptionId).blobContainers.list(id.resourceGroup, id.name, { abortSignal: signal }), signal);
    return items.filter((c) => !c.deleted).map((c) => c.name ?? '').sort();
  });
}

export function createContainer(ctx: AzureContext, storageAccountId: string, name: string, signal?: AbortSignal): Promise<void> {
  const problem = containerNameProblem(name);
  if (problem) return Promise.reject(new Error(problem));
  const id = parseArmId(storageAccountId);
  return azureCall(`create container ${name} in storage account ${id.name}`, async () => {
    await storageClient(ctx, id.subscriptionId).blobContainers.create(id.resourceGroup, id.name, name, {}, { abortSignal: signal });
  });
}

/** Why a container name is unusable for migration backups, or undefined when it is fine. */
export { containerNameProblem };

export interface BlobAccess {
  /** The account's blob endpoint, e.g. https://acct.blob.core.windows.net/ or Azurite's http://127.0.0.1:P/acct/ */
  blobEndpoint: string;
  accountName: string;
  accountKey: string;
}

/** A data-plane client for one container, signed with the account key; plain http only on loopback. */
export function containerClient(access: BlobAccess, container: string, options: StoragePipelineOptions = {}): ContainerClient {
  const url = new URL(access.blobEndpoint);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(access.blobEndpoint))) {
    throw new Error(`refusing to send storage account credentials to ${url.origin}: only https (or this machine's loopback) is allowed`);
  }
  const service = new BlobServiceClient(access.blobEndpoint, new StorageSharedKeyCredential(access.accountName, access.accountKey), options);
  return service.getContainerClient(container);
}
