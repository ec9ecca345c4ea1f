/**
 * A typed client for the Database Migration Service (Microsoft.DataMigration, api-version
 * 2025-09-01-preview): every SqlMigrationServices and DatabaseMigrationsSqlMi operation.
 *
 * Built on the shared ARM REST plumbing (armRest.ts; the registry has no SDK for this API):
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
import { ArmRestClient, errorText, type ArmCallOptions, type ArmLroOptions, type ArmRestClientOptions, type Verdict } from '../armRest';
import type { AzureContext } from '../context';
import { AzureError } from '../errors';
import { isAmbiguousFailure } from '../retry';
import {
  DMS_API_VERSION,
  type AuthKeyName,
  type AuthenticationKeys,
  type DatabaseMigration,
  type DatabaseMigrationSqlMi,
  type DeleteNode,
  type IntegrationRuntimeMonitoringData,
  type RegenAuthKeys,
  type SqlMigrationService,
} from './models';

export { migrationIdOf, migrationRefFromId, serviceIdOf, serviceRefFromId, type MigrationRef, type MigrationServiceRef } from './refs';
import type { MigrationRef, MigrationServiceRef } from './refs';

/** A call's options: its AbortSignal and the secrets it carries (see ArmCallOptions). */
export type CallOptions = ArmCallOptions;
/** A long-running operation's options: poll interval and onPoll too (see ArmLroOptions). */
export type LroOptions = ArmLroOptions;
/** Poll interval, page limit and the client's own secrets (see ArmRestClientOptions). */
export type DmsClientOptions = ArmRestClientOptions;

const lower = (s: string | undefined) => (s ?? '').toLowerCase();
const statusOfMigration = (m: DatabaseMigrationSqlMi) => m.properties?.migrationStatus ?? m.properties?.provisioningState ?? 'unknown';
const sameTags = (a: Record<string, string> | undefined, b: Record<string, string>) =>
  Object.keys(a ?? {}).length === Object.keys(b).length && Object.entries(b).every(([k, v]) => a?.[k] === v);

const SMS = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.DataMigration/sqlMigrationServices/{sqlMigrationServiceName}';
const SMS_BY_RG = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.DataMigration/sqlMigrationServices';
const SMS_BY_SUB = '/subscriptions/{subscriptionId}/providers/Microsoft.DataMigration/sqlMigrationServices';
const MI_MIGRATION =
  '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Sql/managedInstances/{managedInstanceName}/providers/Microsoft.DataMigration/databaseMigrations/{targetDbName}';

export class DmsClient extends ArmRestClient {
  constructor(ctx: AzureContext, options: DmsClientOptions = {}) {
    super(ctx, DMS_API_VERSION, options);
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
      const keys = await this.request<RegenAuthKeys>(o, () =>
        this.client.pathUnchecked(`${SMS}/regenerateAuthKeys`, ref.subscriptionId, ref.resourceGroup, ref.name).post({ body: { keyName }, abortSignal: o.signal }));
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
}
