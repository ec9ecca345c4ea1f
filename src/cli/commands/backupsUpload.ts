/** `sqlmig backups upload`: local backups -> the database's folder in a blob container. */
import { basename } from 'node:path';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { isLoopback } from '../../core/azure/cloud';
import { containerClient, containerNameProblem, getStorageAccount, getStorageAccountKey } from '../../core/azure/storage';
import { displayPath, sizeText } from '../../core/text';
import { formatLsn } from '../../core/backup';
import { DEFAULT_BLOCK_SIZE, DEFAULT_CONCURRENCY, uploadDatabaseBackups, watchAndUpload, type DatabaseUploadReport, type WatchEvent } from '../../core/upload';

const MIB = 1024 * 1024;
import { AZURE_HELP, AZURE_OPTIONS, azureSession, need, printJson, str, type AzureSession, sandboxExample, SANDBOX_CLOUD, SANDBOX_PROVIDERS } from '../azureArgs';
import { EXIT_OK, UsageError, type Command, type Io, type Values } from '../command';

function checkedEndpoint(url: string): void {
  const u = new URL(url);
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && isLoopback(url))) {
    throw new UsageError(`refusing to send storage credentials to ${u.origin}: only https (or this machine's loopback) is allowed`);
  }
}

async function containerFrom(values: Values, io: Io, name: string): Promise<ContainerClient> {
  const accountId = str(values, 'storage-account-id');
  if (accountId) {
    const session: AzureSession = await azureSession(values, io);
    const account = await getStorageAccount(session.ctx, accountId, io.signal);
    if (!account.blobEndpoint) throw new Error(`storage account ${account.name} reports no blob endpoint`);
    const accountKey = await getStorageAccountKey(session.ctx, accountId, io.signal);
    return containerClient({ blobEndpoint: account.blobEndpoint, accountName: account.name, accountKey }, name);
  }
  const conn = io.env.AZURE_STORAGE_CONNECTION_STRING;
  if (conn) {
    let service: BlobServiceClient;
    try {
      service = BlobServiceClient.fromConnectionString(conn);
    } catch {
      throw new UsageError('AZURE_STORAGE_CONNECTION_STRING is not a valid storage connection string');
    }
    checkedEndpoint(service.url);
    return service.getContainerClient(name);
  }
  const account = str(values, 'account');
  const key = io.env.AZURE_STORAGE_KEY;
  if (account && key) {
    const endpoint = str(values, 'blob-endpoint') ?? `https://${account}.blob.core.windows.net/`;
    checkedEndpoint(endpoint);
    return containerClient({ blobEndpoint: endpoint, accountName: account, accountKey: key }, name);
  }
  throw new UsageError('say where to upload: --storage-account-id ID (key read through Azure), or AZURE_STORAGE_CONNECTION_STRING, or --account NAME with AZURE_STORAGE_KEY');
}

const mib = sizeText;

export const backupsUpload: Command = {
  name: ['backups', 'upload'],
  summary: 'Upload a database\'s backup chain to its own folder in a blob container',
  usage: 'sqlmig backups upload <path>... --database NAME --container NAME [--folder NAME] [--watch] [storage] [--json]',
  help: `Reads the header of every backup file under the given files and folders, plans the restore
chain of --database (latest full, differential, then the log backups that continue the LSN
chain) and uploads only those files, in restore order, into CONTAINER/FOLDER (FOLDER defaults
to the database name: each database needs its own folder). Other files are listed with the
reason they are left out. A folder already holding another database's backups is refused.

Uploads are verified (the service checks each block's MD5; a block's id carries its MD5) and
resumable: after a crash or Ctrl-C, run the same command again and the blocks already sent are
not sent again; files already uploaded (the same blocks) are skipped.

A folder that already holds a chain is continued, never re-based: run again (or restart
--watch) and every log backup that continues the chain there goes up, while a newer full
backup is reported and left out, because a migration already restoring from the folder keeps
its full backup and would otherwise wait forever for the logs the new full made unnecessary.
--new-base starts over from the newest full, for a folder no migration restores from yet.

With --watch it keeps running for an online migration: each new log backup that appears in the
folder (once it has finished writing) is uploaded; one that breaks the chain is reported and
not sent. Stop with Ctrl-C.

Options:
  --database NAME      the source database whose backups to upload
  --container NAME     the blob container (created if missing; "backup" is reserved on SQL MI)
  --folder NAME        the folder in the container (default: the database name)
  --offline            plan for an offline migration (SIMPLE recovery is then fine)
  --new-base           plan from the newest full even if the folder holds a chain (only
                       before a migration restores from it)
  --watch              keep uploading new log backups until interrupted
  --interval SECONDS   how often --watch looks at the folder (default 5)
  --block-size MIB     block size (default ${DEFAULT_BLOCK_SIZE / MIB})
  --concurrency N      blocks in flight per file (default ${DEFAULT_CONCURRENCY})

Storage (one of):
  --storage-account-id ID           the account's resource id: its endpoint and key are read
                                    through Azure (with the Azure options below)
  AZURE_STORAGE_CONNECTION_STRING   a connection string, from the environment
  --account NAME [--blob-endpoint URL] with the key in AZURE_STORAGE_KEY

${AZURE_HELP}

${sandboxExample([
  `S=${SANDBOX_PROVIDERS}`,
  `sqlmig backups upload /tmp/sqlmig-backups/Sales --database Sales --container migrations \\`,
  `  --storage-account-id $S/Microsoft.Storage/storageAccounts/sqlmigsandbox ${SANDBOX_CLOUD}`,
], 'sample backups: npm run demo:scan -- --out /tmp/sqlmig-backups')}

Exit code: 0 when the chain is uploaded, 1 when the upload failed or was refused, 2 on usage errors.`,
  options: {
    ...AZURE_OPTIONS,
    database: { type: 'string' },
    container: { type: 'string' },
    folder: { type: 'string' },
    offline: { type: 'boolean' },
    'new-base': { type: 'boolean' },
    watch: { type: 'boolean' },
    interval: { type: 'string' },
    'block-size': { type: 'string' },
    concurrency: { type: 'string' },
    'storage-account-id': { type: 'string' },
    account: { type: 'string' },
    'blob-endpoint': { type: 'string' },
  },
  positionals: true,
  async run(values, positionals, io) {
    if (positionals.length === 0) throw new UsageError('name at least one backup file or folder');
    const database = need(values, 'database');
    const containerName = need(values, 'container');
    const problem = containerNameProblem(containerName);
    if (problem) throw new UsageError(problem);
    const number = (name: string, fallback: number, min: number, max: number) => {
      const v = str(values, name);
      if (v === undefined) return fallback;
      const n = Number(v);
      if (!Number.isFinite(n) || n < min || n > max) throw new UsageError(`--${name} must be a number from ${min} to ${max}`);
      return n;
    };
    const blockSize = Math.round(number('block-size', DEFAULT_BLOCK_SIZE / MIB, 0.0625, 4000) * MIB);
    const concurrency = number('concurrency', DEFAULT_CONCURRENCY, 1, 64);
    const intervalMs = number('interval', 5, 0.05, 3600) * 1000;
    const container = await containerFrom(values, io, containerName);
    const json = Boolean(values.json);
    let lastProgress = 0;
    const onEvent = (e: WatchEvent) => {
      if (json) return;
      switch (e.type) {
        case 'plan':
          io.out(`${e.database}: ${e.files.length} file(s) in the restore chain -> ${containerName}/${str(values, 'folder') ?? database}/`);
          if (e.continues) io.out(`  continuing the chain already there (full backup set ${e.continues.fullBackupSetId}, up to LSN ${formatLsn(e.continues.reachedLsn)})`);
          for (const w of e.warnings) io.err(`warning: ${w}`);
          break;
        case 'ignored':
          io.out(`  skip    ${displayPath(e.file.path, io.cwd)}: ${e.file.reason}`);
          break;
        case 'progress':
          if (io.isTty && Date.now() - lastProgress > 200) {
            lastProgress = Date.now();
            io.err(`\r  ${basename(e.path)}  ${mib(e.bytesDone)} / ${mib(e.bytesTotal)}   `);
          }
          break;
        case 'file': {
          const r = e.result;
          if (io.isTty) io.err('\r\x1b[K');
          const how = r.outcome === 'identical' ? 'already there (the same blocks)' : r.outcome === 'resumed' ? `resumed, ${r.blocksReused} block(s) already sent` : 'uploaded';
          io.out(`  ${r.outcome === 'identical' ? 'same  ' : 'upload'}  ${r.blobName}  ${mib(r.size)}  ${how}`);
          break;
        }
        case 'waiting':
          io.err(`waiting: ${e.reason}`);
          break;
        case 'idle':
          break;
      }
    };
    const common = {
      database,
      ...(str(values, 'folder') && { folder: str(values, 'folder') }),
      mode: values.offline ? ('offline' as const) : ('online' as const),
      ...(values['new-base'] && { newBase: true }),
      blockSize,
      concurrency,
      ...(io.signal && { signal: io.signal }),
      onEvent,
    };
    let report: DatabaseUploadReport;
    if (values.watch) {
      if (!json) io.out(`Watching ${positionals.map((p) => displayPath(p, io.cwd)).join(', ')} for new backups of ${database} (Ctrl-C to stop)`);
      report = await watchAndUpload(container, positionals, { ...common, intervalMs });
    } else {
      report = await uploadDatabaseBackups(container, positionals, common);
    }
    if (json) {
      printJson(io, {
        database: report.database,
        container: containerName,
        folder: report.folder,
        files: report.files.map((f) => ({ path: f.path, blob: f.blobName, size: f.size, md5: f.md5, outcome: f.outcome, blocksSent: f.blocksSent, blocksReused: f.blocksReused })),
        ignored: report.ignored,
        warnings: report.warnings,
        ...(report.continues && { continues: { fullBackupSetId: report.continues.fullBackupSetId, reachedLsn: formatLsn(report.continues.reachedLsn) } }),
      });
    } else if (!values.watch) {
      const sent = report.files.reduce((n, f) => n + f.bytesSent, 0);
      io.out(`Done: ${report.files.length} file(s) in ${containerName}/${report.folder}/, ${mib(sent)} sent.`);
    }
    return EXIT_OK;
  },
};
