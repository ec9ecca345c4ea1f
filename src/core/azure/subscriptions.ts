/**
 * Tenants and subscriptions. Users with hundreds of subscriptions in several tenants get them
 * with one (paged) list call per tenant, never one call per subscription, and one tenant that
 * refuses (MFA required, no access) does not hide the others.
 */
import { SubscriptionClient } from '@azure/arm-resources-subscriptions';
import { prepareArmPipeline, sdkClientOptions, collect, type AzureContext } from './context';
import { toAzureError } from './errors';

export interface Tenant {
  tenantId: string;
  displayName?: string;
  defaultDomain?: string;
}

export interface SubscriptionInfo {
  subscriptionId: string;
  displayName: string;
  tenantId: string;
  state: string;
}

export interface TenantSubscriptions {
  tenant: Tenant;
  subscriptions: SubscriptionInfo[];
  /** Why this tenant's subscriptions could not be listed (the others still are). */
  error?: string;
}

function subscriptionClient(ctx: AzureContext): SubscriptionClient {
  const client = new SubscriptionClient(ctx.credential, sdkClientOptions(ctx));
  prepareArmPipeline(client.pipeline, ctx);
  return client;
}

export async function listTenants(ctx: AzureContext, signal?: AbortSignal): Promise<Tenant[]> {
  try {
    const client = subscriptionClient(ctx);
    const tenants = await collect(client.tenants.list({ abortSignal: signal }), signal);
    return tenants
      .filter((t) => t.tenantId)
      .map((t) => ({ tenantId: t.tenantId!, ...(t.displayName && { displayName: t.displayName }), ...(t.defaultDomain && { defaultDomain: t.defaultDomain }) }));
  } catch (e) {
    throw toAzureError(e, 'list your tenants');
  }
}

/**
 * Subscriptions per tenant: `tenantCredential` makes the context's credential ask for a token of
 * each tenant. Tenants are listed first unless given.
 */
export async function listSubscriptions(
  ctx: AzureContext,
  options: { tenants?: Tenant[]; credentialFor?: (tenantId: string) => AzureContext['credential']; signal?: AbortSignal } = {},
): Promise<TenantSubscriptions[]> {
  const tenants = options.tenants ?? (await listTenants(ctx, options.signal));
  return Promise.all(
    tenants.map(async (tenant): Promise<TenantSubscriptions> => {
      try {
        const credential = options.credentialFor ? options.credentialFor(tenant.tenantId) : ctx.credential;
        const client = subscriptionClient({ ...ctx, credential });
        const subs = await collect(client.subscriptions.list({ abortSignal: options.signal }), options.signal);
        return {
          tenant,
          subscriptions: subs
            .filter((s) => s.subscriptionId)
            .map((s) => ({ subscriptionId: s.subscriptionId!, displayName: s.displayName ?? s.subscriptionId!, tenantId: s.tenantId ?? tenant.tenantId, state: s.state ?? 'Unknown' }))
            .sort((a, b) => a.displayName.localeCompare(b.displayName)),
        };
      } catch (e) {
        if ((e as Error).name === 'AbortError') throw e;
        return { tenant, subscriptions: [], error: toAzureError(e, `list the subscriptions of tenant ${tenant.tenantId}`).message };
      }
    }),
  );
}
