/**
 * Target managed instances: what the target picker shows (state, tier, vCores, storage) and
 * the database names already on an instance, so a target name that would collide is refused
 * before a migration starts.
 */
import { SqlManagementClient, type ManagedInstance } from '@azure/arm-sql';
import { parseArmId } from './armId';
import { collect, prepareArmPipeline, sdkClientOptions, type AzureContext } from './context';
import { azureCall } from './errors';

export interface ManagedInstanceInfo {
  id: string;
  name: string;
  resourceGroup: string;
  location: string;
  /** Ready, Stopped, Starting, ...: only Ready takes migrations. */
  state: string;
  provisioningState: string;
  /** GeneralPurpose, BusinessCritical, NextGenGeneralPurpose... */
  tier: string;
  skuName: string;
  vCores?: number;
  storageSizeInGB?: number;
  fullyQualifiedDomainName?: string;
  collation?: string;
  /** The instance's managed identity (SystemAssigned, UserAssigned): what reads blob storage without a key or SAS. */
  identity?: { type: string; principalId?: string };
}

function sqlClient(ctx: AzureContext, subscriptionId: string): SqlManagementClient {
  const client = new SqlManagementClient(ctx.credential, subscriptionId, sdkClientOptions(ctx));
  prepareArmPipeline(client.pipeline, ctx);
  return client;
}

function toInfo(mi: ManagedInstance): ManagedInstanceInfo {
  const id = mi.id ?? '';
  return {
    id,
    name: mi.name ?? '',
    resourceGroup: id ? parseArmId(id).resourceGroup : '',
    location: mi.location,
    state: mi.state ?? 'Unknown',
    provisioningState: mi.provisioningState ?? 'Unknown',
    tier: mi.sku?.tier ?? 'Unknown',
    skuName: mi.sku?.name ?? 'Unknown',
    ...(mi.vCores !== undefined && { vCores: mi.vCores }),
    ...(mi.storageSizeInGB !== undefined && { storageSizeInGB: mi.storageSizeInGB }),
    ...(mi.fullyQualifiedDomainName && { fullyQualifiedDomainName: mi.fullyQualifiedDomainName }),
    ...(mi.collation && { collation: mi.collation }),
    ...(mi.identity?.type && mi.identity.type !== 'None' && { identity: { type: mi.identity.type, ...(mi.identity.principalId && { principalId: mi.identity.principalId }) } }),
  };
}

/** Whether the instance can take a migration now, and if not, why. */
export function instanceAvailability(mi: ManagedInstanceInfo): { available: boolean; reason?: string } {
  if (mi.state.toLowerCase() === 'ready') return { available: true };
  return { available: false, reason: `the instance is ${mi.state}; it must be Ready (start it in the portal or with "az sql mi start")` };
}

export function listManagedInstances(
  ctx: AzureContext,
  subscriptionId: string,
  options: { resourceGroup?: string; signal?: AbortSignal } = {},
): Promise<ManagedInstanceInfo[]> {
  const where = options.resourceGroup ? `resource group ${options.resourceGroup}` : `subscription ${subscriptionId}`;
  return azureCall(`list the managed instances in ${where}`, async () => {
    const mis = sqlClient(ctx, subscriptionId).managedInstances;
    const pager = options.resourceGroup ? mis.listByResourceGroup(options.resourceGroup, { abortSignal: options.signal }) : mis.list({ abortSignal: options.signal });
    return (await collect(pager, options.signal)).map(toInfo).sort((a, b) => a.name.localeCompare(b.name));
  });
}

export function getManagedInstance(ctx: AzureContext, subscriptionId: string, resourceGroup: string, name: string, signal?: AbortSignal): Promise<ManagedInstanceInfo> {
  return azureCall(`read managed instance ${name}`, async () => toInfo(await sqlClient(ctx, subscriptionId).managedInstances.get(resourceGroup, name, { abortSignal: signal })));
}

export interface ManagedDatabaseInfo {
  name: string;
  /** Online, Restoring, Creating, ... */
  status: string;
}

export function listManagedDatabases(
  ctx: AzureContext,
  subscriptionId: string,
  resourceGroup: string,
  instance: string,
  signal?: AbortSignal,
): Promise<ManagedDatabaseInfo[]> {
  return azureCall(`list the databases of managed instance ${instance}`, async () => {
    const dbs = await collect(sqlClient(ctx, subscriptionId).managedDatabases.listByInstance(resourceGroup, instance, { abortSignal: signal }), signal);
    return dbs.map((d) => ({ name: d.name ?? '', status: d.status ?? 'Unknown' })).sort((a, b) => a.name.localeCompare(b.name));
  });
}
