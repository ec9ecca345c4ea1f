/**
 * One simulated database migration to a managed instance, as the migration service runs it:
 * validate the source and target, then restore on the shared engine (restoreEngine.ts: list the
 * backup container, or the container the integration runtime uploads a share into; read each
 * new backup's header; plan; restore one backup set at a time on the simulated clock). Online
 * migrations wait for cutover; offline ones complete after the last backup. Everything a GET
 * shows is derived from here.
 */
import type { ContainerClient } from '@azure/storage-blob';
import type { LongRunningOperation } from '../arm/longRunning';
import type { ManagedInstanceRec, ServiceRec, StorageAccountRec } from '../arm/world';
import type { FileReport } from '../ir/protocol';
import { RestoreEngine } from './restoreEngine';
import type { BackupFile, FileStatus, MigrationHost, MigrationSecrets, SourceKind } from './types';

/** What the integration runtime last said about a file of the share it has not finished uploading. */
export type ShareFileReport = FileReport;

export interface MigrationInit {
  id: string;
  name: string;
  mi: ManagedInstanceRec;
  service: ServiceRec;
  operationId: string;
  /** The request's properties without secrets (echoed in responses). */
  request: Record<string, unknown>;
  secrets: MigrationSecrets;
  sourceKind: SourceKind;
  offline: boolean;
  lastBackupName?: string;
  sourceDatabaseName: string;
  /** Blob source: the account and `container[/folder]`; share source: the target account. */
  account?: StorageAccountRec;
  containerPath?: string;
  sharePath?: string;
}

const TERMINAL = new Set(['Succeeded', 'Failed', 'Canceled']);

/** The service's message when the instance has no managed identity to read storage with. */
export const MANAGED_IDENTITY_MISSING = { code: 'ManagedIdentityIssueDetectedFromTheStart', message: 'Managed identity is not set up properly. Please verify and try again.' };

export class Migration extends RestoreEngine {
  readonly id: string;
  readonly name: string;
  readonly mi: ManagedInstanceRec;
  readonly service: ServiceRec;
  readonly request: Record<string, unknown>;
  readonly secrets: MigrationSecrets;
  readonly sourceKind: SourceKind;
  readonly account?: StorageAccountRec;
  readonly sharePath?: string;

  operationId: string;
  provisioningState = 'Provisioning';
  migrationStatus = 'Creating';
  startedOn: string;
  endedOn?: string;
  failure?: { code: string; message: string };
  provisioningError?: string;

  shareFiles = new Map<string, ShareFileReport>();
  fileUploadBlockingErrors: string[] = [];
  completeRestoreErrorMessage?: string;
  /** Answers of earlier operations on this target, for GET ?migrationOperationId=. */
  readonly history = new Map<string, unknown>();

  constructor(host: MigrationHost, init: MigrationInit) {
    const [container, ...folder] = (init.containerPath ?? '').split('/');
    super(host, {
      sourceDatabaseName: init.sourceDatabaseName,
      offline: init.offline,
      ...(init.lastBackupName && { lastBackupName: init.lastBackupName }),
      // The runtime uploads a share into a container of the target account named after the operation.
      container: init.sourceKind === 'AzureBlob' ? container! : `migration-${init.operationId.toLowerCase()}`,
      prefix: init.sourceKind === 'AzureBlob' ? folder.filter(Boolean).map((f) => `${f}/`).join('') : '',
    });
    this.id = init.id;
    this.name = init.name;
    this.mi = init.mi;
    this.service = init.service;
    this.request = init.request;
    this.secrets = init.secrets;
    this.sourceKind = init.sourceKind;
    if (init.account) this.account = init.account;
    if (init.sharePath) this.sharePath = init.sharePath;
    this.operationId = init.operationId;
    this.startedOn = host.clock.date().toISOString();
  }

  override get terminal(): boolean {
    return TERMINAL.has(this.migrationStatus);
  }

  /** Provisioning, then the scan-and-restore loop; `op` is the PUT's operation. */
  start(op: LongRunningOperation): void {
    this.loop(op).catch(() => undefined);
  }

  protected override initialStatus(): FileStatus {
    return this.sourceKind === 'FileShare' ? 'Uploaded' : 'Arrived';
  }

  protected override describeNewFile(f: BackupFile): void {
    if (this.sourceKind !== 'FileShare') return;
    const r = this.shareFiles.get(f.name);
    Object.assign(f, { dataRead: f.size, dataWritten: f.size, copyThroughput: r?.copyThroughput ?? 0, copyDuration: r?.copyDuration ?? 0 });
  }

  /** A share without a named last backup: done only when everything in the share is uploaded. */
  protected override stillArriving(): boolean {
    return [...this.shareFiles.values()].some((f) => f.status !== 'Uploaded' && !this.files.has(f.name));
  }

  private async loop(op: LongRunningOperation): Promise<void> {
    await this.sleep(this.host.timings.migrationProvisionSeconds + this.host.faults.slowOperationsMs / 1000);
    const problem = await this.validate();
    if (problem) {
      this.provisioningState = 'Failed';
      this.provisioningError = problem.message;
      this.fail(problem.code, problem.message);
      this.host.longRunning.fail(op, problem.code, problem.message);
      return;
    }
    this.provisioningState = 'Succeeded';
    this.migrationStatus = 'InProgress';
    this.changed();
    this.host.longRunning.succeed(op);
    for (;;) {
      await this.scan();
      const next = this.nextStep();
      if (next) {
        await this.restoreStep(next);
        if (this.terminal) return;
        continue;
      }
      if (this.offline && this.offlineDone()) {
        await this.complete();
        return;
      }
      this.updateStatus();
      // Spread over +-20% so that migrations started together do not all scan at once.
      await this.sleep(this.host.timings.scanIntervalSeconds * (0.8 + 0.4 * Math.random()));
    }
  }

  protected override containerClient(): ContainerClient {
    return this.host.blobService(this.account!).getContainerClient(this.container);
  }

  /**
   * What the real service checks before it starts: the storage account, its key (or, with
   * authType ManagedIdentity, that the instance has an identity: it then reads with it, which the
   * sandbox does with the account key) and the container.
   */
  private async validate(): Promise<{ code: string; message: string } | undefined> {
    if (!this.account) {
      const which = this.sourceKind === 'AzureBlob' ? 'source' : 'target';
      return { code: 'StorageAccountNotFound', message: `The ${which} storage account was not found: check storageAccountResourceId.` };
    }
    const key = this.sourceKind === 'AzureBlob' ? this.secrets.sourceAccountKey : this.secrets.targetAccountKey;
    const identity = this.sourceKind === 'AzureBlob' && (this.request.backupConfiguration as { sourceLocation?: { azureBlob?: { authType?: string } } } | undefined)?.sourceLocation?.azureBlob?.authType === 'ManagedIdentity';
    if (identity && !this.mi.identity) return MANAGED_IDENTITY_MISSING;
    if (!identity && key !== this.account.key1 && key !== this.account.key2) {
      return { code: 'StorageAuthenticationFailed', message: `Authentication to storage account '${this.account.name}' failed: the account key is not valid.` };
    }
    if (this.sourceKind === 'FileShare') return undefined;
    try {
      if (!(await this.containerClient().exists())) {
        return { code: 'ContainerNotFound', message: `The blob container '${this.container}' does not exist in storage account '${this.account.name}'.` };
      }
    } catch (e) {
      return { code: 'StorageAccessFailed', message: `Could not reach storage account '${this.account.name}': ${(e as Error).message}` };
    }
    return undefined;
  }

  /** InProgress while anything is left to restore; ReadyForCutover once the newest log present is restored. */
  protected override updateStatus(): void {
    if (this.terminal || this.migrationStatus === 'Completing' || this.migrationStatus === 'Canceling') return;
    const ready = !this.offline && this.restored.length > 0 && !this.current && !this.blockingReason && this.pendingSteps().length === 0;
    this.migrationStatus = ready ? 'ReadyForCutover' : 'InProgress';
    this.changed();
  }

  /** Why a cutover cannot start now, or undefined when it can. */
  cutoverRefusal(): string | undefined {
    if (this.offline) return 'Cutover applies to online migrations only: an offline migration completes by itself after its last backup.';
    if (this.restored.length === 0) return 'The full backup has not been restored yet.';
    if (this.blockingReason) return `The restore is blocked: ${this.blockingReason}`;
    const pending = this.pendingLogBackupsCount();
    if (pending > 0 || this.current) {
      return `${pending || 1} log backup${pending > 1 ? 's are' : ' is'} still pending restore; wait until every log backup is restored.`;
    }
    if (this.pendingSteps().length > 0) return 'Backups are still pending restore.';
    return undefined;
  }

  /** Completing, then Succeeded with the database online on the instance. */
  async cutover(op: LongRunningOperation): Promise<void> {
    this.run.abort();
    this.migrationStatus = 'Completing';
    this.changed();
    await this.host.clock.sleep(this.host.timings.cutoverSeconds * 1000 + this.host.faults.slowOperationsMs, this.host.signal).catch(() => undefined);
    if (this.host.signal.aborted) return;
    this.finishSucceeded();
    this.host.longRunning.succeed(op);
  }

  private async complete(): Promise<void> {
    this.migrationStatus = 'Completing';
    this.changed();
    await this.sleep(this.host.timings.cutoverSeconds);
    this.finishSucceeded();
  }

  private finishSucceeded(): void {
    this.migrationStatus = 'Succeeded';
    this.endedOn = this.host.clock.date().toISOString();
    this.mi.databases.set(this.name, { name: this.name, status: 'Online', collation: (this.request.targetDatabaseCollation as string) ?? this.mi.collation, creationDate: this.endedOn });
    this.changed();
  }

  /** Canceling, then Canceled; files not restored are marked Canceled. */
  async cancel(op: LongRunningOperation): Promise<void> {
    this.run.abort();
    this.migrationStatus = 'Canceling';
    this.changed();
    await this.host.clock.sleep(this.host.timings.cancelSeconds * 1000 + this.host.faults.slowOperationsMs, this.host.signal).catch(() => undefined);
    if (this.host.signal.aborted) return;
    for (const f of this.files.values()) if (f.status !== 'Restored' && f.status !== 'Ignored') f.status = 'Canceled';
    this.current = undefined;
    this.migrationStatus = 'Canceled';
    this.endedOn = this.host.clock.date().toISOString();
    this.changed();
    this.host.longRunning.succeed(op);
  }

  protected override fail(code: string, message: string): void {
    this.run.abort();
    this.failure = { code, message };
    this.migrationStatus = 'Failed';
    this.endedOn = this.host.clock.date().toISOString();
    this.changed();
  }

  /** The runtime's report on the share: files it saw and uploaded, and what keeps it from uploading. */
  reportShare(files: ShareFileReport[], errors: string[]): void {
    for (const f of files) this.shareFiles.set(f.name, f);
    this.fileUploadBlockingErrors = errors;
    this.changed();
  }
}
