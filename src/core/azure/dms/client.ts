/**
 * A typed client for the Database Migration Service (Microsoft.DataMigration, api-version
 * 2025-09-01-preview): every SqlMigrationServices and DatabaseMigrationsSqlMi operation.
 *
 * Built on @azure-rest/core-client (the registry has no SDK for this API) and @azure/core-lro:
 * long-running operations follow Azure-AsyncOperation, lists follow nextLink, retries honour
 * Retry-After (src/core/azure/retry.ts), every call takes an AbortSignal, and failures become
 * AzureErrors that say what to do. Follow-up URLs (nextLink, operation status) must stay on the
 * cloud's ARM origin: the bearer token is never sent anywhere else.
 *
 * A change (create, delete, cutover, cancel...) is never sent twice on a doubt. When its answer
 * is lost (a 5xx, a timeout, a connection dropped after the request went out) the client reads
 * the resource again and reports what happened: done when the change shows (a cutover the
 * service took, which callers follow; a cancel, create or delete followed to its end, as its
 * operation would have been), failed with the original error only when it does not. A key
 * regeneration cannot be read back: its failure says so.
 *
 * Secrets handed to the client (`secrets` on a call or on the client, and the integration
 * runtime keys it reads) are cut out of every error it throws.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createRestError, getClient, type Client, type HttpResponse } from '@azure-rest/core-client';
import { createHttpPoller, type OperationResponse, type RunningOperation } from '@azure/core-lro';
import { isLoopback } from '../cloud';
import { prepareArmPipeline, sdkClientOptions, type AzureContext } from '../context';
import { AzureError, hintFor, toAzureError } from '../errors';
import { isAmbiguousFailure, retryAfterMs } from '../retry';
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

export { migrationIdOf, migrationRefFromId, serviceIdOf, serviceRefFromId, type MigrationRef, type MigrationServiceRef } from './refs';
import type { MigrationRef, MigrationServiceRef } from './refs';

export interface CallOptions {
  signal?: AbortSignal;
  /** Passwords and keys this call carries: cut out of any error message (the service may echo them). */
  secrets?: readonly string[];
}

export interface LroOptions extends CallOptions {
  /** Longest wait between polls when the service sends no Retry-After (default 2 s); the first polls come sooner. */
  pollIntervalMs?: number;
  /**
   * Called after each poll with the operation's status (InProgress, Succeeded...), or, when the
   * answer was lost and the resource is read again, with the resource's status (Completing...).
   */
  onPoll?: (status: string) => void;
}

export interface DmsClientOptions {
  /** See LroOptions.pollIntervalMs. */
  pollIntervalMs?: number;
  /** Safety net for a service that keeps handing out nextLinks. */
  maxPages?: number;
  /** Secrets cut out of every error this client throws, in addition to each call's. */
  secrets?: readonly string[];
}

/** The first wait between polls of a long-running operation; it doubles up to the poll interval. */
const FIRST_POLL_MS = 250;
/** A service may show an accepted change a moment after answering: reads before saying it did not take effect. */
const NOT_APPLIED_READS = 2;

/**
 * What a re-read shows about a change whose answer was lost: it is done (the value to return),
 * still running (the status to report), ended badly, or not there (`state` says what is there
 * instead, as a sentence for the user).
 */
type Verdict<T> =
  | { kind: 'done'; value: T }
  | { kind: 'running'; status: string }
  | { kind: 'failed'; code: string; message: string }
  | { kind: 'notApplied'; state: string };

/** How to find out, by reading the resource again, whether a change took effect. */
interface Recheck<R, T> {
  /** Reads the resource; a 404 is undefined. */
  read(signal?: AbortSignal): Promise<R | undefined>;
  judge(read: R | undefined): Verdict<T>;
  /** What the user should check when even the re-read fails. */
  check: string;
}

const lower = (s: string | undefined) => (s ?? '').toLowerCase();
const statusOfMigration = (m: DatabaseMigrationSqlMi) => m.properties?.migrationStatus ?? m.properties?.provisioningState ?? 'unknown';
const sameTags = (a: Record<string, string> | undefined, b: Record<string, string>) =>
  Object.keys(a ?? {}).length === Object.keys(b).length && Object.entries(b).every(([k, v]) => a?.[k] === v);

const SMS = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.DataMigration/sqlMigrationServices/{sqlMigrationServiceName}';
const SMS_BY_RG = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.DataMigration/sqlMigrationServices';
const SMS_BY_SUB = '/subscriptions/{subscriptionId}/providers/Microsoft.DataMigration/sqlMigrationServices';
const MI_MIGRATION =
  '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Sql/managedInstances/{managedInstanceName}/providers/Microsoft.DataMigration/databaseMigrations/{targetDbName}';

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
  /** Cut out of every error: the client's own secrets and the runtime keys it has read. */
  private readonly secrets = new Set<string>();

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
    this.remember(...(options.secrets ?? []));
  }

  // ---- SqlMigrationServices -------------------------------------------------------------

  getService(ref: MigrationServiceRef, o: CallOptions = {}): Promise<SqlMigrationService> {
    return this.call(`read migration service ${ref.name}`, o, () => this.service(ref).get({ abortSignal: o.signal }));
  }

  createOrUpdateService(ref: MigrationServiceRef, body: { location: string; tags?: Record<string, string> }, o: LroOptions = {}): Promise<SqlMigrationService> {
    const where = (l: string | undefined) => lower(l).replace(/\s+/g, '');
    return this.lro<SqlMigrationService>(`create migration service ${ref.name}`, o, () => this.service(ref).put({ body, abortSignal: o.signal }), {
      read: (signal) => this.readService(ref, signal),
      judge: (svc) => {
        if (!svc) return { kind: 'notApplied', state: `no migration service ${ref.name} exists: it was not created` };
        if (svc.location && where(svc.location) !== where(body.location)) return { kind: 'notApplied', state: `migration service ${ref.name} exists in ${svc.location}, not ${body.location}: it is not the one asked for` };
        if (body.tags && !sameTags(svc.tags, body.tags)) return { kind: 'notApplied', state: `migration service ${ref.name} exists without the tags asked for: the update did not take effect` };
        return this.provisioned(svc, svc.properties?.provisioningState);
      },
      check: `Check with "sqlmig dms show --resource-group ${ref.resourceGroup} --name ${ref.name}" before creating it again.`,
    });
  }

  updateService(ref: MigrationServiceRef, body: { tags: Record<string, string> }, o: LroOptions = {}): Promise<SqlMigrationService> {
    return this.lro<SqlMigrationService>(`update migration service ${ref.name}`, o, () => this.service(ref).patch({ body, abortSignal: o.signal }), {
      read: (signal) => this.readService(ref, signal),
      judge: (svc) => {
        if (!svc) return { kind: 'notApplied', state: `migration service ${ref.name} does not exist` };
        if (!sameTags(svc.tags, body.tags)) return { kind: 'notApplied', state: `migration service ${ref.name} does not have the tags asked for: the update did not take effect` };
        return this.provisioned(svc, svc.properties?.provisioningState);
      },
      check: `Check the tags with "sqlmig dms show --resource-group ${ref.resourceGroup} --name ${ref.name} --json" before updating it again.`,
    });
  }

  async deleteService(ref: MigrationServiceRef, o: LroOptions = {}): Promise<void> {
    await this.lro<void>(`delete migration service ${ref.name}`, o, () => this.service(ref).delete({ abortSignal: o.signal }), {
      read: (signal) => this.readService(ref, signal),
      judge: (svc) => {
        if (!svc) return { kind: 'done', value: undefined };
        const state = svc.properties?.provisioningState;
        if (lower(state) === 'deleting') return { kind: 'running', status: state! };
        return { kind: 'notApplied', state: `migration service ${ref.name} still exists (${state ?? 'unknown'}): delete it again if it is still listed` };
      },
      check: `Check with "sqlmig dms show --resource-group ${ref.resourceGroup} --name ${ref.name}" whether it still exists.`,
    });
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
  async listAuthKeys(ref: MigrationServiceRef, o: CallOptions = {}): Promise<AuthenticationKeys> {
    const keys = await this.call<AuthenticationKeys>(`read the authentication keys of migration service ${ref.name}`, o, () =>
      this.client.pathUnchecked(`${SMS}/listAuthKeys`, ref.subscriptionId, ref.resourceGroup, ref.name).post({ abortSignal: o.signal }));
    this.remember(keys?.authKey1, keys?.authKey2);
    return keys;
  }

  /**
   * Regenerates one key. When the answer is lost after the request went out, the key may or may
   * not have been regenerated, and reading the keys cannot tell which: the error says so and
   * asks for the keys to be listed again.
   */
  async regenerateAuthKey(ref: MigrationServiceRef, keyName: AuthKeyName, o: CallOptions = {}): Promise<RegenAuthKeys> {
    if (keyName !== 'authKey1' && keyName !== 'authKey2') throw new Error(`the key name must be authKey1 or authKey2, not ${String(keyName)}`);
    const action = `regenerate ${keyName} of migration service ${ref.name}`;
    try {
      o.signal?.throwIfAborted();
      const res = await this.client.pathUnchecked(`${SMS}/regenerateAuthKeys`, ref.subscriptionId, ref.resourceGroup, ref.name).post({ body: { keyName }, abortSignal: o.signal });
      if (!/^2\d\d$/.test(res.status)) throw createRestError(res);
      const keys = res.body as RegenAuthKeys;
      this.remember(keys?.authKey1, keys?.authKey2);
      return keys;
    } catch (e) {
      if (!isAmbiguousFailure(e)) throw this.fail(e, action, o.secrets);
      const lost = this.fail(e, action, o.secrets) as AzureError;
      throw new AzureError({
        action,
        code: 'OutcomeUnknown',
        serviceMessage: `the answer was lost (${errorText(lost)}), so ${keyName} may or may not have been regenerated`,
        hint: `List the keys again ("sqlmig dms keys --resource-group ${ref.resourceGroup} --name ${ref.name} --out FILE") and register runtime nodes ` +
          `with what it shows; if ${keyName} changed, nodes registered with the old one must register again. Regenerate again only if you still want a new key.`,
      });
    }
  }

  deleteNode(ref: MigrationServiceRef, node: { nodeName: string; integrationRuntimeName: string }, o: CallOptions = {}): Promise<DeleteNode> {
    return this.call<DeleteNode, IntegrationRuntimeMonitoringData>(`remove node ${node.nodeName} from migration service ${ref.name}`, o, () =>
      this.client.pathUnchecked(`${SMS}/deleteNode`, ref.subscriptionId, ref.resourceGroup, ref.name).post({ body: node, abortSignal: o.signal }), {
      read: async (signal) => this.call<IntegrationRuntimeMonitoringData>(`read the integration runtime nodes of migration service ${ref.name}`, { ...(signal && { signal }) }, () =>
        this.client.pathUnchecked(`${SMS}/listMonitoringData`, ref.subscriptionId, ref.resourceGroup, ref.name).post({ abortSignal: signal })),
      judge: (data: IntegrationRuntimeMonitoringData | undefined) => (data?.nodes ?? []).some((n) => n.nodeName === node.nodeName)
        ? { kind: 'notApplied', state: `node ${node.nodeName} is still registered: it was not removed` }
        : { kind: 'done', value: { ...node } },
      check: `Check with "sqlmig dms nodes --resource-group ${ref.resourceGroup} --name ${ref.name}" whether the node is still listed.`,
    });
  }

  listMonitoringData(ref: MigrationServiceRef, o: CallOptions = {}): Promise<IntegrationRuntimeMonitoringData> {
    return this.call(`read the integration runtime nodes of migration service ${ref.name}`, o, () =>
      this.client.pathUnchecked(`${SMS}/listMonitoringData`, ref.subscriptionId, ref.resourceGroup, ref.name).post({ abortSignal: o.signal }));
  }

  /**
   * Every migration attached to the service (all pages): one call per page, the cheapest way to
   * watch many. `onPage` sees each page as it arrives (a face can print before the last one).
   */
  listMigrations(ref: MigrationServiceRef, o: CallOptions & { onPage?: (page: DatabaseMigration[]) => void } = {}): Promise<DatabaseMigration[]> {
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
   * out of any error message the service echoes back. When the answer is lost, a migration of
   * the same source database through the same service, running, is this one.
   */
  createMigration(ref: MigrationRef, body: DatabaseMigrationSqlMi, o: LroOptions = {}): Promise<DatabaseMigrationSqlMi> {
    const wanted = body.properties;
    return this.lro<DatabaseMigrationSqlMi>(`start the migration of ${ref.targetDatabase}`, o, () => this.migration(ref).put({ body, abortSignal: o.signal }), {
      read: (signal) => this.readMigration(ref, signal),
      judge: (m) => {
        if (!m) return { kind: 'notApplied', state: `no migration of ${ref.targetDatabase} exists: it was not started` };
        const p = m.properties;
        const source = p?.sourceDatabaseName;
        if ((wanted?.sourceDatabaseName && lower(source) !== lower(wanted.sourceDatabaseName)) ||
          (wanted?.migrationService && p?.migrationService && lower(p.migrationService) !== lower(wanted.migrationService))) {
          return { kind: 'notApplied', state: `the migration of ${ref.targetDatabase} there is of source database ${source ?? '(unknown)'}${p?.migrationService ? ` through ${p.migrationService}` : ''}: not the one this request starts` };
        }
        const status = statusOfMigration(m);
        if (['succeeded', 'failed', 'canceled', 'cancelled'].includes(lower(p?.migrationStatus))) {
          return { kind: 'notApplied', state: `the migration of ${ref.targetDatabase} there has ended (${status}): see "sqlmig migrate status" for it before starting it again` };
        }
        return this.provisioned(m, p?.provisioningState, p?.provisioningError);
      },
      check: `Check with "sqlmig migrate status" whether the migration of ${ref.targetDatabase} runs before starting it again.`,
    });
  }

  async deleteMigration(ref: MigrationRef, o: LroOptions & { force?: boolean } = {}): Promise<void> {
    const queryParameters = o.force ? { force: true } : {};
    await this.lro<void>(`delete the migration of ${ref.targetDatabase}`, o, () => this.migration(ref).delete({ queryParameters, abortSignal: o.signal }), {
      read: (signal) => this.readMigration(ref, signal),
      judge: (m) => {
        if (!m) return { kind: 'done', value: undefined };
        if (lower(m.properties?.provisioningState) === 'deleting') return { kind: 'running', status: m.properties!.provisioningState! };
        return { kind: 'notApplied', state: `the migration of ${ref.targetDatabase} still exists (${statusOfMigration(m)}): delete it again if it is still listed` };
      },
      check: `Check with "sqlmig migrate status" whether the migration of ${ref.targetDatabase} is still listed.`,
    });
  }

  async cancelMigration(ref: MigrationRef, migrationOperationId: string, o: LroOptions = {}): Promise<void> {
    await this.lro<void>(`cancel the migration of ${ref.targetDatabase}`, o, () =>
      this.client.pathUnchecked(`${MI_MIGRATION}/cancel`, ...this.miArgs(ref)).post({ body: { migrationOperationId }, abortSignal: o.signal }), {
      read: (signal) => this.readMigration(ref, signal),
      judge: (m) => {
        if (!m) return { kind: 'notApplied', state: `the migration of ${ref.targetDatabase} no longer exists` };
        const status = statusOfMigration(m);
        if (lower(status) === 'canceled' || lower(status) === 'cancelled') return { kind: 'done', value: undefined };
        // The service took the cancel: followed until Canceled, as the operation would have been (callers do not follow a cancel).
        if (lower(status) === 'canceling') return { kind: 'running', status };
        return { kind: 'notApplied', state: `the migration of ${ref.targetDatabase} is ${status}: the cancel did not take effect` };
      },
      check: `Check with "sqlmig migrate status" whether the migration of ${ref.targetDatabase} is Canceling before canceling it again.`,
    });
  }

  /** Cuts over; when the answer is lost, a migration now Completing or Succeeded took the cutover. */
  async cutoverMigration(ref: MigrationRef, migrationOperationId: string, o: LroOptions = {}): Promise<void> {
    await this.lro<void>(`complete the cutover of ${ref.targetDatabase}`, o, () =>
      this.client.pathUnchecked(`${MI_MIGRATION}/cutover`, ...this.miArgs(ref)).post({ body: { migrationOperationId }, abortSignal: o.signal }), {
      read: (signal) => this.readMigration(ref, signal),
      judge: (m) => {
        if (!m) return { kind: 'notApplied', state: `the migration of ${ref.targetDatabase} no longer exists` };
        const status = statusOfMigration(m);
        // Completing: the service took the cutover; callers follow the migration as they would after the operation.
        if (lower(status) === 'succeeded' || lower(status) === 'completing') return { kind: 'done', value: undefined };
        if (lower(status) === 'failed') {
          const f = m.properties?.migrationFailureError;
          return { kind: 'failed', code: f?.code ?? 'MigrationFailed', message: f?.message ?? 'the migration failed while completing the cutover' };
        }
        return { kind: 'notApplied', state: `the migration of ${ref.targetDatabase} is still ${status}: the cutover did not take effect` };
      },
      check: `Check with "sqlmig migrate status" whether the migration of ${ref.targetDatabase} is Completing or Succeeded before cutting over again.`,
    });
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

  private remember(...values: (string | undefined)[]): void {
    for (const v of values) if (v) this.secrets.add(v);
  }

  /** The AzureError to throw for `e`, with every secret the client knows (and the call's) cut out. */
  private fail(e: unknown, action: string, secrets: readonly string[] = []): Error {
    return toAzureError(e, action, [...this.secrets, ...secrets]);
  }

  /** A GET whose 404 is an answer (the resource is gone), not a failure. */
  private async readOrAbsent<T>(send: () => PromiseLike<HttpResponse>): Promise<T | undefined> {
    const res = await send();
    if (res.status === '404') return undefined;
    if (!/^2\d\d$/.test(res.status)) throw createRestError(res);
    return res.body as T;
  }

  private readService(ref: MigrationServiceRef, signal?: AbortSignal): Promise<SqlMigrationService | undefined> {
    return this.readOrAbsent(() => this.service(ref).get({ abortSignal: signal }));
  }

  private readMigration(ref: MigrationRef, signal?: AbortSignal): Promise<DatabaseMigrationSqlMi | undefined> {
    return this.readOrAbsent(() => this.migration(ref).get({ abortSignal: signal }));
  }

  /** A created resource is done once provisioned; until then it runs. */
  private provisioned<T>(resource: T, state: string | undefined, error?: string): Verdict<T> {
    const s = lower(state);
    if (s === '' || s === 'succeeded') return { kind: 'done', value: resource };
    if (s === 'failed' || s === 'canceled') return { kind: 'failed', code: 'ProvisioningFailed', message: error ?? `provisioning ended ${state}` };
    return { kind: 'running', status: state! };
  }

  private async call<T, R = unknown>(action: string, o: CallOptions, send: () => PromiseLike<HttpResponse>, recheck?: Recheck<R, T>): Promise<T> {
    try {
      o.signal?.throwIfAborted();
      const res = await send();
      if (!/^2\d\d$/.test(res.status)) throw createRestError(res);
      return res.body as T;
    } catch (e) {
      if (recheck && isAmbiguousFailure(e)) return this.recheck(action, o, e, recheck);
      throw this.fail(e, action, o.secrets);
    }
  }

  private async pages<T>(action: string, o: CallOptions & { onPage?: (page: T[]) => void }, first: () => PromiseLike<HttpResponse>): Promise<T[]> {
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
        o.onPage?.(body.value ?? []);
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
      throw this.fail(e, action, o.secrets);
    }
  }

  /**
   * Sends the initial request and polls Azure-AsyncOperation (or Location) until the operation
   * ends; a Failed or Canceled operation rejects with the service's own code and message. When
   * an answer is lost on the way (the request's or a poll's), `recheck` finds out what happened.
   */
  private async lro<T>(action: string, o: LroOptions, send: () => PromiseLike<HttpResponse>, recheck: Recheck<any, T>): Promise<T> {
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
      return result as T;
    } catch (e) {
      if (isAmbiguousFailure(e)) return this.recheck(action, o, e, recheck);
      throw this.fail(e, action, o.secrets);
    }
  }

  /**
   * The answer to a change was lost after the request went out: reads the resource until it
   * shows the change done, ended, or (after NOT_APPLIED_READS reads) not there. Only then is the
   * original error reported, with what the resource shows.
   */
  private async recheck<R, T>(action: string, o: LroOptions, lost: unknown, recheck: Recheck<R, T>): Promise<T> {
    const original = this.fail(lost, action, o.secrets);
    if (!(original instanceof AzureError)) throw original;
    const longest = o.pollIntervalMs ?? this.pollIntervalMs;
    let notApplied = 0;
    for (let wait = Math.min(FIRST_POLL_MS, longest); ; wait = Math.min(wait * 2, longest)) {
      let read: R | undefined;
      try {
        o.signal?.throwIfAborted();
        read = await recheck.read(o.signal);
      } catch (e) {
        if ((e as Error).name === 'AbortError') throw e;
        const again = this.fail(e, action, o.secrets);
        throw this.fail(new AzureError({
          action,
          code: 'OutcomeUnknown',
          serviceMessage: `the answer was lost (${errorText(original)}) and reading it again failed too (${again instanceof AzureError ? errorText(again) : again.message}): it may or may not have taken effect`,
          hint: recheck.check,
        }), action, o.secrets);
      }
      const verdict = recheck.judge(read);
      switch (verdict.kind) {
        case 'done':
          return verdict.value;
        case 'failed': {
          const hint = hintFor(verdict.code);
          throw this.fail(new AzureError({ action, code: verdict.code, serviceMessage: verdict.message, ...(hint && { hint }) }), action, o.secrets);
        }
        case 'running':
          o.onPoll?.(verdict.status);
          break;
        case 'notApplied':
          if (++notApplied >= NOT_APPLIED_READS) {
            throw this.fail(new AzureError({
              action,
              code: original.code,
              serviceMessage: original.serviceMessage,
              ...(original.statusCode !== undefined && { statusCode: original.statusCode }),
              hint: [original.hint, `Read again, ${verdict.state}.`].filter(Boolean).join('\n'),
            }), action, o.secrets);
          }
          break;
      }
      await sleep(wait, undefined, o.signal ? { signal: o.signal } : {});
    }
  }
}

/** "ECONNRESET: socket hang up" or "ServiceUnavailable (HTTP 503): ...", for a sentence. */
function errorText(e: AzureError): string {
  return `${e.code}${e.statusCode ? ` (HTTP ${e.statusCode})` : ''}: ${e.serviceMessage}`;
}
