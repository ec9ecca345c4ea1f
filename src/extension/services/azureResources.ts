/**
 * The wizard's Azure pickers on the core: subscriptions (one list per tenant), managed
 * instances with their state and existing databases, storage accounts and their containers.
 * The core loads on the first call. No `vscode` here.
 */
import * as l10n from '@vscode/l10n';
import { ActionableError } from '../errors';
import { contextFor } from './azureContext';
import { loadCore } from './loadCore';
import type { SignedInAccount, StorageService, SubscriptionInfo, SubscriptionService, TargetService } from './types';

const AVAILABLE = { available: true } as const;

/** Every subscription of the account; tenants that refuse are skipped unless all do. */
export async function listAllSubscriptions(account: SignedInAccount, signal: AbortSignal, warn: (m: string) => void): Promise<SubscriptionInfo[]> {
  const core = await loadCore();
  const ctx = contextFor(account);
  // A cloud file that names its tenant (the sandbox, an Azure Stack) saves the tenant list.
  const tenants = account.cloud.tenantId ? [{ tenantId: account.cloud.tenantId }] : undefined;
  const perTenant = await core.listSubscriptions(ctx, {
    signal,
    ...(tenants && { tenants }),
    ...(account.credentialFor && { credentialFor: account.credentialFor }),
  });
  const failed = perTenant.filter((t) => t.error);
  for (const t of failed) warn(`subscriptions of tenant ${t.tenant.tenantId}: ${t.error}`);
  const subs = perTenant.flatMap((t) => t.subscriptions);
  if (subs.length === 0 && failed.length) {
    throw new ActionableError(l10n.t('No subscription could be listed: {0}', failed[0]!.error!), l10n.t('Sign in again, or with an account that can read the subscription.'));
  }
  const byId = new Map(subs.map((s) => [s.subscriptionId, s]));
  return [...byId.values()].map((s) => ({ id: s.subscriptionId, name: s.state === 'Enabled' ? s.displayName : `${s.displayName} (${s.state})` }));
}

export function subscriptionService(warn: (m: string) => void): SubscriptionService {
  return { availability: AVAILABLE, list: (account, signal) => listAllSubscriptions(account, signal, warn) };
}

export const targetService: TargetService = {
  availability: AVAILABLE,
  async listManagedInstances(account, subscriptionId, signal) {
    const core = await loadCore();
    const list = await core.listManagedInstances(contextFor(account), subscriptionId, { signal });
    return list.map((mi) => ({
      id: mi.id,
      name: mi.name,
      resourceGroup: mi.resourceGroup,
      location: mi.location,
      state: mi.state,
      tier: mi.tier,
      ...(mi.vCores !== undefined && { vCores: mi.vCores }),
    }));
  },
  async listDatabases(account, instanceId, signal) {
    const core = await loadCore();
    const id = core.parseArmId(instanceId);
    const dbs = await core.listManagedDatabases(contextFor(account), id.subscriptionId, id.resourceGroup, id.name, signal);
    return dbs.map((d) => d.name);
  },
};

export const storageService: StorageService = {
  availability: AVAILABLE,
  async listAccounts(account, subscriptionId, signal) {
    const core = await loadCore();
    const list = await core.listStorageAccounts(contextFor(account), subscriptionId, { signal });
    return list.map((a) => ({ id: a.id, name: a.name, resourceGroup: a.resourceGroup, location: a.location }));
  },
  async listContainers(account, storageAccountId, signal) {
    const core = await loadCore();
    return core.listContainers(contextFor(account), storageAccountId, signal);
  },
};
