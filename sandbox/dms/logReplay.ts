/**
 * A managed instance's Log Replay Service restore (LRS), on the same engine as the simulated
 * migration service (restoreEngine.ts): the instance reads the blob folder the request names
 * with the SAS token it was given (through Azurite, which checks the token's signature, expiry
 * and permissions on every call) or with its managed identity (the sandbox then reads with the
 * account key, and refuses when the instance has no identity), plans with the backup engine and
 * restores on the simulated clock.
 *
 * It fails as LRS does, late and in the service's words: a token that does not grant exactly
 * Read and List, a subfolder in the folder, backups of two databases, a file newer than an
 * autocomplete restore's last backup, a restore still running after 30 days. A continuous
 * restore waits for completeRestore, which must name the last file restored; an autocomplete one
 * brings the database online after its last backup.
 */
import { basename } from 'node:path';
import { ContainerClient } from '@azure/storage-blob';
import { isRestorable } from '../../src/core/backup';
import type { LongRunningOperation } from '../arm/longRunning';
import type { ManagedDatabaseRec, ManagedInstanceRec, StorageAccountRec } from '../arm/world';
import { MANAGED_IDENTITY_MISSING } from './migration';
import { RestoreEngine, type ListedBlob } from './restoreEngine';
import type { BackupFile, MigrationHost } from './types';

/** A restore runs at most this long (simulated time); then the service stops it. */
export const LRS_MAX_RESTORE_MS = 30 * 86_400_000;

export type LogReplayStatus = 'Restoring' | 'Completing' | 'Completed' | 'Failed' | 'Stopped';

export interface LogReplayInit {
  id: string;
  mi: ManagedInstanceRec;
  db: ManagedDatabaseRec;
  /** The account the container URI names, when it names one of the sandbox's. */
  account?: StorageAccountRec;
  container: string;
  prefix: string;
  /** The URI as the request gave it, for messages. */
  storageContainerUri: string;
  access: { kind: 'sas'; token: string } | { kind: 'identity' };
  autoComplete: boolean;
  lastBackupName?: string;
  sourceDatabaseName?: string;
}

/** The service's own words (ManagedDatabaseRestoreDetails.json, ManagedDatabases.json). */
const STORAGE_AT_START = 'Storage connection is broken. Please verify and try again.';
const MULTIPLE_DATABASES = 'There are backups from multiple databases in the container folder. Please make sure the container folder has backups from a single database.';

export class LogReplay extends RestoreEngine {
  readonly id: string;
  readonly mi: ManagedInstanceRec;
  readonly db: ManagedDatabaseRec;
  readonly account?: StorageAccountRec;
  readonly storageContainerUri: string;
  readonly access: LogReplayInit['access'];
  readonly autoComplete: boolean;
  status: LogReplayStatus = 'Restoring';
  /** Why it failed, in the service's words. */
  failure?: string;
  readonly startedAt: number;
  private client?: ContainerClient;

  constructor(host: MigrationHost, init: LogReplayInit) {
    super(host, {
      // LRS restores whatever database the folder holds: the first one it finds names it.
      sourceDatabaseName: init.sourceDatabaseName ?? '',
      offline: init.autoComplete,
      ...(init.lastBackupName && { lastBackupName: init.lastBackupName }),
      container: init.container,
      prefix: init.prefix,
    });
    this.id = init.id;
    this.mi = init.mi;
    this.db = init.db;
    if (init.account) this.account = init.account;
    this.storageContainerUri = init.storageContainerUri;
    this.access = init.access;
    this.autoComplete = init.autoComplete;
    this.startedAt = host.clock.now();
  }

  override get terminal(): boolean {
    return this.status === 'Completed' || this.status === 'Failed' || this.status === 'Stopped';
  }

  /** The database appears (the PUT's operation), then the restore runs. */
  start(op: LongRunningOperation): void {
    this.loop(op).catch(() => undefined);
  }

  protected override containerClient(): ContainerClient {
    if (this.client) return this.client;
    if (this.access.kind === 'identity') this.client = this.host.blobService(this.account!).getContainerClient(this.container);
    else this.client = new ContainerClient(`${this.account!.blobEndpoint.replace(/\/?$/, '/')}${this.container}?${this.access.token.replace(/^\?/, '')}`);
    return this.client;
  }

  protected override describeNewFile(f: BackupFile): void {
    f.detectedAt = this.host.clock.date().toISOString();
  }

  /** LRS reads the folder flat: a subfolder fails the restore. */
  protected override async list(): Promise<ListedBlob[] | undefined> {
    const listed: ListedBlob[] = [];
    try {
      for await (const b of this.containerClient().listBlobsFlat({ prefix: this.prefix })) {
        const name = b.name.slice(this.prefix.length);
        if (name.includes('/')) {
          this.fail(
            'NestedFolderNotSupported',
            `The backup folder ${this.container}/${this.prefix} holds a subfolder (${this.prefix}${name}): the Log Replay Service restores from one flat folder per database. ` +
              'Move the files out of the subfolder, or start the restore from the subfolder.',
          );
          return undefined;
        }
        listed.push({ name, size: b.properties.contentLength ?? 0, ...(b.properties.etag && { etag: b.properties.etag }) });
      }
    } catch (e) {
      this.listFailed(e);
      return undefined;
    }
    return listed;
  }

  protected override listFailed(e: unknown, doing = 'Listing'): void {
    const err = e as { statusCode?: number; code?: string; message?: string };
    const said = `${err.statusCode ? `HTTP ${err.statusCode} ` : ''}${err.code ?? err.message ?? ''}`.trim();
    this.fail(
      this.restored.length ? 'StorageBrokenIssueDetectedWhileInProgress' : 'StorageBrokenIssueDetectedAtTheStart',
      `${STORAGE_AT_START} (${doing} ${this.container}/${this.prefix} ${this.access.kind === 'sas' ? 'with the SAS token' : 'with the managed identity'} failed: ${said}.${
        this.access.kind === 'sas' ? ' The token must be a container SAS granting Read and List.' : ''
      })`,
    );
  }

  protected override severalDatabases(names: string[]): void {
    const when = this.restored.length ? 'WhileRestoreInProgress' : 'FromTheStart';
    this.fail(`BackupsFromMultipleDatabasesDetectedInTheContainer${when}`, `${MULTIPLE_DATABASES} (${names.join(', ')} in ${this.container}/${this.prefix})`);
  }

  protected override fail(_code: string, message: string): void {
    if (this.terminal) return;
    this.run.abort();
    this.status = 'Failed';
    this.failure = message;
    this.current = undefined;
    this.changed();
  }

  protected override updateStatus(): void {
    this.changed();
  }

  /** What the real service finds when it first reads the container: the account, the identity, the token's permissions. */
  private checkAccess(): string | undefined {
    if (!this.account) return `${STORAGE_AT_START} (The storage container URI ${this.storageContainerUri} names no storage account the instance can reach.)`;
    if (this.access.kind === 'identity') return this.mi.identity ? undefined : MANAGED_IDENTITY_MISSING.message;
    const sp = new URLSearchParams(this.access.token.replace(/^\?/, '')).get('sp') ?? '';
    const extra = [...new Set(sp)].filter((p) => p !== 'r' && p !== 'l');
    if (!sp.includes('l') || !sp.includes('r') || extra.length) {
      return `${STORAGE_AT_START} (The SAS token grants "${sp}": the Log Replay Service reads the container with a token that grants exactly Read and List (sp=rl).)`;
    }
    return undefined;
  }

  private async loop(op: LongRunningOperation): Promise<void> {
    await this.sleep(this.host.timings.migrationProvisionSeconds + this.host.faults.slowOperationsMs / 1000);
    this.db.status = 'Restoring';
    this.changed();
    this.host.longRunning.succeed(op);
    // The 30-day limit, on the sandbox's clock.
    this.host.clock
      .sleep(LRS_MAX_RESTORE_MS, this.run.signal)
      .then(() => {
        if (this.status === 'Restoring') {
          this.fail('RestoreTimeLimitExceeded', 'The restore has run for 30 days, the longest a Log Replay Service restore may run, and was stopped. Stop it and start it again, and complete it within 30 days.');
        }
      })
      .catch(() => undefined);
    const problem = this.checkAccess();
    if (problem) {
      this.fail(problem === MANAGED_IDENTITY_MISSING.message ? MANAGED_IDENTITY_MISSING.code : 'StorageBrokenIssueDetectedAtTheStart', problem);
      return;
    }
    for (;;) {
      try {
        await this.scan();
      } catch (e) {
        if (this.run.signal.aborted) return;
        // A header read refused (a token without Read): the service cannot go on.
        if ((e as { statusCode?: number }).statusCode === 403) this.listFailed(e, 'Reading the backups in');
      }
      if (this.terminal) return;
      if (this.autoComplete && this.lastBackupName) this.checkNothingAfterLast();
      if (this.terminal) return;
      const next = this.nextStep();
      if (next) {
        await this.restoreStep(next).catch(() => undefined);
        if (this.terminal || this.run.signal.aborted) return;
        continue;
      }
      if (this.autoComplete && this.offlineDone()) {
        await this.completeNow();
        return;
      }
      await this.sleep(this.host.timings.scanIntervalSeconds * (0.8 + 0.4 * Math.random())).catch(() => undefined);
      if (this.run.signal.aborted) return;
    }
  }

  /** Autocomplete ends at its last backup: a later backup of the database in the folder fails the restore, as LRS's does. */
  private checkNothingAfterLast(): void {
    const last = this.findLastBackup();
    const end = last?.file.reading?.header?.lastLsn;
    if (end === undefined) return;
    const family = last!.file.reading!.header!.familyGuid;
    const later = [...this.files.values()].find((f) => f !== last!.file && f.reading && isRestorable(f.reading) && f.reading.header.familyGuid === family && f.reading.header.lastLsn > end);
    if (later) {
      this.fail(
        'AutoCompleteNewerBackupDetected',
        `Backup file '${later.name}' continues the database past '${this.lastBackupName}', the last backup file of this autocomplete restore: ` +
          'an autocomplete restore must have its whole chain in the folder before it starts. Stop this restore, and start it again with the right last backup file or in continuous mode.',
      );
    }
  }

  /** Why completeRestore is refused now (code and message), or undefined. */
  completeRefusal(lastBackupName: string): { code: string; message: string } | undefined {
    if (this.status === 'Completing') return { code: 'ExternalBackupAlreadySignaledToComplete', message: 'The restore request has already been signaled to complete.' };
    if (this.status !== 'Restoring') return { code: 'ManagedDatabaseNotInRestoringState', message: `Managed database is not in Restoring state (the restore is ${this.status}${this.failure ? `: ${this.failure}` : ''}).` };
    if (this.autoComplete) return { code: 'ExternalBackupAlreadySignaledToComplete', message: 'The restore request has already been signaled to complete (it is an autocomplete restore).' };
    const last = this.lastRestoredFileName();
    if (!last) return { code: 'ExternalBackupRestoreHasNotBeenStarted', message: 'The restore request can only be completed once the restore has started.' };
    if (basename(lastBackupName).toLowerCase() !== last.toLowerCase()) {
      return { code: 'RequiredBackupIsNotLastRestored', message: `Migration cannot be completed because provided backup file name is not the name of the last backup file that is restored (the last file restored is '${last}').` };
    }
    return undefined;
  }

  /** completeRestore: Completing, then the database online. */
  async complete(op: LongRunningOperation): Promise<void> {
    this.run.abort();
    // What was still being restored is left unrestored: the completion ends the restore where it is.
    for (const f of this.files.values()) if (f.status === 'Restoring') f.status = 'Arrived';
    this.current = undefined;
    this.status = 'Completing';
    this.changed();
    await this.host.clock.sleep(this.host.timings.cutoverSeconds * 1000 + this.host.faults.slowOperationsMs, this.host.signal).catch(() => undefined);
    if (this.host.signal.aborted || this.status !== 'Completing') return;
    this.finish();
    this.host.longRunning.succeed(op);
  }

  private async completeNow(): Promise<void> {
    this.status = 'Completing';
    this.changed();
    await this.sleep(this.host.timings.cutoverSeconds).catch(() => undefined);
    if (this.status === 'Completing') this.finish();
  }

  private finish(): void {
    this.status = 'Completed';
    this.db.status = 'Online';
    this.changed();
  }

  /** The database is being deleted: the restore stops. */
  stopRestore(): void {
    this.stop();
    if (!this.terminal) this.status = 'Stopped';
    this.changed();
  }
}
