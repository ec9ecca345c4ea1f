/** Resource groups: list them for a picker, create one for a new migration service. */
import { ResourceManagementClient } from '@azure/arm-resources';
import { azureCall } from './errors';
import { collect, prepareArmPipeline, sdkClientOptions, type AzureContext } from './context';

export interface ResourceGroupInfo {
  id: string;
  name: string;
  location: string;
  provisioningState?: string;
}

function client(ctx: AzureContext, subscriptionId: string): ResourceManagementClient {
  const c = new ResourceManagementClient(ctx.credential, subscriptionId, sdkClientOptions(ctx));
  prepareArmPipeline(c.pipeline, ctx);
  return c;
}

export function listResourceGroups(ctx: AzureContext, subscriptionId: string, signal?: AbortSignal): Promise<ResourceGroupInfo[]> {
  return azureCall(`list the resource groups of subscription ${subscriptionId}`, async () => {
    const groups = await collect(client(ctx, subscriptionId).resourceGroups.list({ abortSignal: signal }), signal);
    return groups
      .map((g) => ({ id: g.id ?? '', name: g.name ?? '', location: g.location, ...(g.properties?.provisioningState && { provisioningState: g.properties.provisioningState }) }))
      .sort((a, b) => a.name.localeCompare(b.name));
  });
}

/** Creates the group, or returns it unchanged when it exists (a PUT with the same location is idempotent). */
export function createResourceGroup(
  ctx: AzureContext,
  subscriptionId: string,
  name: string,
  location: string,
  signal?: AbortSignal,
): Promise<ResourceGroupInfo> {
  if (!/^[-\w._()]{1,90}$/.test(name) || name.endsWith('.')) {
    return Promise.reject(new Error(`"${name}" is not a valid resource group name: 1-90 letters, digits, _ - . ( ), not ending with a period`));
  }
  return azureCall(`create resource group ${name}`, async () => {
    const g = await client(ctx, subscriptionId).resourceGroups.createOrUpdate(name, { location }, { abortSignal: signal });
    return { id: g.id ?? '', name: g.name ?? name, location: g.location, ...(g.properties?.provisioningState && { provisioningState: g.properties.provisioningState }) };
  });
}
