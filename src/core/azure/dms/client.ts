/**
 * A typed client for the Database Migration Service (Microsoft.DataMigration, api-version
 * 2025-09-01-preview): every SqlMigrationServices and DatabaseMigrationsSqlMi operation.
 *
 * Built on @azure-rest/core-client (the registry has no SDK for this API) and @azure/core-lro:
 * long-running operations follow Azure-AsyncOperation, lists follow nextLink, retries honour
 * Retry-After (src/core/azure/retry.ts), every call takes an AbortSignal, and failures become
 * AzureErrors that say what to do. Follow-up URLs (nextLink, operation status) must stay on the
 * cloud's ARM origin: the bearer token is never sent anywhere else.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createRestError, getClient, type Client, type HttpResponse } from '@azure-rest/core-client';
import { createHttpPoller, type OperationResponse, type RunningOperation } from '@azure/core-lro';
import { isLoopback } from '../cloud';
import { prepareArmPipeline, sdkClientOptions, type AzureContext } from '../context';
import { AzureError, hintFor, toAzureError } from '../errors';
import { retryAfterMs } from '../retry';
import {
  DMS_API_VERSION,
  type AuthKeyName,
  type AuthenticationKeys,
  type DatabaseMigration,
  type DatabaseMigrationSqlMi,
  type DeleteNode,
  type IntegrationRuntimeMonitoringData,
  type ListResult,
  type RegenAuthKeys,
  type SqlMigrationService,
} from './models';

export interface MigrationServiceRef {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
}

/** A database migration is addressed by its target: instance + target database name. */
export interface MigrationRef {
  subscriptionId: string;
  resourceGroup: string;
  managedInstance: string;
  targetDatabase: string;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface LroOptions extends CallOptions {
  /** Longest wait between polls when the service sends no Retry-After (default 2 s); the first polls come sooner. */
  pollIntervalMs?: number;
  /** Called after each poll with the operation's status (InProgress, Succeeded...). */
  onPoll?: (status: string) => void;
}

export interface DmsClientOptions {
  /** See LroOptions.pollIntervalMs. */
  pollIntervalMs?: number;
  /** Safety net for a service that keeps handing out nextLinks. */
  maxPages?: number;
}

/** The first wait between polls of a long-running operation; it doubles up to the poll interval. */
const FIRST_POLL_MS = 250;

const SMS = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.DataMigration/sqlMigrationServices/{sqlMigrationServiceName}';
const SMS_BY_RG = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.DataMigration/sqlMigrationServices';
const SMS_BY_SUB = '/subscriptions/{subscriptionId}/providers/Microsoft.DataMigration/sqlMigrationServices';
const MI_MIGRATION =
  '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Sql/managedInstances/{managedInstanceName}/providers/Microsoft.DataMigration/databaseMigrations/{targetDbName}';

/** Parses a DatabaseMigration id (…/managedInstances/MI/providers/Microsoft.DataMigration/databaseMigrations/DB). */
export function migrationRefFromId(id: string): MigrationRef {
  const m = /^\/?subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Sql\/managedInstances\/([^/]+)\/providers\/Microsoft\.DataMigration\/databaseMigrations\/([^/]+)\/?$/i.exec(id);
  if (!m) throw new Error(`not a SQL MI database migration id: ${JSON.stringify(id)}`);
  return { subscriptionId: m[1]!, resourceGroup: m[2]!, managedInstance: m[3]!, targetDatabase: decodeURIComponent(m[4]!) };
}

export function migrationIdOf(ref: MigrationRef): string {
  return `/subscriptions/${ref.subscriptionId}/resourceGroups/${ref.resourceGroup}/providers/Microsoft.Sql/managedInstances/${ref.managedInstance}/providers/Microsoft.DataMigration/databaseMigrations/${ref.targetDatabase}`;
}

export function serviceRefFromId(id: string): MigrationServiceRef {
  const m = /^\/?subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.DataMigration\/sqlMigrationServices\/([^/]+)\/?$/i.exec(id);
  if (!m) throw new Error(`not a SQL migration service id: ${JSON.stringify(id)}`);
  return { subscriptionId: m[1]!, resourceGroup: m[2]!, name: m[3]! };
}

export function serviceIdOf(ref: MigrationServiceRef): string {
  return `/subscriptions/${ref.subscriptionId}/resourceGroups/${ref.resourceGroup}/providers/Microsoft.DataMigration/sqlMigrationServices/${ref.name}`;
}

function sameOrigin(a: URL, b: URL): boolean {
  if (a.protocol !== b.protocol || a.port !== b.port) return false;
  // The sandbox may answer as localhost or 127.0.0.1: both are this machine.
  return a.hostname === b.hostname || (isLoopback(a.href) && isLoopback(b.href));
}

function lowerHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) out[k.toLowerCase()] = v;
  return out;
}

export class DmsClient {
  private readonly client: Client;
  private readonly origin: URL;
  private readonly pollIntervalMs: number;
  private readonly maxPages: number;

  constructor(ctx: AzureContext, options: DmsClientOptions = {}) {
    const sdk = sdkClientOptions(ctx);
    this.client = getClient(ctx.cloud.armEndpoint, ctx.credential, {
      ...sdk,
      apiVersion: DMS_API_VERSION,
    });
    prepareArmPipeline(this.client.pipeline, ctx);
    this.origin = new URL(ctx.cloud.armEndpoint);
    this.pollIntervalMs = options.pollIntervalMs ?? 2000;
    this.maxPages = options.maxPages ?? 10_000;
  }

  // ---- SqlMigrationServices -------------------------------------------------------------

  getService(ref: MigrationServiceRef, o: CallOptions = {}): Promise<SqlMigrationService> {
    return this.call(`read migration service ${ref.name}`, o, () => this.service(ref).get({ abortSignal: o.signal }));
  }

  createOrUpdateService(ref: MigrationServiceRef, body: { location: string; tags?: Record<string, string> }, o: LroOptions = {}): Promise<SqlMigrationService> {
    return this.lro(`create migration service ${ref.name}`, o, () => this.service(ref).put({ body, abortSignal: o.signal })) as Promise<SqlMigrationService>;
  }

  updateService(ref: MigrationServiceRef, body: { tags: Record<string, string> }, o: LroOptions = {}): Promise<SqlMigrationService> {
    return this.lro(`update migration service ${ref.name}`, o, () => this.service(ref).patch({ body, abortSignal: o.signal })) as Promise<SqlMigrationService>;
  }

  async deleteService(ref: MigrationServiceRef, o: LroOptions = {}): Promise<void> {
    await this.lro(`delete migration service ${ref.name}`, o, () => this.service(ref).delete({ abortSignal: o.signal }));
  }

  listServicesByResourceGroup(subscriptionId: string, resourceGroup: string, o: CallOptions = {}): Promise<SqlMigrationService[]> {
    return this.pages(`list the migration services of resource group ${resourceGroup}`, o, () =>
      this.client.pathUnchecked(SMS_BY_RG, subscriptionId, resourceGroup).get({ abortSignal: o.signal }));
  }

  listServicesBySubscription(subscriptionId: string, o: CallOptions = {}): Promise<SqlMigrationService[]> {
    return this.pages(`list the migration services of subscription ${subscriptionId}`, o, () =>
      this.client.pathUnchecked(SMS_BY_SUB, subscriptionId).get({ abortSignal: o.signal }));
  }

  /** The integration runtime's registration keys: secrets, to hand to the runtime installer only. */
  listAuthKeys(ref: MigrationServiceRef, o: CallOptions = {}): Promise<AuthenticationKeys> {
    return this.call(`read the authentication keys of migration service ${ref.name}`, o, () =>
      this.client.pathUnchecked(`${SMS}/listAuthKeys`, ref.subscriptionId, ref.resourceGroup, ref.name).post({ abortSignal: o.signal }));
  }

  regenerateAuthKey(ref: MigrationServiceRef, keyName: AuthKeyName, o: CallOptions = {}): Promise<RegenAuthKeys> {
    if (keyName !== 'authKey1' && keyName !== 'authKey2') return Promise.reject(new Error(`the key name must be authKey1 or authKey2, not ${String(keyName)}`));
    return this.call(`regenerate ${keyName} of migration service ${ref.name}`, o, () =>
      this.client.pathUnchecked(`${SMS}/regenerateAuthKeys`, ref.subscriptionId, ref.resourceGroup, ref.name).post({ body: { keyName }, abortSignal: o.signal }));
  }

  deleteNode(ref: MigrationServiceRef, node: { nodeName: string; integrationRuntimeName: string }, o: CallOptions = {}): Promise<DeleteNode> {
    return this.call(`remove node ${node.nodeName} from migration service ${ref.name}`, o, () =>
      this.client.pathUnchecked(`${SMS}/deleteNode`, ref.subscriptionId, ref.resourceGroup, ref.name).post({ body: node, abortSignal: o.signal }));
  }

  listMonitoringData(ref: MigrationServiceRef, o: CallOptions = {}): Promise<IntegrationRuntimeMonitoringData> {
    return this.call(`read the integration runtime nodes of migration service ${ref.name}`, o, () =>
      this.client.pathUnchecked(`${SMS}/listMonitoringData`, ref.subscriptionId, ref.resourceGroup, ref.name).post({ abortSignal: o.signal }));
  }

  /** Every migration attached to the service (all pages): one call per page, the cheapest way to watch many. */
  listMigrations(ref: MigrationServiceRef, o: CallOptions = {}): Promise<DatabaseMigration[]> {
    return this.pages(`list the migrations of migration service ${ref.name}`, o, () =>
      this.client.pathUnchecked(`${SMS}/listMigrations`, ref.subscriptionId, ref.resourceGroup, ref.name).get({ abortSignal: o.signal }));
  }

  // ---- DatabaseMigrationsSqlMi -----------------------------------------------------------

  getMigration(ref: MigrationRef, o: CallOptions & { expand?: boolean; migrationOperationId?: string } = {}): Promise<DatabaseMigrationSqlMi> {
    const queryParameters: Record<string, string> = {};
    if (o.expand) queryParameters.$expand = 'MigrationStatusDetails';
    if (o.migrationOperationId) queryParameters.migrationOperationId = o.migrationOperationId;
    return this.call(`read the migration of ${ref.targetDatabase}`, o, () => this.migration(ref).get({ queryParameters, abortSignal: o.signal }));
  }

  /**
   * Starts (PUT) a migration. `secrets` are the passwords and keys inside `body`: they are cut
   * out of any error message the service echoes back.
   */
  createMigration(ref: MigrationRef, body: DatabaseMigrationSqlMi, o: LroOptions & { secrets?: readonly string[] } = {}): Promise<DatabaseMigrationSqlMi> {
    return this.lro(`start the migration of ${ref.targetDatabase}`, o, () => this.migration(ref).put({ body, abortSignal: o.signal }), o.secrets) as Promise<DatabaseMigrationSqlMi>;
  }

  async deleteMigration(ref: MigrationRef, o: LroOptions & { force?: boolean } = {}): Promise<void> {
    const queryParameters = o.force ? { force: true } : {};
    await this.lro(`delete the migration of ${ref.targetDatabase}`, o, () => this.migration(ref).delete({ queryParameters, abortSignal: o.signal }));
  }

  async cancelMigration(ref: MigrationRef, migrationOperationId: string, o: LroOptions = {}): Promise<void> {
    await this.lro(`cancel the migration of ${ref.targetDatabase}`, o, () =>
      this.client.pathUnchecked(`${MI_MIGRATION}/cancel`, ...this.miArgs(ref)).post({ body: { migrationOperationId }, abortSignal: o.signal }));
  }

  async cutoverMigration(ref: MigrationRef, migrationOperationId: string, o: LroOptions = {}): Promise<void> {
    await this.lro(`complete the cutover of ${ref.targetDatabase}`, o, () =>
      this.client.pathUnchecked(`${MI_MIGRATION}/cutover`, ...this.miArgs(ref)).post({ body: { migrationOperationId }, abortSignal: o.signal }));
  }

  // ---- plumbing --------------------------------------------------------------------------

  private service(ref: MigrationServiceRef) {
    return this.client.pathUnchecked(SMS, ref.subscriptionId, ref.resourceGroup, ref.name);
  }

  private miArgs(ref: MigrationRef): [string, string, string, string] {
    return [ref.subscriptionId, ref.resourceGroup, ref.managedInstance, ref.targetDatabase];
  }

  private migration(ref: MigrationRef) {
    return this.client.pathUnchecked(MI_MIGRATION, ...this.miArgs(ref));
  }

  private checkFollowUrl(url: string, what: string): void {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new AzureError({ code: 'InvalidResponse', serviceMessage: `the service returned a ${what} that is not a URL: ${url}` });
    }
    if (!sameOrigin(parsed, this.origin)) {
      throw new AzureError({
        code: 'InvalidResponse',
        serviceMessage: `the service returned a ${what} on ${parsed.origin}, not on ${this.origin.origin}; it is not followed (the sign-in token stays with the cloud's own endpoint)`,
      });
    }
  }

  private async call<T>(action: string, o: CallOptions, send: () => PromiseLike<HttpResponse>): Promise<T> {
    try {
      o.signal?.throwIfAborted();
      const res = await send();
      if (!/^2\d\d$/.test(res.status)) throw createRestError(res);
      return res.body as T;
    } catch (e) {
      throw toAzureError(e, action);
    }
  }

  private async pages<T>(action: string, o: CallOptions, first: () => PromiseLike<HttpResponse>): Promise<T[]> {
    try {
      const out: T[] = [];
      let res = await first();
      const seen = new Set<string>();
      for (let page = 0; ; page++) {
        if (!/^2\d\d$/.test(res.status)) throw createRestError(res);
        const body = (res.body ?? {}) as ListResult<T>;
        if (body.value !== undefined && !Array.isArray(body.value)) {
          throw new AzureError({ code: 'InvalidResponse', serviceMessage: `page ${page + 1} of the list has no "value" array` });
        }
        out.push(...(body.value ?? []));
        const next = body.nextLink;
        if (!next) return out;
        if (seen.has(next) || page + 1 >= this.maxPages) {
          throw new AzureError({ code: 'InvalidResponse', serviceMessage: `the service kept returning more pages (${page + 1} so far, nextLink repeating or endless)` });
        }
        seen.add(next);
        this.checkFollowUrl(next, 'nextLink');
        o.signal?.throwIfAborted();
        res = await this.client.pathUnchecked(next).get({ abortSignal: o.signal });
      }
    } catch (e) {
      throw toAzureError(e, action);
    }
  }

  /**
   * Sends the initial request and polls Azure-AsyncOperation (or Location) until the operation
   * ends; a Failed or Canceled operation rejects with the service's own code and message.
   */
  private async lro(action: string, o: LroOptions, send: () => PromiseLike<HttpResponse>, secrets: readonly string[] = []): Promise<unknown> {
    let lastPollBody: unknown;
    /** What the service last asked us to wait (Retry-After), if anything. */
    let askedMs: number | undefined;
    const toOperation = (res: HttpResponse): OperationResponse<unknown> => {
      if (!/^2\d\d$/.test(res.status)) throw createRestError(res);
      const headers = lowerHeaders(res.headers);
      const asked = retryAfterMs({ get: (name) => headers[name] });
      askedMs = asked ? asked : undefined; // 0 asks for nothing
      return {
        flatResponse: res.body,
        rawResponse: {
          statusCode: Number(res.status),
          request: { method: res.request.method, url: res.request.url },
          headers,
          body: res.body,
        },
      };
    };
    const operation: RunningOperation<unknown> = {
      sendInitialRequest: async () => {
        const r = toOperation(await send());
        for (const h of ['azure-asyncoperation', 'operation-location', 'location']) {
          const url = r.rawResponse.headers[h];
          if (url) this.checkFollowUrl(url, `${h} header`);
        }
        return r;
      },
      sendPollRequest: async (path) => {
        this.checkFollowUrl(path, 'polling URL');
        const r = toOperation(await this.client.pathUnchecked(path).get({ abortSignal: o.signal }));
        lastPollBody = r.rawResponse.body;
        const status = (r.rawResponse.body as { status?: unknown } | undefined)?.status;
        if (typeof status === 'string') o.onPoll?.(status);
        return r;
      },
    };
    try {
      o.signal?.throwIfAborted();
      const poller = createHttpPoller(operation, { resolveOnUnsuccessful: true });
      // Polls soon, then less often: a quick operation ends in a fraction of a second, a long one
      // costs a poll per interval. The service's Retry-After, when it sends one, decides instead.
      const longest = o.pollIntervalMs ?? this.pollIntervalMs;
      for (let wait = Math.min(FIRST_POLL_MS, longest); ; wait = Math.min(wait * 2, longest)) {
        await poller.poll({ abortSignal: o.signal });
        if (poller.isDone) break;
        await sleep(askedMs ?? wait, undefined, o.signal ? { signal: o.signal } : {});
      }
      const result = poller.result;
      const state = poller.operationState;
      if (state?.status === 'failed' || state?.status === 'canceled') {
        const err = (lastPollBody as { error?: { code?: string; message?: string } } | undefined)?.error ?? {};
        const fromState = (state.error as Error | undefined)?.message;
        const code = err.code ?? (state.status === 'canceled' ? 'OperationCanceled' : 'OperationFailed');
        const hint = hintFor(code);
        throw new AzureError({
          action,
          code,
          serviceMessage: err.message ?? fromState ?? `the operation ended ${state.status}`,
          ...(hint && { hint }),
        });
      }
      return result;
    } catch (e) {
      throw toAzureError(e, action, secrets);
    }
  }
}
