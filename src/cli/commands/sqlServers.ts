/**
 * What the logins, tde and server-objects commands share: connecting to the source SQL Server
 * and to the target managed instance. The target is named by its ARM id (its host name comes
 * from ARM; --public-endpoint uses port 3342) or by --target-server. A cloud file may map both
 * servers' addresses (the sandbox maps them to loopback ports, with the certificates to trust).
 * Passwords come from SQLMIG_SOURCE_PASSWORD / SQLMIG_TARGET_PASSWORD or a prompt, tokens from
 * SQLMIG_*_ACCESS_TOKEN or sign-in; never from an option.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { promptSecret } from '../promptSecret';
import { parseArmId } from '../../core/azure/armId';
import { sqlDatabaseResource, type Cloud } from '../../core/azure/cloud';
import { credentialForCloud, sqlAccessToken, type SignInMethod } from '../../core/azure/credentials';
import { getManagedInstance } from '../../core/azure/managedInstances';
import { connectSource, connectTarget, formatServerAddress, parseServerAddress, targetEndpoint, type EncryptMode, type SourceAuth, type SourceConnection, type TargetConnection } from '../../core/source';
import { azureSession, cloudFrom, str, type AzureSession } from '../azureArgs';
import { UsageError, type Io, type Options, type Values } from '../command';

export const SOURCE_PASSWORD_ENV = 'SQLMIG_SOURCE_PASSWORD';
export const SOURCE_TOKEN_ENV = 'SQLMIG_SOURCE_ACCESS_TOKEN';
export const TARGET_PASSWORD_ENV = 'SQLMIG_TARGET_PASSWORD';
export const TARGET_TOKEN_ENV = 'SQLMIG_TARGET_ACCESS_TOKEN';

export const SOURCE_OPTIONS: Options = {
  'source-server': { type: 'string' },
  'source-user': { type: 'string' },
  'source-auth': { type: 'string' },
  'trust-source-certificate': { type: 'boolean' },
};

export const TARGET_OPTIONS: Options = {
  target: { type: 'string' },
  'target-server': { type: 'string' },
  'target-user': { type: 'string' },
  'target-auth': { type: 'string' },
  'public-endpoint': { type: 'boolean' },
  'trust-target-certificate': { type: 'boolean' },
  'target-certificate': { type: 'string' },
};

export const SOURCE_HELP = `Source SQL Server:
  --source-server HOST[,PORT]   the source (a cloud file may map the name to where it listens)
  --source-user USER            a SQL login (password: ${SOURCE_PASSWORD_ENV} or a prompt), or
                                DOMAIN\\user with --source-auth windows
  --source-auth sql|windows|entra-token
                                entra-token reads ${SOURCE_TOKEN_ENV} or signs in to the cloud
  --trust-source-certificate    accept the source's certificate unchecked (a check you turn off)`;

export const TARGET_HELP = `Target managed instance:
  --target MI_ID                the instance's resource id: its host name comes from Azure Resource
                                Manager (port 1433 inside its virtual network)
  --public-endpoint             use the instance's public endpoint (<name>.public.<zone>..., port 3342)
  --target-server HOST[,PORT]   or connect to this address instead of asking ARM
  --target-user USER            the instance admin or another SQL login (password: ${TARGET_PASSWORD_ENV}
                                or a prompt); without it, a Microsoft Entra token for the cloud's SQL
                                audience (${TARGET_TOKEN_ENV}, or signing in)
  --target-auth sql|entra-token
  --trust-target-certificate    accept the target's certificate unchecked
  --target-certificate FILE     a PEM certificate to trust for the target`;

async function password(io: Io, variable: string, who: string): Promise<string> {
  const p = io.env[variable];
  if (p !== undefined) return p;
  if (!io.isTty || !process.stdin.isTTY) throw new UsageError(`no password for ${who}: set ${variable} (passwords are never taken as an option), or run in a terminal to be asked`);
  return promptSecret(`Password for ${who}: `);
}

async function entraToken(values: Values, io: Io, variable: string): Promise<SourceAuth> {
  const cloud = await cloudFrom(values);
  const audience = sqlDatabaseResource(cloud);
  const given = io.env[variable];
  if (given) return { kind: 'entra-token', token: given, audience };
  if (cloud.accessToken) throw new UsageError(`the cloud file's token is for Resource Manager, not SQL: set ${variable} to a token for ${audience}`);
  const tenant = str(values, 'tenant');
  const credential = credentialForCloud(cloud, { method: (str(values, 'sign-in') ?? 'auto') as SignInMethod, ...(tenant && { tenantId: tenant }), onDeviceCode: (m) => io.err(m) });
  return { kind: 'entra-token', token: await sqlAccessToken(cloud, credential, io.signal), audience };
}

/** The cloud of a command, when it has --cloud or --cloud-file (for endpoint mappings and token audiences). */
async function cloudOf(values: Values): Promise<Cloud | undefined> {
  return str(values, 'cloud') || str(values, 'cloud-file') ? cloudFrom(values) : undefined;
}

/** Connects to the source, through the cloud file's mapping of its address when there is one. */
export async function connectSourceFrom(values: Values, io: Io): Promise<SourceConnection> {
  const server = str(values, 'source-server');
  if (!server) throw new UsageError('--source-server is required (HOST, HOST,PORT or HOST\\INSTANCE)');
  let address;
  try {
    address = parseServerAddress(server);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const kind = str(values, 'source-auth') ?? 'sql';
  let auth: SourceAuth;
  if (kind === 'entra-token') auth = await entraToken(values, io, SOURCE_TOKEN_ENV);
  else if (kind === 'sql' || kind === 'windows') {
    const user = str(values, 'source-user');
    if (!user) throw new UsageError(`--source-user is required with --source-auth ${kind}`);
    auth = { kind, user, password: await password(io, SOURCE_PASSWORD_ENV, user) };
  } else throw new UsageError(`--source-auth must be sql, windows or entra-token, not "${kind}"`);
  const cloud = await cloudOf(values);
  const key = formatServerAddress({ host: address.host, port: address.port ?? 1433 }).toLowerCase();
  const mapped = cloud?.sqlEndpoints?.[key] ?? cloud?.sqlEndpoints?.[address.host.toLowerCase()];
  return connectSource({
    server: mapped?.address ?? server,
    auth,
    ...(mapped?.trustedCertificate && { trustedCertificates: mapped.trustedCertificate, hostNameInCertificate: address.host }),
    trustServerCertificate: Boolean(values['trust-source-certificate']),
  }, { ...(io.signal && { signal: io.signal }) });
}

export interface TargetRef {
  /** The instance's resource id parts, when named by --target. */
  arm?: { subscriptionId: string; resourceGroup: string; managedInstance: string; id: string };
  session?: AzureSession;
}

/** Parses --target and signs in to Azure (needed to read the host name, and to upload certificates). */
export async function targetRefOf(values: Values, io: Io, required: boolean): Promise<TargetRef> {
  const id = str(values, 'target');
  if (!id) {
    if (required) throw new UsageError('--target MI_ID is required (the managed instance\'s resource id; "sqlmig targets list" lists them)');
    return {};
  }
  let parsed;
  try {
    parsed = parseArmId(id);
  } catch (e) {
    throw new UsageError(`--target: ${(e as Error).message}`);
  }
  if (!parsed.name) throw new UsageError('--target must be a managed instance\'s resource id');
  const session = await azureSession(values, io);
  return { arm: { subscriptionId: parsed.subscriptionId, resourceGroup: parsed.resourceGroup, managedInstance: parsed.name, id }, session };
}

/** Connects to the target managed instance (named by --target or --target-server). */
export async function connectTargetFrom(values: Values, io: Io, ref: TargetRef): Promise<TargetConnection> {
  let server = str(values, 'target-server');
  let hostNameInCertificate: string | undefined;
  let trustedCertificates: string | undefined;
  const cloud = ref.session?.cloud ?? (await cloudOf(values));
  if (!server) {
    if (!ref.arm || !ref.session) throw new UsageError('name the target with --target MI_ID (or --target-server HOST,PORT)');
    const mi = await getManagedInstance(ref.session.ctx, ref.arm.subscriptionId, ref.arm.resourceGroup, ref.arm.managedInstance, io.signal);
    if (!mi.fullyQualifiedDomainName) throw new UsageError(`Azure Resource Manager gives no host name for ${mi.name}`);
    const endpoint = targetEndpoint(mi.fullyQualifiedDomainName, { publicEndpoint: Boolean(values['public-endpoint']), ...(cloud && { cloud }) });
    server = endpoint.server;
    hostNameInCertificate = endpoint.hostNameInCertificate;
    trustedCertificates = endpoint.trustedCertificates;
  }
  const file = str(values, 'target-certificate');
  if (file) trustedCertificates = await readFile(resolve(io.cwd, file), 'utf8').catch(() => {
    throw new UsageError(`cannot read the certificate file ${file}`);
  });
  const kind = str(values, 'target-auth') ?? (str(values, 'target-user') ? 'sql' : 'entra-token');
  let auth: SourceAuth;
  if (kind === 'sql') {
    const user = str(values, 'target-user');
    if (!user) throw new UsageError('--target-user is required with --target-auth sql');
    auth = { kind: 'sql', user, password: await password(io, TARGET_PASSWORD_ENV, user) };
  } else if (kind === 'entra-token') auth = await entraToken(values, io, TARGET_TOKEN_ENV);
  else throw new UsageError(`--target-auth must be sql or entra-token, not "${kind}"`);
  return connectTarget({
    server,
    auth,
    encrypt: 'mandatory' as EncryptMode,
    ...(trustedCertificates && { trustedCertificates }),
    ...(hostNameInCertificate && { hostNameInCertificate }),
    trustServerCertificate: Boolean(values['trust-target-certificate']),
  }, { ...(io.signal && { signal: io.signal }) });
}
