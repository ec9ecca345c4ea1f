/**
 * What a database's blob folder already holds. Each blob we upload carries its database, lineage,
 * backup set, type, LSN range and the full backup its chain starts from in metadata; a blob
 * someone else put there is read through the backup engine (a few ranged reads). From that the
 * chain already in the folder is known, so a later upload continues it instead of starting
 * again from a newer full backup the migration service, already restoring, would never use.
 */
import type { ContainerClient } from '@azure/storage-blob';
import { formatLsn, readBackup, type BackupType, type ChainAnchor, type DatabasePlan, type Lsn, type PlanStep, type RecoveryModel } from '../backup';
import { BlobSource } from '../azure/blobSource';
import { toAzureError } from '../azure/errors';

export const META = {
  database: 'sqlmigdatabase',
  family: 'sqlmigfamilyguid',
  backupSet: 'sqlmigbackupset',
  baseFull: 'sqlmigbasefull',
  type: 'sqlmigtype',
  firstLsn: 'sqlmigfirstlsn',
  lastLsn: 'sqlmiglastlsn',
  /** The source database's recovery model (FULL, BULK_LOGGED, SIMPLE). */
  recoveryModel: 'sqlmigrecoverymodel',
  /** The major version of the SQL Server that wrote the backup. */
  serverVersion: 'sqlmigsqlversion',
} as const;

export interface LocationEntry {
  /** The blob's name inside the folder. */
  name: string;
  /** True when sqlmig uploaded it (its metadata describe it). */
  ours: boolean;
  /** A blob below the folder: the migration service reads only the folder itself. */
  nested: boolean;
  database?: string;
  familyGuid?: string;
  backupSetId?: string;
  /** The full backup the chain this blob was uploaded for starts from. */
  baseFullSetId?: string;
  backupType?: BackupType;
  firstLsn?: Lsn;
  lastLsn?: Lsn;
  recoveryModel?: RecoveryModel;
  /** The major version of the SQL Server that wrote it (10 = 2008). */
  softwareVersionMajor?: number;
  lastModified?: Date;
  size: number;
}

/** Blob metadata for one file of a chain. */
export function metadataFor(plan: DatabasePlan, step: PlanStep, baseFullSetId: string): Record<string, string> {
  return {
    [META.database]: plan.name,
    [META.family]: plan.familyGuid,
    [META.backupSet]: step.backupSetId,
    [META.baseFull]: baseFullSetId,
    [META.type]: step.backupType,
    [META.firstLsn]: formatLsn(step.firstLsn),
    [META.lastLsn]: formatLsn(step.lastLsn),
    ...(plan.recoveryModel && { [META.recoveryModel]: plan.recoveryModel }),
    ...(step.softwareVersionMajor && { [META.serverVersion]: String(step.softwareVersionMajor) }),
  };
}

function lsnOf(v: string | undefined): Lsn | undefined {
  return v !== undefined && /^\d{1,30}$/.test(v) ? BigInt(v) : undefined;
}

/** Lists the folder; blobs without our metadata have their headers read (never their data). */
export async function readLocation(container: ContainerClient, folder: string, signal?: AbortSignal): Promise<LocationEntry[]> {
  const entries: LocationEntry[] = [];
  try {
    // An empty folder is the whole container (a migration may restore from a container's root).
    const prefix = folder ? `${folder}/` : '';
    for await (const b of container.listBlobsFlat({ prefix, includeMetadata: true, ...(signal && { abortSignal: signal }) })) {
      const name = b.name.slice(prefix.length);
      const m = b.metadata ?? {};
      const e: LocationEntry = { name, ours: m[META.database] !== undefined, nested: name.includes('/'), size: b.properties.contentLength ?? 0 };
      if (b.properties.lastModified) e.lastModified = b.properties.lastModified;
      if (e.ours) {
        e.database = m[META.database]!;
        if (m[META.family]) e.familyGuid = m[META.family];
        if (m[META.backupSet]) e.backupSetId = m[META.backupSet];
        if (m[META.baseFull]) e.baseFullSetId = m[META.baseFull];
        if (m[META.type]) e.backupType = m[META.type] as BackupType;
        const first = lsnOf(m[META.firstLsn]);
        const last = lsnOf(m[META.lastLsn]);
        if (first !== undefined) e.firstLsn = first;
        if (last !== undefined) e.lastLsn = last;
        if (m[META.recoveryModel] && ['FULL', 'BULK_LOGGED', 'SIMPLE'].includes(m[META.recoveryModel]!)) e.recoveryModel = m[META.recoveryModel] as RecoveryModel;
        if (m[META.serverVersion] && /^\d{1,3}$/.test(m[META.serverVersion]!)) e.softwareVersionMajor = Number(m[META.serverVersion]);
      } else if (!e.nested) {
        const source = await BlobSource.open(container.getBlobClient(b.name), { size: e.size, ...(b.properties.etag && { etag: b.properties.etag }) }, signal ? { abortSignal: signal } : {});
        const h = (await readBackup(source)).header;
        if (h) {
          Object.assign(e, { database: h.databaseName, familyGuid: h.familyGuid, backupSetId: h.backupSetId, backupType: h.backupType, firstLsn: h.firstLsn, lastLsn: h.lastLsn });
          if (h.recoveryModel) e.recoveryModel = h.recoveryModel;
          if (h.softwareVersionMajor) e.softwareVersionMajor = h.softwareVersionMajor;
        }
      }
      entries.push(e);
    }
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) return entries; // no container yet
    throw toAzureError(e, `list the folder ${folder} in container ${container.containerName}`);
  }
  return entries;
}

/**
 * The chain of `database` already in the folder: the full it starts from (the one our newest
 * upload names, else the newest full there) and how far its log backups reach without a gap.
 */
export function chainInLocation(entries: readonly LocationEntry[], database: string, where: string): ChainAnchor | undefined {
  const mine = entries.filter((e) => !e.nested && e.database?.toLowerCase() === database.toLowerCase() && e.lastLsn !== undefined);
  const newestOurs = mine.filter((e) => e.baseFullSetId).sort((a, b) => (b.lastModified?.getTime() ?? 0) - (a.lastModified?.getTime() ?? 0))[0];
  const fulls = mine.filter((e) => e.backupType === 'Database');
  const full = newestOurs
    ? fulls.find((e) => e.backupSetId === newestOurs.baseFullSetId)
    : fulls.sort((a, b) => (b.lastLsn! > a.lastLsn! ? 1 : b.lastLsn! < a.lastLsn! ? -1 : 0))[0];
  if (!full?.familyGuid || !full.backupSetId) return undefined;
  let reached = full.lastLsn!;
  // A differential on this full counts: the service restores it (the chain then goes on from it).
  for (const d of mine) if (d.backupType === 'DifferentialDatabase' && d.familyGuid === full.familyGuid && d.baseFullSetId === full.backupSetId && d.lastLsn! > reached) reached = d.lastLsn!;
  const logs = mine.filter((e) => e.backupType === 'TransactionLog' && e.familyGuid === full.familyGuid).sort((a, b) => (a.firstLsn! < b.firstLsn! ? -1 : a.firstLsn! > b.firstLsn! ? 1 : 0));
  for (const l of logs) if (l.firstLsn! <= reached && l.lastLsn! > reached) reached = l.lastLsn!;
  return { familyGuid: full.familyGuid, fullBackupSetId: full.backupSetId, reachedLsn: reached, where };
}

/** The file the chain in the folder ends on (the last one written when several end at its LSN). */
export function lastFileInLocation(entries: readonly LocationEntry[], anchor: ChainAnchor): string | undefined {
  return entries
    .filter((e) => !e.nested && e.familyGuid === anchor.familyGuid && e.lastLsn === anchor.reachedLsn)
    .sort((a, b) => (a.lastModified?.getTime() ?? 0) - (b.lastModified?.getTime() ?? 0) || a.name.localeCompare(b.name))
    .at(-1)?.name;
}
