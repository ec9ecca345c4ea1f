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
  const [containerName, ...rest] = blob.blobContainerName.split('/');
  const folder = rest.filter(Boolean).join('/');
  const [account, key] = await Promise.all([getStorageAccount(ctx, blob.storageAccountResourceId, options.signal), getStorageAccountKey(ctx, blob.storageAccountResourceId, options.signal)]);
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
