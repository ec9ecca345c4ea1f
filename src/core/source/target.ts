/**
 * A connection to the target managed instance, through the same mssql/tedious layer and error
 * classes as the source. Its address comes from ARM (the instance's fullyQualifiedDomainName:
 * port 1433 inside the virtual network, or the public endpoint <name>.public.<dns zone>...,3342
 * when enabled); a cloud file may map that address to another (the sandbox maps its instance
 * to a loopback port and hands over the certificate to trust). Authentication: SQL (the
 * instance admin) or a Microsoft Entra token for the cloud's SQL audience. Once connected, the
 * server must say it is a managed instance (EngineEdition 8).
 */
import type { Cloud, SqlEndpointMapping } from '../azure/cloud';
import { formatServerAddress, parseServerAddress } from './address';
import { connectSource, type QueryOptions, type SourceConnection, type SourceConnectionOptions } from './connection';
import { SourceError } from './errors';
import { readProperties, type ServerProperties } from './inventory';

export const MANAGED_INSTANCE_ENGINE_EDITION = 8;
export const PRIVATE_ENDPOINT_PORT = 1433;
export const PUBLIC_ENDPOINT_PORT = 3342;

export interface TargetEndpoint {
  /** Where to connect: HOST,PORT. */
  server: string;
  /** The name the instance's certificate carries (the ARM host name), when connecting elsewhere. */
  hostNameInCertificate?: string;
  /** A certificate to trust for it (from a cloud file's mapping). */
  trustedCertificates?: string;
  /** How the address was found, for messages. */
  via: string;
}

/** The public endpoint's host: <name>.public.<dns zone>.<suffix> from <name>.<dns zone>.<suffix>. */
export function publicEndpointHost(fqdn: string): string {
  const dot = fqdn.indexOf('.');
  if (dot <= 0) throw new Error(`"${fqdn}" is not a managed instance host name`);
  return `${fqdn.slice(0, dot)}.public${fqdn.slice(dot)}`;
}

/**
 * The address to reach a managed instance at, from its ARM host name: the private endpoint
 * (1433) or the public one (3342), through the cloud's endpoint mapping when it has one.
 */
export function targetEndpoint(fqdn: string, options: { publicEndpoint?: boolean; cloud?: Cloud } = {}): TargetEndpoint {
  const host = options.publicEndpoint ? publicEndpointHost(fqdn) : fqdn;
  const port = options.publicEndpoint ? PUBLIC_ENDPOINT_PORT : PRIVATE_ENDPOINT_PORT;
  const key = formatServerAddress({ host, port }).toLowerCase();
  const mapped: SqlEndpointMapping | undefined = options.cloud?.sqlEndpoints?.[key] ?? options.cloud?.sqlEndpoints?.[host.toLowerCase()];
  if (mapped) {
    return {
      server: mapped.address,
      hostNameInCertificate: host,
      ...(mapped.trustedCertificate && { trustedCertificates: mapped.trustedCertificate }),
      via: `${key}, mapped by the cloud ${options.cloud!.name} to ${mapped.address}`,
    };
  }
  return { server: key, via: key };
}

export interface TargetConnection extends SourceConnection {
  readonly properties: ServerProperties;
  /** A connection to one database of the instance (for statements that run in it), closed by the caller. */
  toDatabase(database: string, options?: QueryOptions): Promise<SourceConnection>;
}

export interface TargetConnectionOptions extends Omit<SourceConnectionOptions, 'database'> {
  /** Connect even when the server is not a managed instance (tests of a SQL Server target). */
  allowOtherEngines?: boolean;
}

export async function connectTarget(options: TargetConnectionOptions, queryOptions: QueryOptions = {}): Promise<TargetConnection> {
  parseServerAddress(options.server);
  const base: SourceConnectionOptions = { ...options, applicationName: options.applicationName ?? 'sqlmig' };
  const conn = await connectSource(base, queryOptions);
  let properties: ServerProperties;
  try {
    properties = await readProperties(conn, queryOptions);
  } catch (e) {
    await conn.close();
    throw e;
  }
  if (properties.engineEdition !== MANAGED_INSTANCE_ENGINE_EDITION && !options.allowOtherEngines) {
    await conn.close();
    throw new SourceError('sql', `${conn.server} is not an Azure SQL Managed Instance (its engine edition is ${properties.engineEdition}, a managed instance's is 8): check the target's address.`);
  }
  return {
    server: conn.server,
    get roundTrips() {
      return conn.roundTrips;
    },
    properties,
    query: (q, o) => conn.query(q, o),
    close: () => conn.close(),
    toDatabase: (database, o) => connectSource({ ...base, database, maxConnections: 1 }, o ?? queryOptions),
  };
}
