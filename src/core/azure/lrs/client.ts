/**
 * A typed client for the Log Replay Service (LRS): the Microsoft.Sql managed-database operations
 * that restore backups from a blob container straight into a managed instance, with no
 * migration service and no integration runtime (api-version 2025-01-01):
 *
 *   start     PUT  .../managedInstances/MI/databases/DB  {createMode: RestoreExternalBackup, ...}
 *   details   GET  .../databases/DB/restoreDetails/Default
 *   complete  POST .../databases/DB/completeRestore  {lastBackupName}
 *   stop      DELETE .../databases/DB  (the database being restored goes with it)
 *
 * Built on the shared ARM REST plumbing (armRest.ts): long-running operations, paging, retries
 * that never repeat a change on a doubt (a lost answer is found out by reading the database),
 * and the SAS token cut out of every error. `@azure/arm-sql` covers these operations only at
 * 2022-05-01-preview, reports a failed operation without its code and follows polling URLs
 * wherever they point; this client does neither.
 */
import type { AzureContext } from '../context';
import { ArmRestClient, type ArmCallOptions, type ArmLroOptions, type ArmRestClientOptions } from '../armRest';
import { LRS_API_VERSION, type InstanceRef, type ManagedDatabase, type ManagedDatabaseRestoreDetails, type RestoreRef, type StorageContainerIdentity } from './models';

export { managedDatabaseIdOf, restoreRefFromId, type InstanceRef, type RestoreRef } from './models';

const MI = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Sql/managedInstances/{managedInstanceName}';
const MD = `${MI}/databases/{databaseName}`;

/** What starting a restore sends (the SAS token is a secret: it is cut out of errors and never returned). */
export interface RestoreRequest {
  /** The instance's region. */
  location: string;
  collation: string;
  /** https://ACCOUNT.blob.core.windows.net/CONTAINER/FOLDER */
  storageContainerUri: string;
  identity: StorageContainerIdentity;
  /** Required with SharedAccessSignature: Read and List on the container. */
  sasToken?: string;
  /** Autocomplete: restores up to this file, then brings the database online. Without it the restore is continuous. */
  lastBackupName?: string;
  tags?: Record<string, string>;
}

const lower = (s: string | undefined) => (s ?? '').toLowerCase();
const subsetTags = (have: Record<string, string> | undefined, want: Record<string, string> | undefined) =>
  Object.entries(want ?? {}).every(([k, v]) => Object.entries(have ?? {}).some(([hk, hv]) => hk.toLowerCase() === k.toLowerCase() && hv === v));

export class LrsClient extends ArmRestClient {
  constructor(ctx: AzureContext, options: ArmRestClientOptions = {}) {
    super(ctx, LRS_API_VERSION, options);
  }

  private database(ref: RestoreRef) {
    return this.client.pathUnchecked(MD, ref.subscriptionId, ref.resourceGroup, ref.managedInstance, ref.targetDatabase);
  }

  /** The body of a start, as the service takes it. */
  static body(req: RestoreRequest): ManagedDatabase {
    return {
      location: req.location,
      ...(req.tags && { tags: req.tags }),
      properties: {
        createMode: 'RestoreExternalBackup',
        collation: req.collation,
        storageContainerUri: req.storageContainerUri,
        storageContainerIdentity: req.identity,
        ...(req.identity === 'SharedAccessSignature' && req.sasToken && { storageContainerSasToken: req.sasToken }),
        autoCompleteRestore: req.lastBackupName !== undefined,
        ...(req.lastBackupName !== undefined && { lastBackupName: req.lastBackupName }),
      },
    };
  }

  /**
   * Starts a restore: the database appears Restoring and the service reads the container. When
   * the answer is lost, a database of that name carrying this request's tags is this restore.
   */
  startRestore(ref: RestoreRef, req: RestoreRequest, o: ArmLroOptions = {}): Promise<ManagedDatabase> {
    const secrets = [...(o.secrets ?? []), ...(req.sasToken ? [req.sasToken] : [])];
    const body = LrsClient.body(req);
    return this.lro<ManagedDatabase>(`start the restore of ${ref.targetDatabase} with the Log Replay Service`, { ...o, secrets }, () => this.database(ref).put({ body, abortSignal: o.signal }), {
      read: (signal) => this.readDatabase(ref, { ...(signal && { signal }) }),
      judge: (db) => {
        if (!db) return { kind: 'notApplied', state: `no database ${ref.targetDatabase} exists on ${ref.managedInstance}: the restore was not started` };
        const status = db.properties?.status ?? 'unknown';
        if (!subsetTags(db.tags, req.tags)) return { kind: 'notApplied', state: `a database ${ref.targetDatabase} exists (${status}) but it is not the restore this request starts` };
        if (lower(status) === 'creating') return { kind: 'running', status };
        if (lower(status) === 'restoring') return { kind: 'done', value: db };
        return { kind: 'notApplied', state: `database ${ref.targetDatabase} is ${status}, not restoring` };
      },
      check: `Check with "sqlmig log-replay status" whether ${ref.targetDatabase} is restoring before starting it again.`,
    });
  }

  getDatabase(ref: RestoreRef, o: ArmCallOptions = {}): Promise<ManagedDatabase> {
    return this.call(`read database ${ref.targetDatabase} of ${ref.managedInstance}`, o, () => this.database(ref).get({ abortSignal: o.signal }));
  }

  /** The database, or undefined when there is none (a stopped restore). */
  async readDatabase(ref: RestoreRef, o: ArmCallOptions = {}): Promise<ManagedDatabase | undefined> {
    try {
      return await this.readOrAbsent<ManagedDatabase>(() => this.database(ref).get({ abortSignal: o.signal }));
    } catch (e) {
      throw this.fail(e, `read database ${ref.targetDatabase} of ${ref.managedInstance}`, o.secrets);
    }
  }

  /** Every database of an instance (all pages): one call per page, the cheapest way to see many restores. */
  listDatabases(instance: InstanceRef, o: ArmCallOptions & { onPage?: (page: ManagedDatabase[]) => void } = {}): Promise<ManagedDatabase[]> {
    return this.pages(`list the databases of ${instance.managedInstance}`, o, () =>
      this.client.pathUnchecked(`${MI}/databases`, instance.subscriptionId, instance.resourceGroup, instance.managedInstance).get({ abortSignal: o.signal }));
  }

  /** What the restore has done: its status, every backup set it found, the files it cannot restore. */
  getRestoreDetails(ref: RestoreRef, o: ArmCallOptions = {}): Promise<ManagedDatabaseRestoreDetails> {
    return this.call(`read the restore details of ${ref.targetDatabase}`, o, () =>
      this.client.pathUnchecked(`${MD}/restoreDetails/{restoreDetailsName}`, ref.subscriptionId, ref.resourceGroup, ref.managedInstance, ref.targetDatabase, 'Default').get({ abortSignal: o.signal }));
  }

  /**
   * Completes a continuous restore: `lastBackupName` must be the last file restored. When the
   * answer is lost, a database Online (or a restore Completing) took it.
   */
  async completeRestore(ref: RestoreRef, lastBackupName: string, o: ArmLroOptions = {}): Promise<void> {
    await this.lro<void>(`complete the restore of ${ref.targetDatabase}`, o, () =>
      this.client.pathUnchecked(`${MD}/completeRestore`, ref.subscriptionId, ref.resourceGroup, ref.managedInstance, ref.targetDatabase).post({ body: { lastBackupName }, abortSignal: o.signal }), {
      read: async (signal) => {
        const db = await this.readDatabase(ref, { ...(signal && { signal }) });
        if (!db || lower(db.properties?.status) === 'online') return db && { db };
        return { db, details: await this.getRestoreDetails(ref, { ...(signal && { signal }) }) };
      },
      judge: (read: { db?: ManagedDatabase; details?: ManagedDatabaseRestoreDetails } | undefined) => {
        if (!read?.db) return { kind: 'notApplied', state: `database ${ref.targetDatabase} no longer exists` };
        if (lower(read.db.properties?.status) === 'online') return { kind: 'done', value: undefined };
        const status = read.details?.properties?.status ?? 'unknown';
        if (lower(status).startsWith('complet')) return { kind: 'done', value: undefined };
        if (lower(status) === 'failed') return { kind: 'failed', code: 'RestoreFailed', message: read.details?.properties?.blockReason ?? 'the restore failed while completing' };
        return { kind: 'notApplied', state: `the restore of ${ref.targetDatabase} is still ${status}: the completion did not take effect` };
      },
      check: `Check with "sqlmig log-replay status" whether ${ref.targetDatabase} is completing or online before completing it again.`,
    });
  }

  /** Stops a restore: the database being restored is deleted. Callers check it is restoring first. */
  async stopRestore(ref: RestoreRef, o: ArmLroOptions = {}): Promise<void> {
    await this.lro<void>(`stop the restore of ${ref.targetDatabase}`, o, () => this.database(ref).delete({ abortSignal: o.signal }), {
      read: (signal) => this.readDatabase(ref, { ...(signal && { signal }) }),
      judge: (db) => {
        if (!db) return { kind: 'done', value: undefined };
        const status = db.properties?.status ?? 'unknown';
        if (['stopping', 'deleting', 'dropping'].includes(lower(status))) return { kind: 'running', status };
        return { kind: 'notApplied', state: `database ${ref.targetDatabase} still exists (${status}): stop it again if it is still listed` };
      },
      check: `Check with "sqlmig log-replay status" whether ${ref.targetDatabase} still exists.`,
    });
  }
}
