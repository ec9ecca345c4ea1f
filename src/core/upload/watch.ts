/**
 * Watch mode for online migrations: keeps a database's blob folder in step with its local
 * backup folder, uploading each new log backup as it appears (once its size has stopped
 * changing, so a backup still being written is never sent half-done), until the signal aborts.
 * Every new file is checked against the chain again: a log that does not continue it is
 * reported as ignored, with the reason, and not sent.
 */
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ContainerClient } from '@azure/storage-blob';
import { listFiles, readBackupFile, type BackupReading, type ChainAnchor } from '../backup';
import type { FileUploadResult } from './blockUpload';
import {
  baseFullOf,
  checkedFolder,
  checkFolder,
  ensureContainer,
  folderState,
  preflightReadings,
  uploadChainFiles,
  UploadRefusedError,
  type DatabaseUploadOptions,
  type DatabaseUploadReport,
  type UploadEvent,
} from './databaseUpload';
import type { LocationEntry } from './location';

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

/**
 * Uploads what is ready now, then every new backup as it appears; resolves with everything sent
 * when aborted. The chain already in the folder (or, after the first pass, the one this watch
 * sent) is continued: a new full backup never replaces the base of a restore under way.
 */
export async function watchAndUpload(container: ContainerClient, paths: readonly string[], options: WatchOptions): Promise<DatabaseUploadReport> {
  const folder = checkedFolder(options.folder ?? options.database);
  const signal = options.signal;
  const emit = (e: WatchEvent) => options.onEvent?.(e);
  const seen = new Map<string, Seen>();
  const uploaded = new Map<string, string>(); // path -> size:mtime sent
  const reported = new Set<string>();
  const results: FileUploadResult[] = [];
  const warnings: string[] = [];
  let planAnnounced = false;
  let lastWaiting = '';

  let containerReady = options.createContainer === false;
  const state = await folderState(container, folder, options.database, { ...(options.newBase && { newBase: true }), ...(signal && { signal }) });
  const entries: LocationEntry[] = [...state.entries];
  let anchor: ChainAnchor | undefined = state.anchor;
  const where = `the blob folder ${container.containerName}/${folder}/`;

  const waiting = (e: unknown): number => {
    if (!(e instanceof UploadRefusedError)) throw e;
    if (e.message !== lastWaiting) emit({ type: 'waiting', reason: e.message });
    lastWaiting = e.message;
    return 0;
  };

  const pass = async (first: boolean): Promise<number> => {
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
    let folderWarnings: string[];
    try {
      pre = preflightReadings(ready.map(([, s]) => s.reading!), options.database, options.mode ?? 'online', anchor);
      folderWarnings = checkFolder(entries, container, folder, pre);
    } catch (e) {
      return waiting(e);
    }
    lastWaiting = '';
    if (!planAnnounced) {
      warnings.push(...pre.warnings, ...folderWarnings);
      planAnnounced = true;
      emit({ type: 'plan', database: pre.plan.name, files: pre.files, ignored: pre.ignored, warnings, ...(pre.continues && { continues: pre.continues }) });
    }
    for (const file of pre.ignored) {
      const k = `${file.path}|${file.code}`;
      if (reported.has(k)) continue;
      reported.add(k);
      emit({ type: 'ignored', file });
    }
    const toSend = pre.files.filter((path) => {
      const s = seen.get(path)!;
      return uploaded.get(path) !== `${s.size}:${s.mtimeMs}`;
    });
    signal?.throwIfAborted();
    if (toSend.length && !containerReady) {
      await ensureContainer(container, signal);
      containerReady = true;
    }
    const sent = await uploadChainFiles(container, folder, pre, toSend, { ...options, onEvent: emit });
    const stepOf = new Map(pre.plan.plan.flatMap((st) => st.files.map((f) => [f, st] as const)));
    for (const result of sent) {
      const s = seen.get(result.path)!;
      uploaded.set(result.path, `${s.size}:${s.mtimeMs}`);
      const step = stepOf.get(result.path)!;
      entries.push({ name: basename(result.path), ours: true, nested: false, size: s.size, database: pre.plan.name, familyGuid: pre.plan.familyGuid, backupSetId: step.backupSetId });
    }
    results.push(...sent);
    // From now on this chain is the one to continue.
    const reached = pre.plan.restoresTo?.lsn;
    if (reached !== undefined) anchor = { familyGuid: pre.plan.familyGuid, fullBackupSetId: baseFullOf(pre), reachedLsn: reached, where };
    return sent.length;
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
  return { database: options.database, folder, files: results, ignored: [], warnings, ...(anchor && { continues: anchor }) };
}
