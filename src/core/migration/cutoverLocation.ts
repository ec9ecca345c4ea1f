/**
 * The backup location of a migration as it is now, for the cutover guard: the blob folder the
 * service restores from, each backup's LSN range (our blob metadata, or the header read through
 * the backup engine), and blobs still being uploaded (blocks staged, nothing committed). A
 * network share is read by the integration runtime on the source's network, not from here: the
 * guard then says it could not compare.
 */
import type { ContainerClient } from '@azure/storage-blob';
import type { AzureContext } from '../azure/context';
import type { DatabaseMigrationSqlMi } from '../azure/dms/models';
import { containerClient, getStorageAccount, getStorageAccountKey } from '../azure/storage';
import { toAzureError } from '../azure/errors';
import { readLocation } from '../upload/location';
import type { LocationView } from './cutover';
import type { LrsRestoreView } from './lrsStatus';

/** Blobs with staged blocks and no committed content yet: an upload under way. */
async function uncommitted(container: ContainerClient, folder: string, committed: ReadonlySet<string>, signal?: AbortSignal): Promise<string[]> {
  const out: string[] = [];
  try {
    const prefix = folder ? `${folder}/` : '';
    for await (const b of container.listBlobsFlat({ prefix, includeUncommitedBlobs: true, ...(signal && { abortSignal: signal }) })) {
      const name = b.name.slice(prefix.length);
      if (!committed.has(name)) out.push(name);
    }
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) return out;
    throw toAzureError(e, `list the uploads in progress in ${container.containerName}/${folder}`);
  }
  return out;
}

/** Reads the blob folder of `m`; `inFlight` adds files our own uploader is still sending. */
export async function readCutoverLocation(
  ctx: AzureContext,
  m: DatabaseMigrationSqlMi,
  options: { signal?: AbortSignal; inFlight?: readonly string[] } = {},
): Promise<LocationView> {
  const source = m.properties?.backupConfiguration?.sourceLocation;
  const blob = source?.azureBlob;
  if (!blob?.storageAccountResourceId || !blob.blobContainerName) {
    return {
      where: 'the network share',
      backups: [],
      inFlight: [...(options.inFlight ?? [])],
      unchecked: 'a network share is read by the integration runtime, not from this machine; make sure the tail-log backup is in the share and listed as restored',
    };
  }
  return readBlobFolderLocation(ctx, blob.storageAccountResourceId, blob.blobContainerName, options);
}

/** Reads a blob folder (`container/folder` of a storage account) as the guard compares it. */
export async function readBlobFolderLocation(
  ctx: AzureContext,
  storageAccountId: string,
  containerPath: string,
  options: { signal?: AbortSignal; inFlight?: readonly string[] } = {},
): Promise<LocationView> {
  const [containerName, ...rest] = containerPath.split('/');
  const folder = rest.filter(Boolean).join('/');
  const [account, key] = await Promise.all([getStorageAccount(ctx, storageAccountId, options.signal), getStorageAccountKey(ctx, storageAccountId, options.signal)]);
  if (!account.blobEndpoint) throw new Error(`storage account ${account.name} reports no blob endpoint`);
  const container = containerClient({ blobEndpoint: account.blobEndpoint, accountName: account.name, accountKey: key }, containerName!);
  const where = `the blob folder ${containerName}/${folder ? `${folder}/` : ''}`;
  const entries = await readLocation(container, folder, options.signal);
  const staged = await uncommitted(container, folder, new Set(entries.map((e) => e.name)), options.signal);
  return {
    where,
    backups: entries
      .filter((e) => !e.nested)
      .map((e) => ({
        name: e.name,
        ...(e.database && { database: e.database }),
        ...(e.backupType && { backupType: e.backupType }),
        ...(e.firstLsn !== undefined && { firstLsn: e.firstLsn }),
        ...(e.lastLsn !== undefined && { lastLsn: e.lastLsn }),
      })),
    inFlight: [...new Set([...staged, ...(options.inFlight ?? [])])],
  };
}

/**
 * The backup location of a Log Replay Service restore: the folder its tags name (sqlmig started
 * it), or the one given (`storageAccountId` + `container/folder`) for a restore started elsewhere.
 * Without either, the guard says it could not compare.
 */
export async function readRestoreLocation(
  ctx: AzureContext,
  v: Pick<LrsRestoreView, 'storageAccountId' | 'folder'>,
  options: { signal?: AbortSignal; inFlight?: readonly string[]; storageAccountId?: string; folder?: string } = {},
): Promise<LocationView> {
  const account = options.storageAccountId ?? v.storageAccountId;
  const folder = options.folder ?? v.folder;
  if (!account || !folder) {
    return {
      where: 'the backup location',
      backups: [],
      inFlight: [...(options.inFlight ?? [])],
      unchecked: 'this restore was not started by sqlmig, so its container is not known here (ARM does not return it): name it with --storage-account-id and --container, or make sure the tail-log backup is listed as restored',
    };
  }
  return readBlobFolderLocation(ctx, account, folder, options);
}
