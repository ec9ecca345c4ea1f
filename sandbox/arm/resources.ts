/**
 * Microsoft.Resources: tenants (list), subscriptions (list, get) and resource groups (list, get, check,
 * create-or-update, delete as a long-running operation with a Location URL, as ARM does).
 */
import { finishLater, requireResourceGroup, requireSubscription, type Emulator } from './emulator';
import { API_VERSIONS, apiVersionOf, ArmError, badRequest, objectBody, page, type ArmRequest, type ArmResponse } from './http';
import { route } from './router';
import type { ResourceGroupRec } from './world';

const SUBSCRIPTIONS = API_VERSIONS.subscriptions;
const RESOURCES = API_VERSIONS.resources;
const RG = '/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}';

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

Tenants_List.route = route('GET', '/tenants', SUBSCRIPTIONS);
export function Tenants_List(emu: Emulator, req: ArmRequest): ArmResponse {
  const w = emu.world;
  const tenant = { id: `/tenants/${w.tenantId}`, tenantId: w.tenantId, tenantCategory: 'Home', displayName: 'Sandbox tenant', defaultDomain: 'sandbox.localhost', domains: ['sandbox.localhost'] };
  return { status: 200, body: page(req, [tenant], emu.pageSize, emu.baseUrl) };
}

Subscriptions_List.route = route('GET', '/subscriptions', SUBSCRIPTIONS);
export function Subscriptions_List(emu: Emulator, req: ArmRequest): ArmResponse {
  return { status: 200, body: page(req, [subscriptionJson(emu)], emu.pageSize, emu.baseUrl) };
}

Subscriptions_Get.route = route('GET', '/subscriptions/{subscriptionId}', SUBSCRIPTIONS);
export function Subscriptions_Get(emu: Emulator, req: ArmRequest): ArmResponse {
  requireSubscription(emu, req);
  return { status: 200, body: subscriptionJson(emu) };
}

ResourceGroups_List.route = route('GET', '/subscriptions/{subscriptionId}/resourcegroups', RESOURCES);
export function ResourceGroups_List(emu: Emulator, req: ArmRequest): ArmResponse {
  requireSubscription(emu, req);
  return { status: 200, body: page(req, emu.world.resourceGroups.values().map((rg) => resourceGroupJson(emu, rg)), emu.pageSize, emu.baseUrl) };
}

ResourceGroups_Get.route = route('GET', RG, RESOURCES);
export function ResourceGroups_Get(emu: Emulator, req: ArmRequest): ArmResponse {
  return { status: 200, body: resourceGroupJson(emu, requireResourceGroup(emu, req)) };
}

ResourceGroups_CheckExistence.route = route('HEAD', RG, RESOURCES);
export function ResourceGroups_CheckExistence(emu: Emulator, req: ArmRequest): ArmResponse {
  requireSubscription(emu, req);
  return { status: emu.world.resourceGroups.get(req.params.resourceGroupName!) ? 204 : 404 };
}

ResourceGroups_CreateOrUpdate.route = route('PUT', RG, RESOURCES);
export function ResourceGroups_CreateOrUpdate(emu: Emulator, req: ArmRequest): ArmResponse {
  requireSubscription(emu, req);
  const name = req.params.resourceGroupName!;
  if (!/^[-\w.()]{1,90}$/.test(name) || name.endsWith('.')) {
    throw badRequest('InvalidResourceGroup', `The provided resource group name '${name}' has these invalid characters or is too long.`);
  }
  const body = objectBody(req);
  if (typeof body.location !== 'string' || !body.location) throw badRequest('LocationRequired', 'The location property is required for this definition.');
  const tags = (typeof body.tags === 'object' && body.tags !== null ? body.tags : {}) as Record<string, string>;
  const existing = emu.world.resourceGroups.get(name);
  if (existing) {
    if (existing.location.toLowerCase() !== body.location.toLowerCase()) {
      throw new ArmError(409, 'InvalidResourceGroupLocation', `Invalid resource group location '${body.location}'. The Resource group already exists in location '${existing.location}'.`);
    }
    existing.tags = tags;
    return { status: 200, body: resourceGroupJson(emu, existing) };
  }
  const rg: ResourceGroupRec = { name, location: body.location, tags };
  emu.world.resourceGroups.set(name, rg);
  return { status: 201, body: resourceGroupJson(emu, rg) };
}

ResourceGroups_Delete.route = route('DELETE', RG, RESOURCES);
export function ResourceGroups_Delete(emu: Emulator, req: ArmRequest): ArmResponse {
  const w = emu.world;
  const rg = requireResourceGroup(emu, req);
  const inside = (r: { resourceGroup: string }) => r.resourceGroup.toLowerCase() === rg.name.toLowerCase();
  if (w.managedInstances.values().some(inside) || w.storageAccounts.values().some(inside)) {
    throw new ArmError(409, 'ResourceGroupDeletionBlocked', `Resource group '${rg.name}' holds managed instances or storage accounts of the sandbox's seed profile, which cannot be deleted.`);
  }
  const op = emu.longRunning.start(`/subscriptions/${w.subscriptionId}/operationresults`, apiVersionOf(req));
  finishLater(emu, op, emu.timings.deleteSeconds, () => {
    for (const s of w.services.values()) if (inside(s)) w.services.delete(`${s.resourceGroup}/${s.name}`);
    w.resourceGroups.delete(rg.name);
  });
  return { status: 202, headers: { location: emu.longRunning.url(op, emu.baseUrl) } };
}

OperationResults_Get.route = route('GET', '/subscriptions/{subscriptionId}/operationresults/{operationId}', RESOURCES, "ARM's polling resource for Location-style operations");
/** 202 while the operation runs, then 200 or its error. */
export function OperationResults_Get(emu: Emulator, req: ArmRequest): ArmResponse {
  requireSubscription(emu, req);
  const op = emu.longRunning.get(req.params.operationId!);
  if (!op) throw new ArmError(404, 'OperationNotFound', `The operation '${req.params.operationId}' was not found.`);
  if (op.status === 'InProgress') return { status: 202, headers: { location: emu.longRunning.url(op, emu.baseUrl) } };
  if (op.status === 'Failed') throw new ArmError(500, op.error!.code, op.error!.message);
  return { status: 200 };
}
