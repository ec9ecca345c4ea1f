/**
 * A database's local backups -> its own folder in a blob container, where the migration service
 * restores from. Before anything is sent, the backup engine reads every file's header and plans
 * the restore chain: only the files in the chain for the chosen database go up (a stray log of
 * another database in the folder would hang the service's restore), in restore order.
 *
 * One folder per database is enforced: each blob carries its database's name and lineage in
 * metadata, and a folder that already holds another database's backups is refused.
 */
import { basename } from 'node:path';
import type { ContainerClient } from '@azure/storage-blob';
import { planRestores, scanPaths, type BackupReading, type DatabasePlan, type IgnoredFile, type MigrationMode } from '../backup';
import { toAzureError } from '../azure/errors';
import { uploadFileAsBlocks, type BlockProgress, type FileUploadResult } from './blockUpload';

export interface Preflight {
  plan: DatabasePlan;
  /** Files to send, in restore order (every stripe of each step). */
  files: string[];
  ignored: IgnoredFile[];
  /** The plan's problems (e.g. an LSN gap after the last file sent) and warnings: the files before them still go up. */
  warnings: string[];
}

export class UploadRefusedError extends Error {
  constructor(message: string, readonly problems: string[] = []) {
    super(problems.length ? `${message}:\n${problems.map((p) => `  - ${p}`).join('\n')}` : message);
    this.name = 'UploadRefusedError';
  }
}

/** Picks the chain for `database` from readings; refuses when there is none ready, or two lineages share the name. */
export function preflightReadings(readings: readonly BackupReading[], database: string, mode: MigrationMode = 'online'): Preflight {
  const plans = planRestores(readings, { database, mode });
  const mine = plans.filter((p) => p.name.toLowerCase() === database.toLowerCase() && p.familyGuid);
  if (mine.length === 0) {
    const problems = plans.flatMap((p) => p.problems);
    throw new UploadRefusedError(`no backup of database ${database} was found`, problems.length ? problems : [`none of the ${readings.length} files is a backup of ${database}`]);
  }
  if (mine.length > 1) {
    throw new UploadRefusedError(`the files hold ${mine.length} different databases named ${database} (different servers or restored copies)`, [
      'put each one\'s backups in its own local folder and upload them to separate blob folders',
      ...mine.map((p) => `${p.name} from ${p.serverName}, family ${p.familyGuid}`),
    ]);
  }
  const plan = mine[0]!;
  // A chain that starts with a full backup is worth sending even when it stops early (a missing
  // log may still arrive); without one there is nothing the service could restore.
  if (plan.plan.length === 0) throw new UploadRefusedError(`the backups of ${database} do not form a restorable chain`, plan.problems);
  const ignored = [...plan.ignored, ...plans.filter((p) => p !== plan).flatMap((p) => p.ignored)];
  return { plan, files: plan.plan.flatMap((s) => s.files), ignored, warnings: [...plan.problems, ...plan.warnings] };
}

export async function preflight(paths: readonly string[], database: string, mode: MigrationMode = 'online', signal?: AbortSignal): Promise<Preflight> {
  return preflightReadings(await scanPaths(paths, signal ? { signal } : {}), database, mode);
}

export const META_DATABASE = 'sqlmigdatabase';
export const META_FAMILY = 'sqlmigfamilyguid';

/**
 * Refuses a folder holding backups of another database (by our metadata), or blobs in a
 * subfolder (the service reads one level). Blobs we did not write are reported, not refused.
 */
export async function checkFolder(container: ContainerClient, folder: string, plan: DatabasePlan, signal?: AbortSignal): Promise<string[]> {
  const foreign: string[] = [];
  const warnings: string[] = [];
  try {
    for await (const b of container.listBlobsFlat({ prefix: `${folder}/`, includeMetadata: true, abortSignal: signal })) {
      const rest = b.name.slice(folder.length + 1);
      if (rest.includes('/')) {
        foreign.push(`${b.name} sits in a subfolder: the migration service reads only the database's folder`);
        continue;
      }
      const db = b.metadata?.[META_DATABASE];
      const family = b.metadata?.[META_FAMILY];
      if (db === undefined) warnings.push(`${b.name} was not uploaded by sqlmig: make sure it is a backup of ${plan.name}`);
      else if (db.toLowerCase() !== plan.name.toLowerCase() || (family && family !== plan.familyGuid)) {
        foreign.push(`${b.name} is a backup of ${db}${family && family !== plan.familyGuid ? ` (family ${family})` : ''}`);
      }
    }
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) return warnings; // the container is created on upload
    throw toAzureError(e, `list the folder ${folder} in container ${container.containerName}`);
  }
  if (foreign.length) {
    throw new UploadRefusedError(`the folder ${container.containerName}/${folder} already holds other backups; each database needs its own folder`, foreign);
  }
  return warnings;
}

export type UploadEvent =
  | { type: 'plan'; database: string; files: string[]; ignored: IgnoredFile[]; warnings: string[] }
  | ({ type: 'progress' } & BlockProgress)
  | { type: 'file'; result: FileUploadResult }
  | { type: 'ignored'; file: IgnoredFile };

export interface DatabaseUploadOptions {
  /** The source database whose chain is uploaded. */
  database: string;
  /** The blob folder (default: the database name). */
  folder?: string;
  mode?: MigrationMode;
  blockSize?: number;
  /** Blocks in flight per file. */
  concurrency?: number;
  /** Create the container when it does not exist (default true). */
  createContainer?: boolean;
  signal?: AbortSignal;
  onEvent?: (e: UploadEvent) => void;
}

export interface DatabaseUploadReport {
  database: string;
  folder: string;
  files: FileUploadResult[];
  ignored: IgnoredFile[];
  warnings: string[];
}

export function blobNameFor(folder: string, path: string): string {
  return `${folder}/${basename(path)}`;
}

export function metadataFor(plan: DatabasePlan): Record<string, string> {
  return { [META_DATABASE]: plan.name, [META_FAMILY]: plan.familyGuid };
}

export async function uploadDatabaseBackups(container: ContainerClient, paths: readonly string[], options: DatabaseUploadOptions): Promise<DatabaseUploadReport> {
  const folder = options.folder ?? options.database;
  if (!folder || folder.includes('/') || folder.includes('\\')) throw new UploadRefusedError(`the blob folder must be a single folder name, not "${folder}"`);
  const signal = options.signal;
  const pre = await preflight(paths, options.database, options.mode ?? 'online', signal);
  const names = new Map<string, string>();
  for (const f of pre.files) {
    const other = names.get(basename(f).toLowerCase());
    if (other) throw new UploadRefusedError(`two files of the chain have the same name and would overwrite each other in ${folder}/`, [other, f]);
    names.set(basename(f).toLowerCase(), f);
  }
  if (options.createContainer !== false) {
    try {
      await container.createIfNotExists({ abortSignal: signal });
    } catch (e) {
      throw toAzureError(e, `create container ${container.containerName}`);
    }
  }
  const warnings = [...pre.warnings, ...(await checkFolder(container, folder, pre.plan, signal))];
  options.onEvent?.({ type: 'plan', database: pre.plan.name, files: pre.files, ignored: pre.ignored, warnings });
  for (const file of pre.ignored) options.onEvent?.({ type: 'ignored', file });
  const results: FileUploadResult[] = [];
  // Files go one after another in restore order (the full first); blocks within a file go in parallel.
  for (const path of pre.files) {
    const result = await uploadFileAsBlocks(path, container.getBlockBlobClient(blobNameFor(folder, path)), {
      ...(options.blockSize && { blockSize: options.blockSize }),
      ...(options.concurrency && { concurrency: options.concurrency }),
      ...(signal && { signal }),
      metadata: metadataFor(pre.plan),
      onProgress: (p) => options.onEvent?.({ type: 'progress', ...p }),
    });
    results.push(result);
    options.onEvent?.({ type: 'file', result });
  }
  return { database: pre.plan.name, folder, files: results, ignored: pre.ignored, warnings };
}
