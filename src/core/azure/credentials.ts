/**
 * Credentials for the CLI. The editor passes its own signed-in session (any TokenCredential)
 * and never loads this file, which keeps @azure/identity out of the extension bundle.
 *
 * A cloud file with a token (the sandbox) signs with that token; otherwise @azure/identity
 * signs in: the Azure CLI's session, service-principal environment variables, or a device code.
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import { AzureCliCredential, ChainedTokenCredential, DeviceCodeCredential, EnvironmentCredential } from '@azure/identity';
import { AZURE_PUBLIC, knownCloud, KNOWN_CLOUDS, loadCloudFile, type Cloud } from './cloud';
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

export function credentialForCloud(cloud: Cloud, options: CredentialOptions = {}): TokenCredential {
  if (cloud.accessToken) return staticTokenCredential(cloud.accessToken);
  const tenantId = options.tenantId ?? cloud.tenantId;
  const common = { authorityHost: cloud.authorityHost, additionallyAllowedTenants: ['*'], ...(tenantId && { tenantId }) };
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
