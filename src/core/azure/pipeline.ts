/**
 * What an Azure SDK client needs to talk to a cloud: its endpoint and token scope, and, for an
 * ARM endpoint on this machine's loopback over plain http (the sandbox), a bearer policy that
 * permits it. The SDK's own bearer policy refuses every non-TLS URL; this one refuses every
 * non-loopback one, so a token can never travel in clear text off the machine.
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import { bearerTokenAuthenticationPolicyName, type Pipeline, type PipelinePolicy } from '@azure/core-rest-pipeline';
import { isLoopback, type Cloud } from './cloud';

export const LOOPBACK_BEARER_POLICY = 'sqlmigLoopbackBearerPolicy';

/** A credential that hands out one fixed token (the sandbox's, from its cloud file). */
export function staticTokenCredential(token: string, lifetimeMs = 24 * 3600_000): TokenCredential {
  return {
    async getToken(): Promise<AccessToken> {
      return { token, expiresOnTimestamp: Date.now() + lifetimeMs };
    },
  };
}

export function isInsecureLoopback(url: string): boolean {
  return url.startsWith('http:') && isLoopback(url);
}

/** Sets `Authorization: Bearer` on requests to loopback http URLs, and refuses any other http URL. */
export function loopbackBearerPolicy(credential: TokenCredential, scopes: string | string[]): PipelinePolicy {
  let cached: AccessToken | null = null;
  return {
    name: LOOPBACK_BEARER_POLICY,
    async sendRequest(request, next) {
      if (request.url.startsWith('http:') && !isLoopback(request.url)) {
        throw new Error(`refusing to send a bearer token over plain http to ${new URL(request.url).host}`);
      }
      if (!cached || cached.expiresOnTimestamp - Date.now() < 120_000) {
        const options: GetTokenOptions = request.abortSignal ? { abortSignal: request.abortSignal } : {};
        cached = await credential.getToken(scopes, options);
        if (!cached) throw new Error('the credential returned no token');
      }
      request.headers.set('authorization', `Bearer ${cached.token}`);
      return next(request);
    },
  };
}

/** Options for an ARM management client (arm-sql, arm-storage, arm-resources...) of this cloud. */
export function armClientOptions(cloud: Cloud): { endpoint: string; $host: string; credentialScopes: string[]; allowInsecureConnection?: boolean } {
  return {
    endpoint: cloud.armEndpoint,
    $host: cloud.armEndpoint,
    credentialScopes: [cloud.armScope],
    ...(isInsecureLoopback(cloud.armEndpoint) && { allowInsecureConnection: true }),
  };
}

/**
 * After constructing a client with `armClientOptions`: for a loopback http cloud, swaps the
 * SDK's bearer policy for the loopback one. A no-op for https clouds.
 */
export function adaptPipeline(pipeline: Pipeline, cloud: Cloud, credential: TokenCredential): void {
  if (!isInsecureLoopback(cloud.armEndpoint)) return;
  pipeline.removePolicy({ name: bearerTokenAuthenticationPolicyName });
  pipeline.addPolicy(loopbackBearerPolicy(credential, cloud.armScope), { phase: 'Sign' });
}
