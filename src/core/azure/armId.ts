/** ARM resource ids: parse the parts we need, build the ones we send. */

export interface ArmId {
  subscriptionId: string;
  resourceGroup: string;
  /** e.g. Microsoft.Sql */
  provider: string;
  /** e.g. managedInstances */
  type: string;
  name: string;
  /** Child segments after the resource: [type, name, type, name, ...]. */
  children: string[];
}

/** Parses /subscriptions/S/resourceGroups/RG/providers/P/T/N[/...]; segment names are case-insensitive. */
export function parseArmId(id: string): ArmId {
  const parts = id.replace(/^\/+|\/+$/g, '').split('/');
  const at = (i: number, word: string) => parts[i]?.toLowerCase() === word.toLowerCase();
  if (!at(0, 'subscriptions') || !at(2, 'resourceGroups') || !at(4, 'providers') || parts.length < 8 || parts.slice(0, 8).some((p) => !p)) {
    throw new Error(`not an Azure resource id: ${JSON.stringify(id)} (expected /subscriptions/SUB/resourceGroups/RG/providers/NAMESPACE/TYPE/NAME)`);
  }
  return {
    subscriptionId: parts[1]!,
    resourceGroup: parts[3]!,
    provider: parts[5]!,
    type: parts[6]!,
    name: parts[7]!,
    children: parts.slice(8),
  };
}

export function resourceId(subscriptionId: string, resourceGroup: string, provider: string, type: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/${provider}/${type}/${name}`;
}

export const managedInstanceId = (sub: string, rg: string, name: string) => resourceId(sub, rg, 'Microsoft.Sql', 'managedInstances', name);
export const storageAccountId = (sub: string, rg: string, name: string) => resourceId(sub, rg, 'Microsoft.Storage', 'storageAccounts', name);
export const migrationServiceId = (sub: string, rg: string, name: string) =>
  resourceId(sub, rg, 'Microsoft.DataMigration', 'sqlMigrationServices', name);

/** Checks the id names a resource of this provider/type and returns it parsed. */
export function expectArmId(id: string, provider: string, type: string, what: string): ArmId {
  let parsed: ArmId;
  try {
    parsed = parseArmId(id);
  } catch (e) {
    throw new Error(`${what}: ${(e as Error).message}`);
  }
  if (parsed.provider.toLowerCase() !== provider.toLowerCase() || parsed.type.toLowerCase() !== type.toLowerCase() || parsed.children.length) {
    throw new Error(`${what} must be a ${provider}/${type} resource id, not ${id}`);
  }
  return parsed;
}

export function sameArmId(a: string, b: string): boolean {
  return a.replace(/^\/+|\/+$/g, '').toLowerCase() === b.replace(/^\/+|\/+$/g, '').toLowerCase();
}
