/**
 * The sandbox's managed instance as a SQL endpoint: a TDS server (sandbox/tds/managedInstance.ts)
 * that plays the seed profile's first managed instance, lists the databases the simulated
 * migration service restored (with the users their source databases have) and the TDE
 * certificates uploaded through ARM, and takes the instance admin's SQL login or a Microsoft
 * Entra token. sqlEndpointsFor() is what the cloud file says about it, so that the product
 * reaches the instance by the host name ARM gives, on loopback, trusting its certificate.
 *
 * sandbox.ts starts it for the seed profile's first instance (startInstanceEndpoint) and puts
 * sqlEndpointsFor() in the cloud file; tests may start more with startTargetServer.
 */
import { randomBytes } from 'node:crypto';
import type { Emulator } from './arm/emulator';
import { managedInstanceHostName, managedInstanceId } from './arm/sql';
import type { ManagedInstanceRec } from './arm/world';
import type { TdeBackupRegistry } from './dms/tdeRestoreCheck';
import { startManagedInstanceServer, type RestoredDatabase, type TableDrift } from './tds';
import { userSid } from './tds/principals';
import type { ServerProfile } from './tds/profile';

export interface TargetServer {
  port: number;
  /** The instance admin (SQL authentication): a sandbox secret, like the sandbox's token. */
  user: string;
  password: string;
  /** Its TLS certificate (PEM), issued for the instance's host name. */
  certificate: string;
  stop(): Promise<void>;
}

export async function startTargetServer(options: {
  instanceName: string;
  hostName: string;
  host?: string;
  port?: number;
  databases: () => RestoredDatabase[];
  certificates?: () => { name: string; thumbprint: string }[];
  entra?: { domains: string[]; users?: string[]; groups: string[] };
  /** The instance's clock for its performance counters, and restored tables that differ from their source. */
  clock?: () => number;
  drift?: () => TableDrift[];
}): Promise<TargetServer> {
  const admin = { user: 'sqladmin', password: randomBytes(12).toString('base64url') };
  const mi = await startManagedInstanceServer({
    name: options.instanceName, hostName: options.hostName, admin, databases: options.databases,
    ...(options.host && { host: options.host }), ...(options.port !== undefined && { port: options.port }),
    ...(options.certificates && { certificates: options.certificates }),
    ...(options.clock && { clock: options.clock }), ...(options.drift && { drift: options.drift }),
    entra: options.entra ?? { domains: ['contoso.com'], groups: ['SQL Admins', 'Report Readers'] },
  });
  return { port: mi.port, ...admin, certificate: mi.certificate!, stop: () => mi.stop() };
}

/** A database the migration service restored, with the users its source database has (same names, types and SIDs). */
export function restoredDatabase(name: string, sourceDatabase: string, profile: ServerProfile): RestoredDatabase {
  const d = profile.databases.find((x) => x.name.toLowerCase() === sourceDatabase.toLowerCase());
  return { name, users: (d?.users ?? []).map((u) => ({ name: u.name, type: u.type, sid: userSid(profile, u) })), ...(d && { content: d }) };
}

/** The cloud file's "sqlEndpoints": the source server's name and the instance's host name, mapped to where they listen. */
export function sqlEndpointsFor(host: string, source: { name: string; port: number; certificate?: string } | undefined, target: { hostName: string; port: number; certificate: string } | undefined) {
  return {
    ...(source && { [`${source.name.toLowerCase()},1433`]: { address: `${host},${source.port}`, ...(source.certificate && { trustedCertificate: source.certificate }) } }),
    ...(target && { [`${target.hostName.toLowerCase()},1433`]: { address: `${host},${target.port}`, trustedCertificate: target.certificate } }),
  };
}

/**
 * The emulator's instance as a SQL endpoint on loopback: the databases its migrations and
 * restores brought online (with the users their source databases have) and, in master, the
 * TDE certificates uploaded to it through ARM, the same store the migration service checks.
 */
export async function startInstanceEndpoint(emu: Emulator, mi: ManagedInstanceRec, options: { host: string; sourceProfile?: ServerProfile }): Promise<TargetServer & { hostName: string }> {
  const hostName = managedInstanceHostName(mi);
  const instanceId = managedInstanceId(emu, mi);
  const sourceOf = (name: string) => emu.migrations.values().find((m) => m.mi === mi && m.name.toLowerCase() === name.toLowerCase())?.sourceDatabaseName || name;
  const server = await startTargetServer({
    instanceName: mi.name,
    hostName,
    host: options.host,
    clock: () => emu.clock.now(),
    databases: () => mi.databases.values().filter((d) => d.status === 'Online').map((d) => (options.sourceProfile ? restoredDatabase(d.name, sourceOf(d.name), options.sourceProfile) : { name: d.name })),
    certificates: () => emu.tdeCertificates.list(instanceId).map((c) => ({ name: c.name, thumbprint: c.thumbprint })),
  });
  return { ...server, hostName };
}

/** The source's TDE databases (by name): their backups restore only where their certificate is. */
export function markSourceTde(registry: TdeBackupRegistry, profile: ServerProfile): void {
  for (const d of profile.databases) if (d.tde) registry.markDatabase(d.name, d.tde.thumbprint);
}
