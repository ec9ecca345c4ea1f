/**
 * One simulated database migration to a managed instance, as the migration service runs it:
 * validate the source and target, then on every scan list the backup container (or the
 * container the integration runtime uploads a share into), read each new backup's header with
 * the backup engine over ranged blob reads, plan the restore with the engine's planner, and
 * restore one backup set at a time on the simulated clock. Online migrations wait for cutover;
 * offline ones complete after the last backup. Everything a GET shows is derived from here.
 */
import { basename } from 'node:path';
import type { ContainerClient } from '@azure/storage-blob';
import { BlobSource } from '../../src/core/azure/blobSource';
import { isRestorable, mapBounded, planRestores, readBackup, type ChainAnchor, type DatabasePlan, type PlanStep } from '../../src/core/backup';
import type { LongRunningOperation } from '../arm/longRunning';
import type { ManagedInstanceRec, ServiceRec, StorageAccountRec } from '../arm/world';
import type { FileReport } from '../ir/protocol';
import type { BackupFile, MigrationHost, MigrationSecrets, SourceKind } from './types';

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

export class Migration {
  readonly id: string;
  readonly name: string;
  readonly mi: ManagedInstanceRec;
  readonly service: ServiceRec;
  readonly request: Record<string, unknown>;
  readonly secrets: MigrationSecrets;
  readonly sourceKind: SourceKind;
  readonly offline: boolean;
  readonly lastBackupName?: string;
  readonly sourceDatabaseName: string;
  readonly account?: StorageAccountRec;
  readonly sharePath?: string;

  operationId: string;
  provisioningState = 'Provisioning';
  migrationStatus = 'Creating';
  startedOn: string;
  endedOn?: string;
  failure?: { code: string; message: string };
  provisioningError?: string;

  /** Container and folder prefix the restore reads from. */
  container = '';
  prefix = '';
  readonly files = new Map<string, BackupFile>();
  shareFiles = new Map<string, ShareFileReport>();
  fileUploadBlockingErrors: string[] = [];
  plan?: DatabasePlan;
  restored: PlanStep[] = [];
  /** The database (family GUID) whose chain the restore follows, once it has begun. */
  private restoredFamily?: string;
  current?: PlanStep;
  blockingReason?: string;
  completeRestoreErrorMessage?: string;
  /** Answers of earlier operations on this target, for GET ?migrationOperationId=. */
  readonly history = new Map<string, unknown>();
  /** Bumped whenever something a GET shows changes. */
  version = 0;

  private readonly run = new AbortController();
  private lastBlobCount = -1;

  constructor(
    private readonly host: MigrationHost,
    init: MigrationInit,
  ) {
    this.id = init.id;
    this.name = init.name;
    this.mi = init.mi;
    this.service = init.service;
    this.request = init.request;
    this.secrets = init.secrets;
    this.sourceKind = init.sourceKind;
    this.offline = init.offline;
    if (init.lastBackupName) this.lastBackupName = init.lastBackupName;
    this.sourceDatabaseName = init.sourceDatabaseName;
    if (init.account) this.account = init.account;
    if (init.sharePath) this.sharePath = init.sharePath;
    this.operationId = init.operationId;
    // One listener per migration; a combined signal per sleep would pile listeners on the sandbox's.
    host.signal.addEventListener('abort', () => this.run.abort(), { once: true });
    this.startedOn = host.clock.date().toISOString();
    if (init.sourceKind === 'AzureBlob') {
      const [container, ...folder] = (init.containerPath ?? '').split('/');
      this.container = container!;
      this.prefix = folder.filter(Boolean).map((f) => `${f}/`).join('');
    } else {
      // The runtime uploads the share into a container of the target account named after the operation.
      this.container = `migration-${init.operationId.toLowerCase()}`;
    }
  }

  get terminal(): boolean {
    return TERMINAL.has(this.migrationStatus);
  }

  /** Provisioning, then the scan-and-restore loop; `op` is the PUT's operation. */
  start(op: LongRunningOperation): void {
    this.loop(op).catch(() => undefined);
  }

  private changed(): void {
    this.version++;
  }

  private sleep(seconds: number): Promise<void> {
    return this.host.clock.sleep(seconds * 1000, this.run.signal);
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

  private containerClient(): ContainerClient {
    return this.host.blobService(this.account!).getContainerClient(this.container);
  }

  /** What the real service checks before it starts: the storage account, its key and the container. */
  private async validate(): Promise<{ code: string; message: string } | undefined> {
    if (!this.account) {
      const which = this.sourceKind === 'AzureBlob' ? 'source' : 'target';
      return { code: 'StorageAccountNotFound', message: `The ${which} storage account was not found: check storageAccountResourceId.` };
    }
    const key = this.sourceKind === 'AzureBlob' ? this.secrets.sourceAccountKey : this.secrets.targetAccountKey;
    const identity = this.sourceKind === 'AzureBlob' && this.request.backupConfiguration && JSON.stringify(this.request.backupConfiguration).includes('"ManagedIdentity"');
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

  /** Lists the backup location and reads the header of every new or changed backup. */
  private async scan(): Promise<void> {
    const listed: { name: string; size: number; etag?: string }[] = [];
    try {
      for await (const item of this.containerClient().listBlobsByHierarchy('/', { prefix: this.prefix })) {
        if (item.kind === 'blob') listed.push({ name: item.name.slice(this.prefix.length), size: item.properties.contentLength ?? 0, etag: item.properties.etag });
      }
    } catch (e) {
      // A share's container appears with the first upload; otherwise try again next scan.
      if ((e as { statusCode?: number }).statusCode !== 404) this.blockingReason = `Cannot list the backup container '${this.container}': ${(e as Error).message}`;
      return;
    }
    let fresh = listed.length !== this.lastBlobCount;
    this.lastBlobCount = listed.length;
    const toRead: BackupFile[] = [];
    for (const b of listed) {
      let f = this.files.get(b.name);
      if (!f) {
        f = { name: b.name, size: b.size, status: this.sourceKind === 'FileShare' ? 'Uploaded' : 'Arrived', dataRead: 0, dataWritten: 0, copyThroughput: 0, copyDuration: 0 };
        if (this.sourceKind === 'FileShare') {
          const r = this.shareFiles.get(b.name);
          Object.assign(f, { dataRead: b.size, dataWritten: b.size, copyThroughput: r?.copyThroughput ?? 0, copyDuration: r?.copyDuration ?? 0 });
        }
        this.files.set(b.name, f);
        fresh = true;
      } else if (f.etag !== b.etag && f.status !== 'Restored' && f.status !== 'Restoring') {
        // Replaced (a re-upload): read it again.
        delete f.reading;
        f.size = b.size;
        fresh = true;
      }
      f.etag = b.etag;
      if (!f.reading) toRead.push(f);
    }
    await mapBounded(toRead, 4, async (f) => {
      const source = await BlobSource.open(this.containerClient().getBlobClient(this.prefix + f.name), { size: f.size, ...(f.etag && { etag: f.etag }) }, { abortSignal: this.run.signal });
      const reading = await readBackup(source);
      // A read that failed for a network reason is tried again on the next scan.
      if (reading.verdict !== 'unreadable') f.reading = { ...reading, path: `${this.container}/${this.prefix}${f.name}` };
    });
    if (fresh || toRead.length) this.replan();
  }

  private byPath(path: string): BackupFile | undefined {
    return this.files.get(path.slice(this.container.length + 1 + this.prefix.length));
  }

  /**
   * Plans with the backup engine. Once a backup is restored the restore continues from the
   * database's current LSN on the full it started from, as the real service does: a newer full
   * is ignored, and a log the chain needs that never arrives leaves the restore waiting.
   */
  private replan(): void {
    const readings = [...this.files.values()].filter((f) => f.reading).map((f) => f.reading!);
    const full = this.restored[0];
    const anchor: ChainAnchor | undefined =
      full && this.restoredFamily ? { familyGuid: this.restoredFamily, fullBackupSetId: full.backupSetId, reachedLsn: this.restoredLsn()!, where: 'the restore' } : undefined;
    const databases = new Set(readings.filter(isRestorable).map((r) => r.header.databaseName.toLowerCase()));
    this.blockingReason = undefined;
    if (databases.size > 1) {
      // As the real service does: backups of several databases in one location hang the restore.
      const names = [...new Set(readings.filter(isRestorable).map((r) => r.header.databaseName))].sort();
      this.blockingReason =
        `The backup location ${this.container}/${this.prefix} holds backups of ${names.length} databases (${names.join(', ')}). ` +
        'The restore cannot continue: give each database its own container or folder.';
    }
    const plans = planRestores(readings, { database: this.sourceDatabaseName, mode: this.offline ? 'offline' : 'online', ...(anchor && { continueChain: anchor }) });
    const plan = (anchor && plans.find((p) => p.familyGuid === anchor.familyGuid)) || plans.find((p) => p.plan.length > 0) || plans[0];
    this.plan = plan;
    const inPlan = new Set(plan?.plan.flatMap((s) => s.files) ?? []);
    const ignored = new Map((plan?.ignored ?? []).map((i) => [i.path, i.reason]));
    for (const f of this.files.values()) {
      if (f.status === 'Restored' || f.status === 'Restoring' || !f.reading) continue;
      const reason = ignored.get(f.reading.path);
      if (!inPlan.has(f.reading.path) && reason) {
        f.status = 'Ignored';
        f.ignoreReason = reason;
      } else {
        f.status = this.sourceKind === 'FileShare' ? 'Uploaded' : 'Arrived';
        delete f.ignoreReason;
      }
    }
    if (!this.blockingReason && plan && plan.problems.length && [...this.files.values()].some((f) => f.reading)) {
      this.blockingReason = plan.problems.join('; ');
    }
    if (!this.blockingReason && this.offline && this.lastBackupName && plan) {
      const last = this.findLastBackup();
      if (last && !last.inPlan) this.blockingReason = `The last backup file '${this.lastBackupName}' cannot be restored: ${last.file.ignoreReason ?? 'it is not part of the restore plan'}`;
    }
    this.changed();
  }

  private findLastBackup(): { file: BackupFile; inPlan: boolean } | undefined {
    const want = this.lastBackupName!.toLowerCase();
    const file = [...this.files.values()].find((f) => f.name.toLowerCase() === want || basename(f.name).toLowerCase() === want);
    if (!file) return undefined;
    // Restored counts as planned: a continued plan lists only what is still to restore.
    const inPlan = file.status === 'Restored' || (!!file.reading && !!this.plan?.plan.some((s) => s.files.includes(file.reading!.path)));
    return { file, inPlan };
  }

  private restoredLsn(): bigint | undefined {
    return this.restored.length ? this.restored[this.restored.length - 1]!.lastLsn : undefined;
  }

  /** Plan steps still to restore (a set whose log records are already restored is passed over). */
  pendingSteps(): PlanStep[] {
    if (!this.plan || this.blockingReason) return [];
    const done = new Set(this.restored.map((s) => s.backupSetId));
    const at = this.restoredLsn();
    let steps = this.plan.plan.filter((s) => !done.has(s.backupSetId) && (at === undefined || s.lastLsn > at));
    if (this.offline && this.lastBackupName) {
      const last = this.findLastBackup();
      if (!last?.inPlan) return [];
      const k = steps.findIndex((s) => s.files.includes(last.file.reading!.path));
      steps = k < 0 ? [] : steps.slice(0, k + 1);
    }
    return steps;
  }

  private nextStep(): PlanStep | undefined {
    return this.pendingSteps()[0];
  }

  private filesOf(step: PlanStep): BackupFile[] {
    return step.files.map((p) => this.byPath(p)).filter((f): f is BackupFile => !!f);
  }

  private async restoreStep(step: PlanStep): Promise<void> {
    const files = this.filesOf(step);
    const bytes = files.reduce((n, f) => n + f.size, 0);
    this.current = step;
    for (const f of files) f.status = 'Restoring';
    this.updateStatus();
    const seconds = this.host.timings.restoreBaseSeconds + bytes / (this.host.timings.restoreMBps * 1024 * 1024);
    const failure = this.host.restoreFailures.find((x) => files.some((f) => basename(f.name).toLowerCase() === basename(x.fileName).toLowerCase()));
    if (failure) {
      await this.sleep(seconds / 2);
      const file = files.find((f) => basename(f.name).toLowerCase() === basename(failure.fileName).toLowerCase())!;
      // Nothing is being restored any more: the set goes back to where it was, unrestored.
      for (const f of files) f.status = this.sourceKind === 'FileShare' ? 'Uploaded' : 'Arrived';
      this.current = undefined;
      this.fail(failure.code ?? 'RestoreFailed', `Restoring backup file '${file.name}' failed: ${failure.message ?? 'the backup set is damaged and cannot be restored'}.`);
      return;
    }
    await this.sleep(seconds);
    for (const f of files) {
      f.status = 'Restored';
      f.dataRead = f.size;
      if (this.sourceKind === 'AzureBlob') f.dataWritten = f.size;
    }
    this.restored.push(step);
    this.restoredFamily ??= this.plan?.familyGuid;
    this.current = undefined;
    this.updateStatus();
  }

  private offlineDone(): boolean {
    if (this.restored.length === 0 || this.current || this.blockingReason) return false;
    if (this.lastBackupName) {
      const last = this.findLastBackup();
      return !!last && last.file.status === 'Restored';
    }
    // A share without a named last backup: done when everything in the share is uploaded and restored.
    const uploading = [...this.shareFiles.values()].some((f) => f.status !== 'Uploaded' && !this.files.has(f.name));
    return !uploading && this.pendingSteps().length === 0;
  }

  /** InProgress while anything is left to restore; ReadyForCutover once the newest log present is restored. */
  private updateStatus(): void {
    if (this.terminal || this.migrationStatus === 'Completing' || this.migrationStatus === 'Canceling') return;
    const ready = !this.offline && this.restored.length > 0 && !this.current && !this.blockingReason && this.pendingSteps().length === 0;
    this.migrationStatus = ready ? 'ReadyForCutover' : 'InProgress';
    this.changed();
  }

  pendingLogBackupsCount(): number {
    return this.pendingSteps().filter((s) => s.backupType === 'TransactionLog').length;
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

  private fail(code: string, message: string): void {
    this.run.abort();
    this.failure = { code, message };
    this.migrationStatus = 'Failed';
    this.endedOn = this.host.clock.date().toISOString();
    this.changed();
  }

  /** Stops the background work (a forced delete, or the sandbox stopping). */
  stop(): void {
    this.run.abort();
  }

  /** The runtime's report on the share: files it saw and uploaded, and what keeps it from uploading. */
  reportShare(files: ShareFileReport[], errors: string[]): void {
    for (const f of files) this.shareFiles.set(f.name, f);
    this.fileUploadBlockingErrors = errors;
    this.changed();
  }
}
