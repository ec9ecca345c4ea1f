/**
 * The sandbox's Azure: one tenant and subscription with resource groups, managed instances,
 * storage accounts (each backed by an Azurite account) and migration services. A seed profile
 * (`--seed profile.json`) describes the world; every field has a default.
 */
import { randomBytes, randomUUID } from 'node:crypto';

export interface SeedProfile {
  tenantId?: string;
  subscriptionId?: string;
  subscriptionName?: string;
  location?: string;
  resourceGroups?: { name: string; location?: string; tags?: Record<string, string> }[];
  managedInstances?: {
    resourceGroup: string;
    name: string;
    location?: string;
    /** GeneralPurpose (default) or BusinessCritical. */
    tier?: 'GeneralPurpose' | 'BusinessCritical';
    vCores?: number;
    storageSizeInGB?: number;
    /** `Ready` unless given (a stopped instance is `Stopped`). */
    state?: string;
    collation?: string;
    /** Databases already on the instance. */
    databases?: string[];
    /**
     * A system-assigned managed identity, which reads blob storage for the Log Replay Service
     * and for migrations with authType ManagedIdentity (the sandbox then reads with the account
     * key). Without one, such a restore fails as the real service's does.
     */
    identity?: boolean;
  }[];
  storageAccounts?: { resourceGroup: string; name: string; location?: string; containers?: string[] }[];
  migrationServices?: { resourceGroup: string; name: string; location?: string }[];
  /**
   * Network shares the integration runtime can read: a UNC path and the local folder standing
   * in for it (relative to the data folder). With a password, the runtime refuses other credentials.
   */
  shares?: { path: string; folder: string; username?: string; password?: string }[];
}

export const DEFAULT_PROFILE: Required<Omit<SeedProfile, 'shares'>> & { shares: NonNullable<SeedProfile['shares']> } = {
  tenantId: 'c0ffee00-5a1d-4b0c-8000-00000000a11c',
  subscriptionId: '5a1db0c5-0000-4000-8000-00000000b0c5',
  subscriptionName: 'Sandbox subscription',
  location: 'eastus',
  resourceGroups: [{ name: 'rg-sqlmig-sandbox' }],
  managedInstances: [
    { resourceGroup: 'rg-sqlmig-sandbox', name: 'sqlmi-sandbox', tier: 'GeneralPurpose', vCores: 8, storageSizeInGB: 256, databases: ['AdventureWorksLT'], identity: true },
  ],
  storageAccounts: [{ resourceGroup: 'rg-sqlmig-sandbox', name: 'sqlmigsandbox', containers: ['backups'] }],
  migrationServices: [{ resourceGroup: 'rg-sqlmig-sandbox', name: 'dms-sandbox' }],
  shares: [{ path: '\\\\localhost\\sqlbackups', folder: 'share' }],
};

/** A map keyed without regard to case, as ARM names are; it keeps the first spelling. */
export class NameMap<T> {
  private readonly map = new Map<string, T>();
  get(key: string): T | undefined {
    return this.map.get(key.toLowerCase());
  }
  set(key: string, value: T): void {
    this.map.set(key.toLowerCase(), value);
  }
  delete(key: string): boolean {
    return this.map.delete(key.toLowerCase());
  }
  values(): T[] {
    return [...this.map.values()];
  }
  get size(): number {
    return this.map.size;
  }
}

export interface ResourceGroupRec {
  name: string;
  location: string;
  tags: Record<string, string>;
}

export interface ManagedDatabaseRec {
  name: string;
  status: string;
  collation: string;
  creationDate: string;
  tags?: Record<string, string>;
}

export interface ManagedInstanceRec {
  resourceGroup: string;
  name: string;
  location: string;
  tier: 'GeneralPurpose' | 'BusinessCritical';
  vCores: number;
  storageSizeInGB: number;
  state: string;
  collation: string;
  createTime: string;
  databases: NameMap<ManagedDatabaseRec>;
  /** Its system-assigned managed identity, when it has one. */
  identity?: { principalId: string; tenantId: string };
}

export interface StorageAccountRec {
  resourceGroup: string;
  name: string;
  location: string;
  /** Filled when Azurite is up. */
  key1: string;
  key2: string;
  blobEndpoint: string;
  creationTime: string;
}

export interface RuntimeNode {
  nodeName: string;
  machineName: string;
  /** The key it registered with; regenerating that key takes the node offline. */
  keyName: 'authKey1' | 'authKey2';
  registeredAt: number;
  lastHeartbeat: number;
  /** False after its key was regenerated or it stopped sending heartbeats. */
  online: boolean;
  stats: { availableMemoryInMB: number; cpuUtilization: number; concurrentJobsLimit: number; concurrentJobsRunning: number; maxConcurrentJobs: number; sentBytes: number; receivedBytes: number };
}

export interface ServiceRec {
  resourceGroup: string;
  name: string;
  location: string;
  tags: Record<string, string>;
  provisioningState: string;
  authKey1: string;
  authKey2: string;
  nodes: NameMap<RuntimeNode>;
  /** Fault injection: the runtime reports offline whatever its nodes do. */
  forcedOffline: boolean;
  createdAt: string;
  lastModifiedAt: string;
}

export interface ShareRec {
  path: string;
  folder: string;
  username?: string;
  password?: string;
}

export interface World {
  tenantId: string;
  subscriptionId: string;
  subscriptionName: string;
  location: string;
  resourceGroups: NameMap<ResourceGroupRec>;
  managedInstances: NameMap<ManagedInstanceRec>;
  storageAccounts: NameMap<StorageAccountRec>;
  services: NameMap<ServiceRec>;
  shares: ShareRec[];
}

const key = (rg: string, name: string) => `${rg}/${name}`;
export const rgKey = key;

export function armId(world: Pick<World, 'subscriptionId'>, rg: string, provider: string, ...typeAndNames: string[]): string {
  return `/subscriptions/${world.subscriptionId}/resourceGroups/${rg}/providers/${provider}/${typeAndNames.join('/')}`;
}

/** Parses `/subscriptions/s/resourceGroups/rg/providers/P/type/name[/type/name...]` (case-insensitive keys). */
export function parseArmId(id: string): { subscriptionId: string; resourceGroup: string; provider: string; types: string[]; names: string[] } | undefined {
  const parts = id.replace(/^\/?/, '').split('/');
  if (parts.length < 8 || parts.length % 2 !== 0) return undefined;
  if (parts[0]!.toLowerCase() !== 'subscriptions' || parts[2]!.toLowerCase() !== 'resourcegroups' || parts[4]!.toLowerCase() !== 'providers') return undefined;
  const types: string[] = [];
  const names: string[] = [];
  for (let i = 6; i < parts.length; i += 2) {
    types.push(parts[i]!);
    names.push(parts[i + 1]!);
  }
  if (names.some((n) => n === '')) return undefined;
  return { subscriptionId: parts[1]!, resourceGroup: parts[3]!, provider: parts[5]!, types, names };
}

/** A new IR authentication key in the runtime's own format; it names the endpoint to register with. */
export function newAuthKey(serviceName: string, endpointHost: string): string {
  return `IR@${randomUUID()}@${serviceName}@ServiceEndpoint=${endpointHost}@${randomBytes(32).toString('base64')}`;
}

function checkProfile(p: SeedProfile): void {
  const fail = (m: string) => {
    throw new Error(`seed profile: ${m}`);
  };
  const rgs = new Set((p.resourceGroups ?? []).map((r) => r.name.toLowerCase()));
  const needRg = (what: string, r: { resourceGroup: string; name: string }) => {
    if (typeof r.name !== 'string' || !r.name) fail(`${what} needs a "name"`);
    if (!rgs.has(String(r.resourceGroup).toLowerCase())) fail(`${what} ${r.name}: resource group ${r.resourceGroup} is not in "resourceGroups"`);
  };
  for (const r of p.resourceGroups ?? []) if (typeof r.name !== 'string' || !r.name) fail('every resource group needs a "name"');
  for (const m of p.managedInstances ?? []) needRg('managed instance', m);
  for (const s of p.migrationServices ?? []) needRg('migration service', s);
  for (const s of p.storageAccounts ?? []) {
    needRg('storage account', s);
    // Azure's rule, and Azurite's account names follow it too.
    if (!/^[a-z0-9]{3,24}$/.test(s.name)) fail(`storage account name ${s.name} must be 3-24 lowercase letters and digits`);
    for (const c of s.containers ?? []) {
      if (!/^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(c)) fail(`container name ${c} must be 3-63 lowercase letters, digits and single hyphens`);
    }
  }
  for (const s of p.shares ?? []) {
    if (!/^\\\\[^\\]+\\[^\\]+/.test(s.path ?? '')) fail(`share path ${s.path} must be a UNC path such as \\\\server\\share`);
    if (typeof s.folder !== 'string' || !s.folder) fail(`share ${s.path} needs a "folder"`);
  }
}

/** The world a profile describes, the defaults filling what it leaves out. */
export function buildWorld(profile: SeedProfile = {}): World {
  const p: SeedProfile = { ...DEFAULT_PROFILE, ...profile };
  checkProfile(p);
  const location = p.location!;
  const world: World = {
    tenantId: p.tenantId!,
    subscriptionId: p.subscriptionId!,
    subscriptionName: p.subscriptionName!,
    location,
    resourceGroups: new NameMap(),
    managedInstances: new NameMap(),
    storageAccounts: new NameMap(),
    services: new NameMap(),
    shares: (p.shares ?? []).map((s) => ({ ...s })),
  };
  const now = new Date().toISOString();
  for (const r of p.resourceGroups ?? []) world.resourceGroups.set(r.name, { name: r.name, location: r.location ?? location, tags: r.tags ?? {} });
  for (const m of p.managedInstances ?? []) {
    const collation = m.collation ?? 'SQL_Latin1_General_CP1_CI_AS';
    const databases = new NameMap<ManagedDatabaseRec>();
    for (const d of m.databases ?? []) databases.set(d, { name: d, status: 'Online', collation, creationDate: now });
    world.managedInstances.set(key(m.resourceGroup, m.name), {
      resourceGroup: world.resourceGroups.get(m.resourceGroup)!.name,
      name: m.name,
      location: m.location ?? location,
      tier: m.tier ?? 'GeneralPurpose',
      vCores: m.vCores ?? 8,
      storageSizeInGB: m.storageSizeInGB ?? 256,
      state: m.state ?? 'Ready',
      collation,
      createTime: now,
      databases,
      ...(m.identity && { identity: { principalId: randomUUID(), tenantId: world.tenantId } }),
    });
  }
  for (const s of p.storageAccounts ?? []) {
    world.storageAccounts.set(key(s.resourceGroup, s.name), {
      resourceGroup: world.resourceGroups.get(s.resourceGroup)!.name,
      name: s.name,
      location: s.location ?? location,
      key1: '',
      key2: '',
      blobEndpoint: '',
      creationTime: now,
    });
  }
  for (const s of p.migrationServices ?? []) {
    world.services.set(key(s.resourceGroup, s.name), newService(world.resourceGroups.get(s.resourceGroup)!.name, s.name, s.location ?? location, ''));
  }
  return world;
}

export function newService(resourceGroup: string, name: string, location: string, endpointHost: string, tags: Record<string, string> = {}): ServiceRec {
  const now = new Date().toISOString();
  return {
    resourceGroup,
    name,
    location,
    tags,
    provisioningState: 'Succeeded',
    authKey1: newAuthKey(name, endpointHost),
    authKey2: newAuthKey(name, endpointHost),
    nodes: new NameMap(),
    forcedOffline: false,
    createdAt: now,
    lastModifiedAt: now,
  };
}

/** The containers each seeded storage account starts with. */
export function seededContainers(profile: SeedProfile = {}): Map<string, string[]> {
  const accounts = profile.storageAccounts ?? DEFAULT_PROFILE.storageAccounts;
  return new Map(accounts.map((a) => [a.name, a.containers ?? []]));
}
