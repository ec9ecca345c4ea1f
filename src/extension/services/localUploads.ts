/**
 * Backups in a local folder, uploaded by the editor itself (the "folder on this machine"
 * location). Before a migration starts, its database's chain goes up to its blob folder; for an
 * online migration the folder is then watched and each new log backup is uploaded as it
 * appears, until the migration ends. Watches survive a window reload: the jobs (no keys, no
 * passwords) are saved and picked up again on the next refresh of the Migrations view.
 * No `vscode` here.
 */
import { basename } from 'node:path';
import * as l10n from '@vscode/l10n';
import type { ContainerClient } from '@azure/storage-blob';
import type { WatchEvent } from '../../core/upload/watch';
import { contextFor } from './azureContext';
import { loadCore } from './loadCore';
import type { SignedInAccount } from './types';

export interface UploadJob {
  /** The migration the uploads feed (its databaseMigrations id); empty until it is started. */
  migrationId: string;
  database: string;
  localFolder: string;
  storageAccountId: string;
  container: string;
  blobFolder: string;
  mode: 'online' | 'offline';
}

export interface UploadJobStore {
  load(): UploadJob[];
  save(jobs: UploadJob[]): Promise<void>;
}

export interface UploadLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

interface Running {
  job: UploadJob;
  abort: AbortController;
  done: Promise<void>;
  /** Files being sent right now: a cutover waits for them. */
  sending: Set<string>;
}

/** "Sales_LOG_003.trn 42%"-style progress from the core's upload events. */
export function describeUploadEvent(database: string, e: WatchEvent): string | undefined {
  switch (e.type) {
    case 'plan':
      return l10n.t('{0}: {1} backup files in the restore chain', database, e.files.length);
    case 'progress':
      return l10n.t('{0}: uploading {1} ({2}%)', database, basename(e.path), e.bytesTotal ? Math.floor((e.bytesDone / e.bytesTotal) * 100) : 100);
    case 'file':
      return e.result.outcome === 'identical' ? l10n.t('{0}: {1} is already uploaded', database, basename(e.result.path)) : l10n.t('{0}: uploaded {1}', database, basename(e.result.path));
    case 'ignored':
      return l10n.t('{0}: left out {1}: {2}', database, basename(e.file.path), e.file.reason);
    case 'waiting':
      return l10n.t('{0}: waiting: {1}', database, e.reason);
    default:
      return undefined;
  }
}

export class LocalUploads {
  private readonly running = new Map<string, Running>();

  constructor(
    private readonly store: UploadJobStore,
    private readonly log: UploadLog,
    private readonly concurrency: () => number,
    /** Keys are secrets: each one read is handed here (the log's redactor). */
    private readonly secret: (value: string) => void,
    /** How often a watched folder is looked at (the core's default when absent). */
    private readonly watchIntervalMs?: number,
  ) {}

  private async container(account: SignedInAccount, job: UploadJob): Promise<ContainerClient> {
    const core = await loadCore();
    const ctx = contextFor(account);
    const [info, key] = await Promise.all([core.getStorageAccount(ctx, job.storageAccountId), core.getStorageAccountKey(ctx, job.storageAccountId)]);
    this.secret(key);
    if (!info.blobEndpoint) throw new Error(l10n.t('storage account {0} reports no blob endpoint', info.name));
    return core.containerClient({ blobEndpoint: info.blobEndpoint, accountName: info.name, accountKey: key }, job.container);
  }

  /**
   * Uploads the chain now. Offline: once. Online: then keeps watching the folder in the
   * background (until `stop`), and resolves once the first pass is done.
   */
  async upload(account: SignedInAccount, job: UploadJob, signal: AbortSignal, progress: (message: string) => void): Promise<void> {
    const core = await loadCore();
    const container = await this.container(account, job);
    const say = (e: WatchEvent) => {
      const m = describeUploadEvent(job.database, e);
      if (m) progress(m);
    };
    const options = { database: job.database, folder: job.blobFolder, mode: job.mode, concurrency: this.concurrency() };
    if (job.mode === 'offline') {
      await core.uploadDatabaseBackups(container, [job.localFolder], { ...options, signal, onEvent: say });
      return;
    }
    await this.watch(core, container, job, say, signal);
  }

  /** Starts watching; resolves after the first pass (rejects when it fails or finds no chain). */
  private watch(core: Awaited<ReturnType<typeof loadCore>>, container: ContainerClient, job: UploadJob, say: (e: WatchEvent) => void, firstPassSignal?: AbortSignal): Promise<void> {
    const key = job.migrationId || `pending:${job.storageAccountId}/${job.container}/${job.blobFolder}`;
    this.running.get(key)?.abort.abort();
    const abort = new AbortController();
    const onCancel = () => abort.abort();
    firstPassSignal?.addEventListener('abort', onCancel, { once: true });
    const sending = new Set<string>();
    return new Promise<void>((resolve, reject) => {
      let first = true;
      let waiting: string | undefined;
      const done = core
        .watchAndUpload(container, [job.localFolder], {
          database: job.database,
          folder: job.blobFolder,
          mode: job.mode,
          concurrency: this.concurrency(),
          signal: abort.signal,
          ...(this.watchIntervalMs !== undefined && { intervalMs: this.watchIntervalMs }),
          onEvent: (e) => {
            say(e);
            if (e.type === 'progress') sending.add(basename(e.path));
            if (e.type === 'file') sending.delete(basename(e.result.path));
            if (e.type === 'waiting') waiting = e.reason;
            if (e.type === 'file' && !first) this.log.info(`upload: ${job.database}: ${basename(e.result.path)} ${e.result.outcome}`);
            if (e.type === 'idle' && first) {
              first = false;
              firstPassSignal?.removeEventListener('abort', onCancel);
              if (waiting) {
                abort.abort();
                reject(new Error(waiting));
              } else resolve();
            }
          },
        })
        .then(
          () => {
            if (first) reject(new DOMException('the upload was cancelled', 'AbortError'));
          },
          (e: unknown) => {
            this.log.error(`upload: watching ${job.localFolder} for ${job.database} stopped: ${(e as Error).message}`);
            if (first) reject(e);
          },
        )
        .finally(() => {
          if (this.running.get(key)?.abort === abort) this.running.delete(key);
        });
      this.running.set(key, { job, abort, done, sending });
    });
  }

  /** The started migration takes over the pending watch, and the job is saved for after a reload. */
  async attach(job: UploadJob, migrationId: string): Promise<void> {
    const pendingKey = `pending:${job.storageAccountId}/${job.container}/${job.blobFolder}`;
    const r = this.running.get(pendingKey);
    const attached = { ...job, migrationId };
    if (r) {
      this.running.delete(pendingKey);
      this.running.set(migrationId, { ...r, job: attached });
    }
    if (job.mode === 'online') await this.store.save([...this.store.load().filter((j) => j.migrationId !== migrationId), attached]);
  }

  /** Stops a watch that no migration took (its start failed). */
  discard(job: UploadJob): void {
    const pendingKey = `pending:${job.storageAccountId}/${job.container}/${job.blobFolder}`;
    this.running.get(pendingKey)?.abort.abort();
    this.running.delete(pendingKey);
  }

  /** Watches the saved jobs that are not running (after a reload), for migrations still going. */
  async resume(account: SignedInAccount, ongoing: (migrationId: string) => boolean | undefined): Promise<void> {
    const core = await loadCore();
    for (const job of this.store.load()) {
      if (this.running.has(job.migrationId)) continue;
      const state = ongoing(job.migrationId);
      if (state === false) {
        await this.stop(job.migrationId);
        continue;
      }
      if (state === undefined) continue; // not listed yet
      try {
        const container = await this.container(account, job);
        this.log.info(`upload: watching ${job.localFolder} again for ${job.database}`);
        await this.watch(core, container, job, () => undefined);
      } catch (e) {
        this.log.error(`upload: cannot watch ${job.localFolder} for ${job.database}: ${(e as Error).message}`);
      }
    }
  }

  /** The migration ended: no more uploads for it. */
  async stop(migrationId: string): Promise<void> {
    this.running.get(migrationId)?.abort.abort();
    this.running.delete(migrationId);
    const jobs = this.store.load();
    if (jobs.some((j) => j.migrationId === migrationId)) await this.store.save(jobs.filter((j) => j.migrationId !== migrationId));
  }

  /** Files of the migration's folder still being uploaded. */
  inFlight(migrationId: string): string[] {
    return [...(this.running.get(migrationId)?.sending ?? [])];
  }

  watching(): string[] {
    return [...this.running.keys()];
  }

  dispose(): void {
    for (const r of this.running.values()) r.abort.abort();
    this.running.clear();
  }
}
