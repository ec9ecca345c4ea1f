/**
 * Credentials for the CLI. The editor passes its own signed-in session (any TokenCredential)
 * and never loads this file, which keeps @azure/identity out of the extension bundle.
 *
 * A cloud file with a token (the sandbox) signs with that token; otherwise @azure/identity
 * signs in: the Azure CLI's session, service-principal environment variables, or a device code.
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import { AzureCliCredential, ChainedTokenCredential, DeviceCodeCredential, EnvironmentCredential } from '@azure/identity';
import { AZURE_PUBLIC, knownCloud, KNOWN_CLOUDS, loadCloudFile, sqlDatabaseResource, sqlDatabaseScope, type Cloud } from './cloud';
import { staticTokenCredential } from './pipeline';

export type SignInMethod = 'auto' | 'azure-cli' | 'environment' | 'device-code';
export const SIGN_IN_METHODS: readonly SignInMethod[] = ['auto', 'azure-cli', 'environment', 'device-code'];

export interface CloudChoice {
  /** A known cloud's name or alias (AzureCloud/public, AzureUSGovernment/usgov, AzureChinaCloud/china). */
  cloud?: string;
  /** A custom cloud description (the sandbox writes one). */
  cloudFile?: string;
}

/** The cloud named by --cloud or --cloud-file (never both); Azure public when neither is given. */
export async function resolveCloud(choice: CloudChoice): Promise<Cloud> {
  if (choice.cloud && choice.cloudFile) throw new Error('give either --cloud or --cloud-file, not both');
  if (choice.cloudFile) return loadCloudFile(choice.cloudFile);
  if (!choice.cloud) return AZURE_PUBLIC;
  const known = knownCloud(choice.cloud);
  if (!known) {
    throw new Error(`unknown cloud "${choice.cloud}": use one of ${KNOWN_CLOUDS.map((c) => c.name).join(', ')} ` +
      '(or public, usgov, china), or describe a custom cloud in a file and pass --cloud-file');
  }
  return known;
}

export interface CredentialOptions {
  method?: SignInMethod;
  tenantId?: string;
  /** Where the device-code instructions go (the CLI prints them to stderr). */
  onDeviceCode?: (message: string) => void;
}

/** What every @azure/identity credential of this cloud is built with: the cloud's own sign-in authority. */
export function identityOptions(cloud: Cloud, tenantId = cloud.tenantId): { authorityHost: string; additionallyAllowedTenants: string[]; tenantId?: string } {
  return { authorityHost: cloud.authorityHost, additionallyAllowedTenants: ['*'], ...(tenantId && { tenantId }) };
}

export function credentialForCloud(cloud: Cloud, options: CredentialOptions = {}): TokenCredential {
  if (cloud.accessToken) return staticTokenCredential(cloud.accessToken);
  const common = identityOptions(cloud, options.tenantId ?? cloud.tenantId);
  const method = options.method ?? 'auto';
  switch (method) {
    case 'azure-cli':
      return new AzureCliCredential(common);
    case 'environment':
      return new EnvironmentCredential(common);
    case 'device-code':
      return new DeviceCodeCredential({
        ...common,
        userPromptCallback: (info) => options.onDeviceCode?.(info.message),
      });
    case 'auto':
      return new ChainedTokenCredential(new EnvironmentCredential(common), new AzureCliCredential(common));
    default:
      throw new Error(`unknown sign-in method "${String(method)}": use one of ${SIGN_IN_METHODS.join(', ')}`);
  }
}

/** The same credential, asking for tokens of one tenant (one subscription list call per tenant). */
export function tenantCredential(credential: TokenCredential, tenantId: string): TokenCredential {
  return {
    getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
      return credential.getToken(scopes, { ...options, tenantId });
    },
  };
}

/**
 * A Microsoft Entra access token for SQL Server in this cloud: asked of `credential` (built for
 * the cloud's authority by credentialForCloud) for the cloud's SQL audience, so a US Government
 * token is for https://database.usgovcloudapi.net/, not Azure public's database.windows.net.
 */
export async function sqlAccessToken(cloud: Cloud, credential: TokenCredential, signal?: AbortSignal): Promise<string> {
  const audience = sqlDatabaseResource(cloud);
  if (cloud.accessToken) {
    throw new Error(`the cloud file's access token is for Resource Manager, not for SQL Server: get a token for ${audience} and pass it instead`);
  }
  let token: AccessToken | null;
  try {
    token = await credential.getToken(sqlDatabaseScope(cloud), signal ? { abortSignal: signal } : {});
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new Error(`could not get a Microsoft Entra token for ${audience} from ${cloud.authorityHost}: ${(e as Error).message}`);
  }
  if (!token?.token) throw new Error(`could not get a Microsoft Entra token for ${audience} from ${cloud.authorityHost}: the sign-in returned none`);
  return token.token;
}
