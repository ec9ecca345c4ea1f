/**
 * An AzureContext is everything a client needs to reach one cloud as one signed-in user: the
 * cloud, a credential (the editor's session, @azure/identity, or the sandbox's token), and
 * optionally the HTTP client (tests and the sandbox's fault injection) and retry settings.
 * Every ARM client in this folder is built from one, so all of them retry, sign and reach
 * loopback the same way, and keep within ARM's request limits when given a budget.
 */
import type { TokenCredential } from '@azure/core-auth';
import { proxyPolicyName, type HttpClient, type Pipeline } from '@azure/core-rest-pipeline';
import type { Cloud } from './cloud';
import { adaptPipeline, armClientOptions, isInsecureLoopback } from './pipeline';
import { REQUEST_BUDGET_POLICY, requestBudgetPolicy, type RequestBudget } from './requestBudget';
import { ARM_RETRY_POLICY, armRetryPolicy, type RetryOptions } from './retry';

export interface AzureContext {
  cloud: Cloud;
  credential: TokenCredential;
  /** Replaces the SDK's HTTP client: every request goes through it. */
  httpClient?: HttpClient;
  retry?: RetryOptions;
  /**
   * ARM's request limits for this principal (see requestBudget.ts): every client of the
   * context waits for room in them and follows what the service says is left. Share one per
   * signed-in principal: ARM counts per subscription and principal.
   */
  budget?: RequestBudget;
}

export const USER_AGENT_PREFIX = 'sqlmig';

/** Constructor options for any Azure SDK management client (HLC or modular) of this context. */
export function sdkClientOptions(ctx: AzureContext) {
  const base = armClientOptions(ctx.cloud);
  return {
    ...base,
    // Modular (TypeSpec) clients read the scopes from here, HLC clients from credentialScopes.
    credentials: { scopes: base.credentialScopes },
    userAgentOptions: { userAgentPrefix: USER_AGENT_PREFIX },
    ...(ctx.httpClient && { httpClient: ctx.httpClient }),
  };
}

/**
 * After constructing a client: loopback signing for the sandbox, our retry policy instead of
 * the SDK's, and no proxy for loopback traffic (a proxy variable must never carry it off the machine).
 */
export function prepareArmPipeline(pipeline: Pipeline, ctx: AzureContext): void {
  adaptPipeline(pipeline, ctx.cloud, ctx.credential);
  pipeline.removePolicy({ name: 'defaultRetryPolicy' });
  pipeline.removePolicy({ name: ARM_RETRY_POLICY });
  pipeline.addPolicy(armRetryPolicy(ctx.retry), { phase: 'Retry' });
  pipeline.removePolicy({ name: REQUEST_BUDGET_POLICY });
  // After the retry policy: every attempt, retries included, waits for room in the budget.
  if (ctx.budget) pipeline.addPolicy(requestBudgetPolicy(ctx.budget), { afterPhase: 'Retry' });
  if (isInsecureLoopback(ctx.cloud.armEndpoint)) pipeline.removePolicy({ name: proxyPolicyName });
}

/** Collects an async iterable (an SDK pager) into an array, checking the signal between pages. */
export async function collect<T>(items: AsyncIterable<T>, signal?: AbortSignal): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) {
    signal?.throwIfAborted();
    out.push(item);
  }
  return out;
}
