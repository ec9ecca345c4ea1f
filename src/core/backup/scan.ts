/**
 * Scans files and folders for backups: every file found gets a reading, whatever is wrong with
 * it, and one bad file never hides the others.
 */
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { FileSource, type ByteSource } from './byteSource';
import { readBackup } from './reader';
import type { BackupReading } from './types';

export interface ScanOptions {
  /** Files read at once; header reads are small, so this mostly hides I/O latency. */
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

/** Runs `work` over `items` with at most `limit` in flight, keeping the input order. */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
  signal?: AbortSignal,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      signal?.throwIfAborted();
      const i = next++;
      out[i] = await work(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

/** Expands files and folders (recursively) into a sorted list of files; missing paths stay in the list. */
export async function listFiles(paths: readonly string[]): Promise<string[]> {
  const files = new Set<string>();
  const seenDirs = new Set<string>();
  const visitDir = async (p: string): Promise<void> => {
    const real = await realpath(p);
    if (seenDirs.has(real)) return; // a link loop or the same folder named twice
    seenDirs.add(real);
    const entries = await readdir(p, { withFileTypes: true });
    // Directory entries say what they are; only links need a stat.
    await Promise.all(
      entries.map((e) => {
        const child = join(p, e.name);
        if (e.isDirectory()) return visitDir(child);
        if (e.isSymbolicLink()) return visit(child);
        files.add(child);
        return undefined;
      }),
    );
  };
  const visit = async (p: string): Promise<void> => {
    let isDir: boolean;
    try {
      isDir = (await stat(p)).isDirectory();
    } catch {
      files.add(p); // reported as unreadable by the reader
      return;
    }
    if (isDir) await visitDir(p);
    else files.add(p);
  };
  await Promise.all(paths.map((p) => visit(resolve(p))));
  return [...files].sort();
}

/** Reads one file by path; never throws. */
export async function readBackupFile(path: string): Promise<BackupReading> {
  let source: ByteSource;
  try {
    source = await FileSource.open(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EACCES' ? 'permission denied' : err.message;
    return { path, sizeBytes: 0, verdict: 'unreadable', reason: `cannot open the file: ${why}` };
  }
  try {
    return await readBackup(source);
  } finally {
    await source.close().catch(() => undefined);
  }
}

export async function scanPaths(paths: readonly string[], options: ScanOptions = {}): Promise<BackupReading[]> {
  const files = await listFiles(paths);
  let done = 0;
  return mapBounded(
    files,
    options.concurrency ?? 32,
    async (path) => {
      const r = await readBackupFile(path);
      options.onProgress?.(++done, files.length);
      return r;
    },
    options.signal,
  );
}
