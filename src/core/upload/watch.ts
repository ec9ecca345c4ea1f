/**
 * Watch mode for online migrations: keeps a database's blob folder in step with its local
 * backup folder, uploading each new log backup as it appears (once its size has stopped
 * changing, so a backup still being written is never sent half-done), until the signal aborts.
 * Every new file is checked against the chain again: a log that does not continue it is
 * reported as ignored, with the reason, and not sent.
 */
import { stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ContainerClient } from '@azure/storage-blob';
import { listFiles, readBackupFile, type BackupReading } from '../backup';
import { toAzureError } from '../azure/errors';
import { uploadFileAsBlocks, type FileUploadResult } from './blockUpload';
import {
  blobNameFor,
  checkFolder,
  metadataFor,
  preflightReadings,
  UploadRefusedError,
  type DatabaseUploadOptions,
  type DatabaseUploadReport,
  type UploadEvent,
} from './databaseUpload';

export type WatchEvent = UploadEvent | { type: 'waiting'; reason: string } | { type: 'idle'; uploaded: number };

export interface WatchOptions extends Omit<DatabaseUploadOptions, 'onEvent'> {
  /** How often the local folder is looked at (default 5 s). */
  intervalMs?: number;
  onEvent?: (e: WatchEvent) => void;
}

interface Seen {
  size: number;
  mtimeMs: number;
  /** Polls in a row with the same size and time. */
  steady: number;
  reading?: BackupReading;
}

/** Uploads what is ready now, then every new backup as it appears; resolves with everything sent when aborted. */
export async function watchAndUpload(container: ContainerClient, paths: readonly string[], options: WatchOptions): Promise<DatabaseUploadReport> {
  const folder = options.folder ?? options.database;
  if (!folder || folder.includes('/') || folder.includes('\\')) throw new UploadRefusedError(`the blob folder must be a single folder name, not "${folder}"`);
  const signal = options.signal;
  const emit = (e: WatchEvent) => options.onEvent?.(e);
  const seen = new Map<string, Seen>();
  const uploaded = new Map<string, string>(); // path -> size:mtime sent
  const reported = new Set<string>();
  const results: FileUploadResult[] = [];
  const warnings: string[] = [];
  let folderChecked = false;
  let lastWaiting = '';

  if (options.createContainer !== false) {
    try {
      await container.createIfNotExists(signal ? { abortSignal: signal } : {});
    } catch (e) {
      throw toAzureError(e, `create container ${container.containerName}`);
    }
  }

  const pass = async (first: boolean): Promise<number> => {
    let sent = 0;
    for (const path of await listFiles(paths)) {
      let st;
      try {
        st = await stat(path);
      } catch {
        seen.delete(path);
        continue;
      }
      const prev = seen.get(path);
      if (prev && prev.size === st.size && prev.mtimeMs === st.mtimeMs) {
        prev.steady++;
      } else {
        // On the first look every file counts as written; later ones must hold still for one interval.
        seen.set(path, { size: st.size, mtimeMs: st.mtimeMs, steady: first ? 1 : 0 });
      }
    }
    const ready = [...seen.entries()].filter(([, s]) => s.steady > 0);
    for (const [path, s] of ready) s.reading ??= await readBackupFile(path);
    let pre;
    try {
      pre = preflightReadings(ready.map(([, s]) => s.reading!), options.database, options.mode ?? 'online');
    } catch (e) {
      if (!(e instanceof UploadRefusedError)) throw e;
      if (e.message !== lastWaiting) emit({ type: 'waiting', reason: e.message });
      lastWaiting = e.message;
      return 0;
    }
    lastWaiting = '';
    if (!folderChecked) {
      warnings.push(...pre.warnings, ...(await checkFolder(container, folder, pre.plan, signal)));
      folderChecked = true;
      emit({ type: 'plan', database: pre.plan.name, files: pre.files, ignored: pre.ignored, warnings });
    }
    for (const file of pre.ignored) {
      const k = `${file.path}|${file.code}`;
      if (reported.has(k)) continue;
      reported.add(k);
      emit({ type: 'ignored', file });
    }
    for (const path of pre.files) {
      const s = seen.get(path)!;
      const version = `${s.size}:${s.mtimeMs}`;
      if (uploaded.get(path) === version) continue;
      signal?.throwIfAborted();
      const result = await uploadFileAsBlocks(path, container.getBlockBlobClient(blobNameFor(folder, path)), {
        ...(options.blockSize && { blockSize: options.blockSize }),
        ...(options.concurrency && { concurrency: options.concurrency }),
        ...(signal && { signal }),
        metadata: metadataFor(pre.plan),
        onProgress: (p) => emit({ type: 'progress', ...p }),
      });
      uploaded.set(path, version);
      results.push(result);
      sent++;
      emit({ type: 'file', result });
    }
    return sent;
  };

  try {
    for (let first = true; !signal?.aborted; first = false) {
      const sent = await pass(first);
      emit({ type: 'idle', uploaded: sent });
      await sleep(options.intervalMs ?? 5000, undefined, signal ? { signal } : {});
    }
  } catch (e) {
    if (!signal?.aborted) throw e;
  }
  return { database: options.database, folder, files: results, ignored: [], warnings };
}
