/**
 * Clouds. A cloud is where ARM lives, which token audiences it wants (Resource Manager's, and
 * SQL's for Microsoft Entra logins to SQL Server) and where to sign in: Azure public, US
 * Government, China, or a custom one described by a JSON file (an Azure Stack Hub, or the
 * local sandbox, which also puts a ready token in its file).
 */
import { readFile } from 'node:fs/promises';

export interface Cloud {
  /** A short id: AzureCloud, AzureUSGovernment, AzureChinaCloud, or a custom name. */
  name: string;
  displayName: string;
  /** Resource Manager, e.g. https://management.azure.com (no trailing slash). */
  armEndpoint: string;
  /** The scope to ask tokens for, e.g. https://management.azure.com/.default */
  armScope: string;
  /** Microsoft Entra sign-in host, e.g. https://login.microsoftonline.com */
  authorityHost: string;
  /**
   * The audience (resource) of Microsoft Entra tokens for SQL in this cloud: Azure SQL, and
   * SQL Server's Entra logins, e.g. https://database.windows.net/ (trailing slash included).
   * Absent: Azure public's (read it with sqlDatabaseResource()).
   */
  sqlDatabaseResource?: string;
  /** Blob endpoints end with this host suffix (blob.core.windows.net); informational, endpoints come from ARM. */
  storageSuffix: string;
  /** The portal, for links shown to the user. */
  portalUrl?: string;
  /** A tenant to use when none is chosen. */
  tenantId?: string;
  /** A subscription to use when none is chosen (the sandbox names its own). */
  subscriptionId?: string;
  /** A ready bearer token (custom clouds such as the sandbox); never written anywhere else. */
  accessToken?: string;
  /**
   * Where SQL endpoints named by ARM are reached instead, keyed by "host,port" (lower case) or
   * "host": the sandbox maps its managed instance's host name to a loopback port. Optional.
   */
  sqlEndpoints?: Record<string, SqlEndpointMapping>;
}

export interface SqlEndpointMapping {
  /** HOST,PORT to connect to. */
  address: string;
  /** PEM certificate to trust for the endpoint's host name (a self-signed one, such as the sandbox's). */
  trustedCertificate?: string;
}

export const AZURE_PUBLIC: Cloud = {
  name: 'AzureCloud',
  displayName: 'Azure',
  armEndpoint: 'https://management.azure.com',
  armScope: 'https://management.azure.com/.default',
  authorityHost: 'https://login.microsoftonline.com',
  sqlDatabaseResource: 'https://database.windows.net/',
  storageSuffix: 'blob.core.windows.net',
  portalUrl: 'https://portal.azure.com',
};

export const AZURE_US_GOVERNMENT: Cloud = {
  name: 'AzureUSGovernment',
  displayName: 'Azure US Government',
  armEndpoint: 'https://management.usgovcloudapi.net',
  armScope: 'https://management.usgovcloudapi.net/.default',
  authorityHost: 'https://login.microsoftonline.us',
  sqlDatabaseResource: 'https://database.usgovcloudapi.net/',
  storageSuffix: 'blob.core.usgovcloudapi.net',
  portalUrl: 'https://portal.azure.us',
};

export const AZURE_CHINA: Cloud = {
  name: 'AzureChinaCloud',
  displayName: 'Azure operated by 21Vianet',
  armEndpoint: 'https://management.chinacloudapi.cn',
  armScope: 'https://management.chinacloudapi.cn/.default',
  authorityHost: 'https://login.chinacloudapi.cn',
  sqlDatabaseResource: 'https://database.chinacloudapi.cn/',
  storageSuffix: 'blob.core.chinacloudapi.cn',
  portalUrl: 'https://portal.azure.cn',
};

export const KNOWN_CLOUDS: readonly Cloud[] = [AZURE_PUBLIC, AZURE_US_GOVERNMENT, AZURE_CHINA];

export function knownCloud(name: string): Cloud | undefined {
  const n = name.toLowerCase();
  return KNOWN_CLOUDS.find((c) => c.name.toLowerCase() === n || (n === 'public' && c === AZURE_PUBLIC) ||
    (n === 'usgov' && c === AZURE_US_GOVERNMENT) || (n === 'china' && c === AZURE_CHINA));
}

/** True for http(s)://127.x.x.x, [::1] and localhost: the only places plain http is allowed. */
export function isLoopback(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return false;
  }
  return host === 'localhost' || host === '[::1]' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

function stripSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** The audience of Entra tokens for SQL in this cloud, e.g. https://database.usgovcloudapi.net/ */
export function sqlDatabaseResource(cloud: Cloud): string {
  return cloud.sqlDatabaseResource ?? AZURE_PUBLIC.sqlDatabaseResource!;
}

/** The scope to ask Entra for a SQL token: the resource and "/.default" (https://database.windows.net//.default). */
export function sqlDatabaseScope(cloud: Cloud): string {
  return `${sqlDatabaseResource(cloud)}/.default`;
}

/** A cloud file's SQL audience: an https URL, kept with one trailing slash as Entra issues it; Azure public's when absent. */
function sqlResource(value: string | undefined, source: string): string {
  if (value === undefined) return AZURE_PUBLIC.sqlDatabaseResource!;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${source}: "sqlDatabaseResource" is not a URL: ${value} (e.g. https://database.windows.net/)`);
  }
  if (url.protocol !== 'https:' && !isLoopback(value)) throw new Error(`${source}: "sqlDatabaseResource" must be an https URL, e.g. https://database.windows.net/`);
  return `${stripSlash(value)}/`;
}

/** A cloud file's "sqlEndpoints": {"host,port": {"address": "HOST,PORT", "trustedCertificate"?: PEM}}. */
function sqlEndpoints(value: unknown, source: string): Record<string, SqlEndpointMapping> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${source}: "sqlEndpoints" must be an object of "host,port": {"address": "HOST,PORT"}`);
  const out: Record<string, SqlEndpointMapping> = {};
  for (const [key, m] of Object.entries(value as Record<string, unknown>)) {
    const e = m as Record<string, unknown> | null;
    if (!e || typeof e !== 'object' || typeof e.address !== 'string' || !/^[^,\s]+,\d{1,5}$/.test(e.address.trim())) {
      throw new Error(`${source}: "sqlEndpoints"."${key}" must be {"address": "HOST,PORT"}`);
    }
    if (e.trustedCertificate !== undefined && (typeof e.trustedCertificate !== 'string' || !e.trustedCertificate.includes('BEGIN CERTIFICATE'))) {
      throw new Error(`${source}: "sqlEndpoints"."${key}".trustedCertificate must be a PEM certificate`);
    }
    out[key.trim().toLowerCase()] = { address: e.address.trim(), ...(typeof e.trustedCertificate === 'string' && { trustedCertificate: e.trustedCertificate }) };
  }
  return out;
}

/** Validates a cloud description (from a file or settings); says which field is wrong. */
export function parseCloud(value: unknown, source = 'the cloud description'): Cloud {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${source} is not a JSON object`);
  const v = value as Record<string, unknown>;
  const text = (key: string, required: boolean): string | undefined => {
    const x = v[key];
    if (x === undefined && !required) return undefined;
    if (typeof x !== 'string' || x.trim() === '') throw new Error(`${source}: "${key}" must be a non-empty string`);
    return x.trim();
  };
  const armEndpoint = stripSlash(text('armEndpoint', true)!);
  let url: URL;
  try {
    url = new URL(armEndpoint);
  } catch {
    throw new Error(`${source}: "armEndpoint" is not a URL: ${armEndpoint}`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(armEndpoint))) {
    throw new Error(`${source}: "armEndpoint" must use https (plain http is allowed only on this machine's loopback address)`);
  }
  const cloud: Cloud = {
    name: text('name', true)!,
    displayName: text('displayName', false) ?? text('name', true)!,
    armEndpoint,
    armScope: text('armScope', false) ?? `${armEndpoint}/.default`,
    authorityHost: stripSlash(text('authorityHost', false) ?? AZURE_PUBLIC.authorityHost),
    storageSuffix: text('storageSuffix', false) ?? AZURE_PUBLIC.storageSuffix,
    sqlDatabaseResource: sqlResource(text('sqlDatabaseResource', false), source),
  };
  const portalUrl = text('portalUrl', false);
  const tenantId = text('tenantId', false);
  const subscriptionId = text('subscriptionId', false);
  const accessToken = text('accessToken', false);
  if (portalUrl) cloud.portalUrl = portalUrl;
  if (tenantId) cloud.tenantId = tenantId;
  if (subscriptionId) cloud.subscriptionId = subscriptionId;
  if (accessToken) cloud.accessToken = accessToken;
  if (v.sqlEndpoints !== undefined) cloud.sqlEndpoints = sqlEndpoints(v.sqlEndpoints, source);
  return cloud;
}

export async function loadCloudFile(path: string): Promise<Cloud> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read the cloud file ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`the cloud file ${path} is not valid JSON: ${(e as Error).message}`);
  }
  return parseCloud(json, `the cloud file ${path}`);
}
