/**
 * The wizard's Database Migration Service step on the core's DmsClient: list, create (with its
 * resource group), the runtime's auth keys (copy, regenerate), runtime nodes, and a connection
 * test made of real checks. No `vscode` here.
 */
import * as l10n from '@vscode/l10n';
import type { SqlMigrationService } from '../../core/azure/dms/models';
import { describeError } from '../errors';
import { contextFor } from './azureContext';
import { loadCore, type CoreApi } from './loadCore';
import { sourceOptions } from './sourceService';
import type { ConnectionTest, MigrationServiceInfo, MigrationServiceResources, SignedInAccount } from './types';

function infoOf(core: CoreApi, s: SqlMigrationService, fallbackId = ''): MigrationServiceInfo {
  const id = s.id ?? fallbackId;
  const arm = core.parseArmId(id);
  return {
    id,
    name: s.name ?? arm.name,
    resourceGroup: arm.resourceGroup,
    location: s.location ?? '',
    ...(s.properties?.provisioningState && { provisioningState: s.properties.provisioningState }),
    ...(s.properties?.integrationRuntimeState && { integrationRuntimeState: s.properties.integrationRuntimeState }),
  };
}

async function client(account: SignedInAccount) {
  const core = await loadCore();
  return { core, dms: new core.DmsClient(contextFor(account)) };
}

/** Why a check failed, in one line (the service's code and message, never a request body). */
function reason(e: unknown, doing: string): string {
  const r = describeError(e, doing);
  return r.message;
}

export const migrationServiceResources: MigrationServiceResources = {
  availability: { available: true },

  async list(account, subscriptionId, signal) {
    const { core, dms } = await client(account);
    const list = await dms.listServicesBySubscription(subscriptionId, { signal });
    return list.filter((s) => s.id).map((s) => infoOf(core, s)).sort((a, b) => a.name.localeCompare(b.name));
  },

  async create(account, subscriptionId, resourceGroup, name, location, signal) {
    const { core, dms } = await client(account);
    // The group is created when it does not exist yet (an existing one is left as it is).
    const groups = await core.listResourceGroups(contextFor(account), subscriptionId, signal);
    if (!groups.some((g) => g.name.toLowerCase() === resourceGroup.toLowerCase())) await core.createResourceGroup(contextFor(account), subscriptionId, resourceGroup, location, signal);
    const ref = { subscriptionId, resourceGroup, name };
    const created = await dms.createOrUpdateService(ref, { location }, { signal });
    return infoOf(core, created, core.serviceIdOf(ref));
  },

  async authKeys(account, serviceId, signal) {
    const { core, dms } = await client(account);
    const keys = await dms.listAuthKeys(core.serviceRefFromId(serviceId), { signal });
    return { authKey1: keys.authKey1 ?? '', authKey2: keys.authKey2 ?? '' };
  },

  async regenerateKey(account, serviceId, key, signal) {
    const { core, dms } = await client(account);
    const ref = core.serviceRefFromId(serviceId);
    const keys = await dms.regenerateAuthKey(ref, key, { signal });
    // Some service versions answer only with the key that changed: read both.
    if (keys.authKey1 && keys.authKey2) return { authKey1: keys.authKey1, authKey2: keys.authKey2 };
    const both = await dms.listAuthKeys(ref, { signal });
    return { authKey1: both.authKey1 ?? '', authKey2: both.authKey2 ?? '' };
  },

  async nodes(account, serviceId, signal) {
    const { core, dms } = await client(account);
    const data = await dms.listMonitoringData(core.serviceRefFromId(serviceId), { signal });
    return (data.nodes ?? []).map((n) => ({
      nodeName: n.nodeName ?? '',
      ...(n.cpuUtilization !== undefined && { cpuUtilization: n.cpuUtilization }),
      ...(n.availableMemoryInMB !== undefined && { availableMemoryInMB: n.availableMemoryInMB }),
      ...(n.concurrentJobsRunning !== undefined && { concurrentJobsRunning: n.concurrentJobsRunning }),
      ...(n.maxConcurrentJobs !== undefined && { maxConcurrentJobs: n.maxConcurrentJobs }),
    }));
  },

  /**
   * The checks this editor can make: the service is provisioned and (for a network share) its
   * runtime online, the source SQL Server accepts the login from this machine, and the storage
   * account's key opens the containers the migrations use.
   */
  async testConnection(account, request, secrets, signal): Promise<ConnectionTest> {
    const { core, dms } = await client(account);
    const checks: ConnectionTest['checks'] = [];
    const check = async (name: string, work: () => Promise<string | undefined>) => {
      try {
        const message = await work();
        checks.push({ name, ok: true, ...(message && { message }) });
      } catch (e) {
        signal.throwIfAborted();
        checks.push({ name, ok: false, message: reason(e, name) });
      }
    };
    const share = request.databases.some((d) => d.location.kind === 'share');
    await check(l10n.t('Migration service'), async () => {
      const s = await dms.getService(core.serviceRefFromId(request.migrationServiceId), { signal });
      const state = s.properties?.provisioningState ?? 'Unknown';
      if (state !== 'Succeeded') throw new Error(l10n.t('the service is {0}, not provisioned yet', state));
      const ir = s.properties?.integrationRuntimeState ?? l10n.t('not registered');
      if (share && ir !== 'Online') throw new Error(l10n.t('its integration runtime is {0}: a network share needs it Online', ir));
      return l10n.t('provisioned; integration runtime {0}', ir);
    });
    await check(l10n.t('Source SQL Server (from this machine)'), async () => {
      const conn = await core.connectSource(sourceOptions(request.source, secrets.sqlPassword), { signal });
      try {
        const inv = await core.readInventory(conn, { signal });
        const missing = request.databases.map((d) => d.sourceDatabase).filter((n) => !inv.databases.some((d) => d.name.toLowerCase() === n.toLowerCase()));
        if (missing.length) throw new Error(l10n.t('the server has no database named {0}', missing.join(', ')));
        return `${inv.properties.serverName} (${inv.properties.productName})`;
      } finally {
        await conn.close();
      }
    });
    const accounts = [...new Set(request.databases.map((d) => d.location.storageAccountId))];
    for (const id of accounts) {
      await check(l10n.t('Storage account {0}', core.parseArmId(id).name), async () => {
        const ctx = contextFor(account);
        const [info, key] = await Promise.all([core.getStorageAccount(ctx, id, signal), core.getStorageAccountKey(ctx, id, signal)]);
        if (!info.blobEndpoint) throw new Error(l10n.t('the account reports no blob endpoint'));
        const containers = [...new Set(request.databases.flatMap((d) => (d.location.kind !== 'share' && d.location.storageAccountId === id ? [d.location.container.split('/')[0]!] : [])))];
        const notThere: string[] = [];
        for (const c of containers) {
          const exists = await core.containerClient({ blobEndpoint: info.blobEndpoint, accountName: info.name, accountKey: key }, c).exists({ abortSignal: signal });
          if (!exists) notThere.push(c);
        }
        const local = request.databases.some((d) => d.location.kind === 'upload');
        if (notThere.length && !local) throw new Error(l10n.t('no container named {0}', notThere.join(', ')));
        return notThere.length ? l10n.t('key works; {0} will be created on upload', notThere.join(', ')) : l10n.t('key works');
      });
    }
    return { ok: checks.every((c) => c.ok), checks };
  },
};
