/**
 * A database's local backups -> its own folder in a blob container, where the migration service
 * restores from. Before anything is sent, the backup engine reads every file's header and plans
 * the restore chain: only the files in the chain for the chosen database go up (a stray log of
 * another database in the folder would hang the service's restore), in restore order.
 *
 * A folder that already holds a chain is continued, never re-based: the migration service,
 * once restoring, keeps its full backup whatever newer one appears, so every log that continues
 * the chain goes up and a newer full is reported and left out (unless `newBase` says to start
 * over, for a folder no migration restores from yet).
 *
 * One folder per database is enforced: each blob carries its database's name and lineage in
 * metadata, and a folder that already holds another database's backups is refused.
 */
import { basename } from 'node:path';
import type { ContainerClient } from '@azure/storage-blob';
import { planRestores, scanPaths, type BackupReading, type ChainAnchor, type DatabasePlan, type IgnoredFile, type MigrationMode, type PlanProblem } from '../backup';
import { toAzureError } from '../azure/errors';
import { uploadFileAsBlocks, type BlockProgress, type FileUploadResult } from './blockUpload';
import { chainInLocation, metadataFor, readLocation, type LocationEntry } from './location';

export interface Preflight {
  plan: DatabasePlan;
  /** Files to send, in restore order (every stripe of each step). */
  files: string[];
  ignored: IgnoredFile[];
  /** The plan's problems (e.g. an LSN gap after the last file sent) and warnings: the files before them still go up. */
  warnings: string[];
  /** What keeps the chain from being complete, by kind (an upload still sends what it can; a start refuses). */
  problems: PlanProblem[];
  /** The chain already in the folder that this one continues. */
  continues?: ChainAnchor;
}

export class UploadRefusedError extends Error {
  constructor(message: string, readonly problems: string[] = []) {
    super(problems.length ? `${message}:\n${problems.map((p) => `  - ${p}`).join('\n')}` : message);
    this.name = 'UploadRefusedError';
  }
}

/**
 * Picks the chain for `database` from readings (continuing `anchor` when the folder already holds
 * one); refuses when there is none, two lineages share the name, or two of its files share a name.
 */
export function preflightReadings(readings: readonly BackupReading[], database: string, mode: MigrationMode = 'online', anchor?: ChainAnchor): Preflight {
  const plans = planRestores(readings, { database, mode, ...(anchor && { continueChain: anchor }) });
  const mine = plans.filter((p) => p.name.toLowerCase() === database.toLowerCase() && p.familyGuid);
  if (mine.length === 0) {
    const problems = plans.flatMap((p) => p.problems);
    throw new UploadRefusedError(`no backup of database ${database} was found`, problems.length ? problems : [`none of the ${readings.length} files is a backup of ${database}`]);
  }
  if (mine.length > 1) {
    throw new UploadRefusedError(`the files hold ${mine.length} different databases named ${database} (different servers or restored copies)`, [
      'put each one\'s backups in its own local folder and upload them to separate blob folders',
      ...mine.map((p) => `${p.name} from ${p.serverName}, family ${p.familyGuid}, recovery fork ${p.recoveryForkId}`),
    ]);
  }
  const plan = mine[0]!;
  const continues = anchor && anchor.familyGuid === plan.familyGuid ? anchor : undefined;
  // A chain that starts with a full backup is worth sending even when it stops early (a missing
  // log may still arrive); without one there is nothing the service could restore.
  if (plan.plan.length === 0 && !continues) throw new UploadRefusedError(`the backups of ${database} do not form a restorable chain`, plan.problems);
  const files = plan.plan.flatMap((s) => s.files);
  // The service reads one folder level: files from different local subfolders must not share a name.
  const names = new Map<string, string>();
  for (const f of files) {
    const other = names.get(basename(f).toLowerCase());
    if (other) throw new UploadRefusedError(`two files of the chain have the same name and would overwrite each other in one blob folder; rename one`, [other, f]);
    names.set(basename(f).toLowerCase(), f);
  }
  const ignored = [...plan.ignored, ...plans.filter((p) => p !== plan).flatMap((p) => p.ignored)];
  return {
    plan,
    files,
    ignored,
    warnings: [...plan.problems, ...plan.warnings],
    problems: plan.problemDetails,
    ...(continues && { continues }),
  };
}

/** What the folder holds, and the chain there for `database` unless `newBase` starts over. */
export interface FolderState {
  entries: LocationEntry[];
  anchor?: ChainAnchor;
}

export async function folderState(container: ContainerClient, folder: string, database: string, options: { newBase?: boolean; signal?: AbortSignal } = {}): Promise<FolderState> {
  const entries = await readLocation(container, folder, options.signal);
  const anchor = options.newBase ? undefined : chainInLocation(entries, database, `the blob folder ${container.containerName}/${folder}/`);
  return { entries, ...(anchor && { anchor }) };
}

/** Scans local backups and plans the chain to send, continuing what the folder holds. */
export async function preflight(paths: readonly string[], database: string, mode: MigrationMode = 'online', signal?: AbortSignal, anchor?: ChainAnchor): Promise<Preflight> {
  return preflightReadings(await scanPaths(paths, signal ? { signal } : {}), database, mode, anchor);
}

/**
 * One flat folder per database, the rule both engines need: a blob in a subfolder (the migration
 * service reads only the folder, the Log Replay Service fails on it) or a backup of another
 * database (or of another lineage of this one) is `foreign`; a blob we did not write is worth a
 * warning. Reads nothing: `entries` is what readLocation found.
 */
export function folderRules(entries: readonly LocationEntry[], folder: string, database: string, familyGuid?: string): { foreign: string[]; warnings: string[] } {
  const foreign: string[] = [];
  const warnings: string[] = [];
  for (const e of entries) {
    const full = `${folder}/${e.name}`;
    if (e.nested) {
      foreign.push(`${full} sits in a subfolder: the database's folder must be flat (the migration service reads only the folder itself, the Log Replay Service fails on a subfolder); move it out`);
      continue;
    }
    if (e.database === undefined) {
      warnings.push(`${full} was not uploaded by sqlmig and is not a readable backup: make sure it is not needed`);
    } else if (e.database.toLowerCase() !== database.toLowerCase() || (familyGuid && e.familyGuid && e.familyGuid !== familyGuid)) {
      foreign.push(`${full} is a backup of ${e.database}${familyGuid && e.familyGuid && e.familyGuid !== familyGuid ? ` (family ${e.familyGuid})` : ''}`);
    } else if (!e.ours) {
      warnings.push(`${full} was not uploaded by sqlmig; its header says it is a backup of ${e.database}`);
    }
  }
  return { foreign, warnings };
}

/**
 * Refuses a folder holding backups of another database (by metadata or header), blobs in a
 * subfolder (the service reads one level), or a different backup under a name the chain needs.
 * Blobs we did not write are reported, not refused.
 */
export function checkFolder(entries: readonly LocationEntry[], container: ContainerClient, folder: string, pre: Preflight): string[] {
  const { foreign, warnings } = folderRules(entries, folder, pre.plan.name, pre.plan.familyGuid);
  const sending = new Map(pre.plan.plan.flatMap((s) => s.files.map((f) => [basename(f).toLowerCase(), s.backupSetId] as const)));
  for (const e of entries) {
    const want = sending.get(e.name.toLowerCase());
    if (!e.nested && want && e.backupSetId && e.backupSetId !== want) {
      foreign.push(`${folder}/${e.name} is another backup (backup set ${e.backupSetId}) than the local file of that name (backup set ${want}): replacing it would change what the service may already have restored; rename the local file`);
    }
  }
  if (foreign.length) {
    throw new UploadRefusedError(`the folder ${container.containerName}/${folder} already holds other backups; each database needs its own folder`, foreign);
  }
  return warnings;
}

/** The full backup the chain being sent starts from: the plan's, or the one already in the folder. */
export function baseFullOf(pre: Preflight): string {
  return pre.continues?.fullBackupSetId ?? pre.plan.plan.find((s) => s.backupType === 'Database')?.backupSetId ?? '';
}

export type UploadEvent =
  | { type: 'plan'; database: string; files: string[]; ignored: IgnoredFile[]; warnings: string[]; continues?: ChainAnchor }
  | ({ type: 'progress' } & BlockProgress)
  | { type: 'file'; result: FileUploadResult }
  | { type: 'ignored'; file: IgnoredFile };

export interface DatabaseUploadOptions {
  /** The source database whose chain is uploaded. */
  database: string;
  /** The blob folder (default: the database name). */
  folder?: string;
  mode?: MigrationMode;
  /**
   * Plan from the newest full even when the folder holds a chain already. Only for a folder no
   * migration restores from yet: a restore under way never changes its base.
   */
  newBase?: boolean;
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
  /** The chain already in the folder that this upload continued. */
  continues?: ChainAnchor;
}

export function blobNameFor(folder: string, path: string): string {
  return `${folder}/${basename(path)}`;
}

export function checkedFolder(folder: string): string {
  if (!folder || folder.includes('/') || folder.includes('\\')) throw new UploadRefusedError(`the blob folder must be a single folder name, not "${folder}"`);
  return folder;
}

export async function ensureContainer(container: ContainerClient, signal?: AbortSignal): Promise<void> {
  try {
    await container.createIfNotExists(signal ? { abortSignal: signal } : {});
  } catch (e) {
    throw toAzureError(e, `create container ${container.containerName}`);
  }
}

/** Uploads the files of `pre`, one after another in restore order (blocks within a file in parallel). */
export async function uploadChainFiles(
  container: ContainerClient,
  folder: string,
  pre: Preflight,
  paths: readonly string[],
  options: Pick<DatabaseUploadOptions, 'blockSize' | 'concurrency' | 'signal' | 'onEvent'>,
): Promise<FileUploadResult[]> {
  const stepOf = new Map(pre.plan.plan.flatMap((s) => s.files.map((f) => [f, s] as const)));
  const base = baseFullOf(pre);
  const results: FileUploadResult[] = [];
  for (const path of paths) {
    const result = await uploadFileAsBlocks(path, container.getBlockBlobClient(blobNameFor(folder, path)), {
      ...(options.blockSize && { blockSize: options.blockSize }),
      ...(options.concurrency && { concurrency: options.concurrency }),
      ...(options.signal && { signal: options.signal }),
      metadata: metadataFor(pre.plan, stepOf.get(path)!, base),
      onProgress: (p) => options.onEvent?.({ type: 'progress', ...p }),
    });
    results.push(result);
    options.onEvent?.({ type: 'file', result });
  }
  return results;
}

/** Plans what the folder needs (continuing its chain), checks the folder, then uploads. */
export async function uploadDatabaseBackups(container: ContainerClient, paths: readonly string[], options: DatabaseUploadOptions): Promise<DatabaseUploadReport> {
  const folder = checkedFolder(options.folder ?? options.database);
  const signal = options.signal;
  const state = await folderState(container, folder, options.database, { ...(options.newBase && { newBase: true }), ...(signal && { signal }) });
  const pre = await preflight(paths, options.database, options.mode ?? 'online', signal, state.anchor);
  const warnings = [...pre.warnings, ...checkFolder(state.entries, container, folder, pre)];
  // Nothing is created for a refused upload.
  if (options.createContainer !== false) await ensureContainer(container, signal);
  options.onEvent?.({ type: 'plan', database: pre.plan.name, files: pre.files, ignored: pre.ignored, warnings, ...(pre.continues && { continues: pre.continues }) });
  for (const file of pre.ignored) options.onEvent?.({ type: 'ignored', file });
  const files = await uploadChainFiles(container, folder, pre, pre.files, options);
  return { database: pre.plan.name, folder, files, ignored: pre.ignored, warnings, ...(pre.continues && { continues: pre.continues }) };
}
