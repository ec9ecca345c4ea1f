/**
 * Microsoft.Resources: tenants (list), subscriptions (list, get) and resource groups (list, get, check,
 * create-or-update, delete as a long-running operation with a Location URL, as ARM does).
 */
import { finishLater, requireResourceGroup, requireSubscription, type Emulator } from './context';
import { ArmError, badRequest, objectBody, page, type Router } from './http';
import type { ResourceGroupRec } from './world';

function subscriptionJson(emu: Emulator) {
  const w = emu.world;
  return {
    id: `/subscriptions/${w.subscriptionId}`,
    subscriptionId: w.subscriptionId,
    tenantId: w.tenantId,
    displayName: w.subscriptionName,
    state: 'Enabled',
    subscriptionPolicies: { locationPlacementId: 'Public_2014-09-01', quotaId: 'PayAsYouGo_2014-09-01', spendingLimit: 'Off' },
    authorizationSource: 'RoleBased',
    managedByTenants: [],
    tags: {},
  };
}

function resourceGroupJson(emu: Emulator, rg: ResourceGroupRec) {
  return {
    id: `/subscriptions/${emu.world.subscriptionId}/resourceGroups/${rg.name}`,
    name: rg.name,
    type: 'Microsoft.Resources/resourceGroups',
    location: rg.location,
    tags: rg.tags,
    properties: { provisioningState: 'Succeeded' },
  };
}

const RG = '/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}';

export function registerResources(router: Router, emu: Emulator): void {
  const w = emu.world;
  router.add('GET', '/tenants', 'subscriptions', (req) => ({
    status: 200,
    body: page(req, [{ id: `/tenants/${w.tenantId}`, tenantId: w.tenantId, tenantCategory: 'Home', displayName: 'Sandbox tenant', defaultDomain: 'sandbox.localhost', domains: ['sandbox.localhost'] }], emu.pageSize, emu.baseUrl),
  }));
  router.add('GET', '/subscriptions', 'subscriptions', (req) => ({
    status: 200,
    body: page(req, [subscriptionJson(emu)], emu.pageSize, emu.baseUrl),
  }));
  router.add('GET', '/subscriptions/{subscriptionId}', 'subscriptions', (req) => {
    requireSubscription(emu, req);
    return { status: 200, body: subscriptionJson(emu) };
  });
  router.add('GET', '/subscriptions/{subscriptionId}/resourcegroups', 'resources', (req) => {
    requireSubscription(emu, req);
    return { status: 200, body: page(req, w.resourceGroups.values().map((rg) => resourceGroupJson(emu, rg)), emu.pageSize, emu.baseUrl) };
  });
  router.add('GET', RG, 'resources', (req) => ({ status: 200, body: resourceGroupJson(emu, requireResourceGroup(emu, req)) }));
  router.add('HEAD', RG, 'resources', (req) => {
    requireSubscription(emu, req);
    return { status: w.resourceGroups.get(req.params.resourceGroupName!) ? 204 : 404 };
  });
  router.add('PUT', RG, 'resources', (req) => {
    requireSubscription(emu, req);
    const name = req.params.resourceGroupName!;
    if (!/^[-\w.()]{1,90}$/.test(name) || name.endsWith('.')) {
      throw badRequest('InvalidResourceGroup', `The provided resource group name '${name}' has these invalid characters or is too long.`);
    }
    const body = objectBody(req);
    if (typeof body.location !== 'string' || !body.location) throw badRequest('LocationRequired', 'The location property is required for this definition.');
    const tags = (typeof body.tags === 'object' && body.tags !== null ? body.tags : {}) as Record<string, string>;
    const existing = w.resourceGroups.get(name);
    if (existing) {
      if (existing.location.toLowerCase() !== body.location.toLowerCase()) {
        throw new ArmError(409, 'InvalidResourceGroupLocation', `Invalid resource group location '${body.location}'. The Resource group already exists in location '${existing.location}'.`);
      }
      existing.tags = tags;
      return { status: 200, body: resourceGroupJson(emu, existing) };
    }
    const rg: ResourceGroupRec = { name, location: body.location, tags };
    w.resourceGroups.set(name, rg);
    return { status: 201, body: resourceGroupJson(emu, rg) };
  });
  router.add('DELETE', RG, 'resources', (req) => {
    const rg = requireResourceGroup(emu, req);
    const inside = (r: { resourceGroup: string }) => r.resourceGroup.toLowerCase() === rg.name.toLowerCase();
    if (w.managedInstances.values().some(inside) || w.storageAccounts.values().some(inside)) {
      throw new ArmError(409, 'ResourceGroupDeletionBlocked', `Resource group '${rg.name}' holds managed instances or storage accounts of the sandbox's seed profile, which cannot be deleted.`);
    }
    const op = emu.operations.start(`/subscriptions/${w.subscriptionId}/operationresults`, req.url.searchParams.get('api-version')!);
    finishLater(emu, op, emu.timings.deleteSeconds, () => {
      for (const s of w.services.values()) if (inside(s)) w.services.delete(`${s.resourceGroup}/${s.name}`);
      w.resourceGroups.delete(rg.name);
    });
    return { status: 202, headers: { location: emu.operations.url(op, emu.baseUrl) } };
  });
  // ARM's own poll resource for Location-style operations: 202 while running, then 200 or the error.
  router.add('GET', '/subscriptions/{subscriptionId}/operationresults/{operationId}', 'resources', (req) => {
    requireSubscription(emu, req);
    const op = emu.operations.get(req.params.operationId!);
    if (!op) throw new ArmError(404, 'OperationNotFound', `The operation '${req.params.operationId}' was not found.`);
    if (op.status === 'InProgress') return { status: 202, headers: { location: emu.operations.url(op, emu.baseUrl) } };
    if (op.status === 'Failed') throw new ArmError(500, op.error!.code, op.error!.message);
    return { status: 200 };
  });
}
