/**
 * The restore engine both simulated services run on: the migration service (migration.ts) and a
 * managed instance's Log Replay Service (logReplay.ts). On every scan it lists the backup
 * location, reads each new backup's header with the backup engine over ranged blob reads, plans
 * the restore with the engine's planner (continuing from the LSN restored so far, on the full
 * it started from), and restores one backup set at a time on the simulated clock. What differs
 * (how the location is read, what a failure or a second database does, how a restore ends) is
 * left to the service on top.
 */
import { basename } from 'node:path';
import type { ContainerClient } from '@azure/storage-blob';
import { BlobSource } from '../../src/core/azure/blobSource';
import { isRestorable, mapBounded, planRestores, readBackup, type ChainAnchor, type DatabasePlan, type PlanStep } from '../../src/core/backup';
import type { ManagedInstanceRec } from '../arm/world';
import { tdeRestoreFailure } from './tdeRestoreCheck';
import type { BackupFile, FileStatus, MigrationHost } from './types';

/** A blob the scan found: its name inside the location's folder. */
export interface ListedBlob {
  name: string;
  size: number;
  etag?: string;
}

export interface RestoreEngineInit {
  /** The database to restore; empty: the one the location holds (LRS is not told). */
  sourceDatabaseName: string;
  /** Ends by itself after `lastBackupName` (an offline migration, an autocomplete restore). */
  offline: boolean;
  lastBackupName?: string;
  container: string;
  /** `folder/` inside the container, or empty. */
  prefix: string;
}

export abstract class RestoreEngine {
  readonly sourceDatabaseName: string;
  readonly offline: boolean;
  readonly lastBackupName?: string;
  /** Container and folder prefix the restore reads from. */
  container: string;
  prefix: string;
  readonly files = new Map<string, BackupFile>();
  plan?: DatabasePlan;
  restored: PlanStep[] = [];
  current?: PlanStep;
  blockingReason?: string;
  /** Bumped whenever something a GET shows changes. */
  version = 0;

  /** The database (family GUID) whose chain the restore follows, once it has begun. */
  private restoredFamily?: string;
  protected readonly run = new AbortController();
  private lastBlobCount = -1;

  protected constructor(
    protected readonly host: MigrationHost,
    init: RestoreEngineInit,
  ) {
    this.sourceDatabaseName = init.sourceDatabaseName;
    this.offline = init.offline;
    if (init.lastBackupName) this.lastBackupName = init.lastBackupName;
    this.container = init.container;
    this.prefix = init.prefix;
    // One listener per restore; a combined signal per sleep would pile listeners on the sandbox's.
    host.signal.addEventListener('abort', () => this.run.abort(), { once: true });
  }

  abstract get terminal(): boolean;
  /** The instance the backups are restored on (its certificates decide whether a TDE backup restores). */
  abstract readonly mi: ManagedInstanceRec;
  /** The client the service reads the location with (its key, a SAS token, its identity). */
  protected abstract containerClient(): ContainerClient;
  /** The restore fails: nothing more happens. */
  protected abstract fail(code: string, message: string): void;
  /** The status after a scan or a restored set. */
  protected abstract updateStatus(): void;

  /** The status of a file the service has just found. */
  protected initialStatus(): FileStatus {
    return 'Arrived';
  }

  /** Fills in what the service knows of a new file beside its size (the runtime's copy figures). */
  protected describeNewFile(_f: BackupFile): void {}

  /** Files on their way that the location does not show yet (a share the runtime is uploading). */
  protected stillArriving(): boolean {
    return false;
  }

  /** The folder's blobs; undefined when it could not be listed (`listFailed` says what then). */
  protected async list(): Promise<ListedBlob[] | undefined> {
    const listed: ListedBlob[] = [];
    try {
      for await (const item of this.containerClient().listBlobsByHierarchy('/', { prefix: this.prefix })) {
        if (item.kind === 'blob') listed.push({ name: item.name.slice(this.prefix.length), size: item.properties.contentLength ?? 0, ...(item.properties.etag && { etag: item.properties.etag }) });
      }
    } catch (e) {
      this.listFailed(e);
      return undefined;
    }
    return listed;
  }

  /** The location could not be listed: by default the restore waits (a share's container appears with its first upload). */
  protected listFailed(e: unknown): void {
    if ((e as { statusCode?: number }).statusCode !== 404) this.blockingReason = `Cannot list the backup container '${this.container}': ${(e as Error).message}`;
  }

  /** Backups of several databases in the location: by default the restore is blocked, as the migration service's hangs. */
  protected severalDatabases(names: string[]): void {
    this.blockingReason =
      `The backup location ${this.container}/${this.prefix} holds backups of ${names.length} databases (${names.join(', ')}). ` +
      'The restore cannot continue: give each database its own container or folder.';
  }

  protected changed(): void {
    this.version++;
  }

  protected sleep(seconds: number): Promise<void> {
    return this.host.clock.sleep(seconds * 1000, this.run.signal);
  }

  /** Lists the backup location and reads the header of every new or changed backup. */
  protected async scan(): Promise<void> {
    const listed = await this.list();
    if (!listed || this.terminal) return;
    let fresh = listed.length !== this.lastBlobCount;
    this.lastBlobCount = listed.length;
    const toRead: BackupFile[] = [];
    for (const b of listed) {
      let f = this.files.get(b.name);
      if (!f) {
        f = { name: b.name, size: b.size, status: this.initialStatus(), dataRead: 0, dataWritten: 0, copyThroughput: 0, copyDuration: 0 };
        this.describeNewFile(f);
        this.files.set(b.name, f);
        fresh = true;
      } else if (f.etag !== b.etag && f.status !== 'Restored' && f.status !== 'Restoring') {
        // Replaced (a re-upload): read it again.
        delete f.reading;
        f.size = b.size;
        fresh = true;
      }
      if (b.etag) f.etag = b.etag;
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

  protected byPath(path: string): BackupFile | undefined {
    return this.files.get(path.slice(this.container.length + 1 + this.prefix.length));
  }

  /**
   * Plans with the backup engine. Once a backup is restored the restore continues from the
   * database's current LSN on the full it started from, as the real services do: a newer full
   * is ignored, and a log the chain needs that never arrives leaves the restore waiting.
   */
  protected replan(): void {
    const readings = [...this.files.values()].filter((f) => f.reading).map((f) => f.reading!);
    const full = this.restored[0];
    const anchor: ChainAnchor | undefined =
      full && this.restoredFamily ? { familyGuid: this.restoredFamily, fullBackupSetId: full.backupSetId, reachedLsn: this.restoredLsn()!, where: 'the restore' } : undefined;
    const databases = new Set(readings.filter(isRestorable).map((r) => r.header.databaseName.toLowerCase()));
    this.blockingReason = undefined;
    if (databases.size > 1) this.severalDatabases([...new Set(readings.filter(isRestorable).map((r) => r.header.databaseName))].sort());
    if (this.terminal) return;
    const plans = planRestores(readings, { ...(this.sourceDatabaseName && { database: this.sourceDatabaseName }), mode: this.offline ? 'offline' : 'online', ...(anchor && { continueChain: anchor }) });
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
        f.status = this.initialStatus();
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

  protected findLastBackup(): { file: BackupFile; inPlan: boolean } | undefined {
    const want = this.lastBackupName!.toLowerCase();
    const file = [...this.files.values()].find((f) => f.name.toLowerCase() === want || basename(f.name).toLowerCase() === want);
    if (!file) return undefined;
    // Restored counts as planned: a continued plan lists only what is still to restore.
    const inPlan = file.status === 'Restored' || (!!file.reading && !!this.plan?.plan.some((s) => s.files.includes(file.reading!.path)));
    return { file, inPlan };
  }

  protected restoredLsn(): bigint | undefined {
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

  protected nextStep(): PlanStep | undefined {
    return this.pendingSteps()[0];
  }

  protected filesOf(step: PlanStep): BackupFile[] {
    return step.files.map((p) => this.byPath(p)).filter((f): f is BackupFile => !!f);
  }

  /** Restores one backup set on the simulated clock (or fails it, when a failure is injected for one of its files). */
  protected async restoreStep(step: PlanStep): Promise<void> {
    const files = this.filesOf(step);
    const bytes = files.reduce((n, f) => n + f.size, 0);
    this.current = step;
    for (const f of files) f.status = 'Restoring';
    this.updateStatus();
    const seconds = this.host.timings.restoreBaseSeconds + bytes / (this.host.timings.restoreMBps * 1024 * 1024);
    const failure = this.host.restoreFailures.find((x) => files.some((f) => basename(f.name).toLowerCase() === basename(x.fileName).toLowerCase()));
    // A TDE backup whose certificate the instance lacks fails as SQL Server fails it (Msg 33111).
    const tde = files[0]?.reading && tdeRestoreFailure(files[0].reading, this.host.tde.backups, (t) => this.host.tde.holds(this.mi, t));
    if (failure || tde) {
      await this.sleep(seconds / 2);
      // Nothing is being restored any more: the set goes back to where it was, unrestored.
      for (const f of files) f.status = this.initialStatus();
      this.current = undefined;
      if (tde) {
        this.fail(tde.code, tde.message);
        return;
      }
      const file = files.find((f) => basename(f.name).toLowerCase() === basename(failure!.fileName).toLowerCase())!;
      this.fail(failure!.code ?? 'RestoreFailed', `Restoring backup file '${file.name}' failed: ${failure!.message ?? 'the backup set is damaged and cannot be restored'}.`);
      return;
    }
    await this.sleep(seconds);
    for (const f of files) {
      f.status = 'Restored';
      f.dataRead = f.size;
      f.dataWritten = f.size;
      f.restoredAt = this.host.clock.date().toISOString();
    }
    this.restored.push(step);
    this.restoredFamily ??= this.plan?.familyGuid;
    this.current = undefined;
    this.updateStatus();
  }

  /** An offline migration or an autocomplete restore has restored its last file. */
  protected offlineDone(): boolean {
    if (this.restored.length === 0 || this.current || this.blockingReason) return false;
    if (this.lastBackupName) {
      const last = this.findLastBackup();
      return !!last && last.file.status === 'Restored';
    }
    return !this.stillArriving() && this.pendingSteps().length === 0;
  }

  pendingLogBackupsCount(): number {
    return this.pendingSteps().filter((s) => s.backupType === 'TransactionLog').length;
  }

  /** The name of the last file restored (the last stripe of the last set). */
  lastRestoredFileName(): string | undefined {
    const step = this.restored[this.restored.length - 1];
    return step ? step.files[step.files.length - 1]!.split('/').pop() : undefined;
  }

  /** Stops the background work (a forced delete, a stop, or the sandbox stopping). */
  stop(): void {
    this.run.abort();
  }
}
