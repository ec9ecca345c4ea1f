/** Plain-HTTP helpers for the sandbox tests: ARM calls with the sandbox token, polling, uploads. */
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import type { Sandbox } from '../../../sandbox/sandbox';

export const DMS_API = '2025-09-01-preview';

export interface Reply {
  status: number;
  headers: Headers;
  body: any;
}

/** One ARM call; `path` may be absolute (a nextLink or an Azure-AsyncOperation URL). */
export async function arm(sb: Sandbox, method: string, path: string, body?: unknown, apiVersion = DMS_API, token = sb.info.accessToken): Promise<Reply> {
  const url = new URL(path, sb.info.armEndpoint);
  if (!url.searchParams.has('api-version') && apiVersion) url.searchParams.set('api-version', apiVersion);
  const res = await fetch(url, {
    method,
    headers: { ...(token && { authorization: `Bearer ${token}` }), ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

/** Polls `probe` until it returns a value other than undefined; fails with the last state after `ms`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000, every = 25): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    const v = await probe().catch((e) => ((last = e), undefined));
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? ` (last: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

/** Polls an Azure-AsyncOperation URL until the operation ends; returns its final body. */
export async function waitOperation(sb: Sandbox, reply: Reply): Promise<any> {
  const url = reply.headers.get('azure-asyncoperation');
  if (!url) throw new Error(`no Azure-AsyncOperation header (status ${reply.status})`);
  return waitFor(`operation ${url}`, async () => {
    const r = await arm(sb, 'GET', url);
    return r.body.status === 'InProgress' ? undefined : r.body;
  });
}

export function container(sb: Sandbox, name: string, account = sb.azurite.accounts[0]!) {
  return new BlobServiceClient(sb.azurite.blobEndpoint(account.name).replace(/\/$/, ''), new StorageSharedKeyCredential(account.name, account.key1)).getContainerClient(name);
}

/** The names of the blobs under `prefix` in a container of the sandbox's storage account, sorted (none when the container does not exist). */
export async function blobNames(sb: Sandbox, containerName: string, prefix = ''): Promise<string[]> {
  const c = container(sb, containerName);
  const names: string[] = [];
  if (!(await c.exists())) return names;
  for await (const b of c.listBlobsFlat({ prefix })) names.push(b.name);
  return names.sort();
}

export async function upload(sb: Sandbox, containerName: string, files: { fileName: string; bytes: Uint8Array }[]): Promise<void> {
  const c = container(sb, containerName);
  await c.createIfNotExists();
  for (const f of files) await c.getBlockBlobClient(f.fileName).uploadData(f.bytes);
}

export function migrationPath(sb: Sandbox, db: string): string {
  return `${sb.info.managedInstanceId}/providers/Microsoft.DataMigration/databaseMigrations/${db}`;
}

/** A PUT body for a migration from a blob container of the sandbox's first storage account. */
export function blobMigration(sb: Sandbox, o: { source: string; container: string; offline?: boolean; lastBackupName?: string; accountKey?: string }) {
  return {
    properties: {
      kind: 'SqlMi',
      scope: sb.info.managedInstanceId,
      migrationService: sb.info.migrationServiceId,
      sourceDatabaseName: o.source,
      sourceSqlConnection: { dataSource: 'SQLSRC01', authentication: 'SqlAuthentication', userName: 'migrator', password: `pw-${Math.random()}` },
      backupConfiguration: {
        sourceLocation: {
          azureBlob: { authType: 'AccountKey', storageAccountResourceId: sb.info.storageAccountId, accountKey: o.accountKey ?? sb.azurite.accounts[0]!.key1, blobContainerName: o.container },
        },
      },
      ...(o.offline && { offlineConfiguration: { offline: true, ...(o.lastBackupName && { lastBackupName: o.lastBackupName }) } }),
    },
  };
}

export async function getMigration(sb: Sandbox, db: string): Promise<any> {
  const r = await arm(sb, 'GET', `${migrationPath(sb, db)}?$expand=MigrationStatusDetails`);
  if (r.status !== 200) throw new Error(`GET migration ${db}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.properties;
}

/** Every file of the expanded status, by name. */
export function filesOf(props: any): Map<string, any> {
  const out = new Map<string, any>();
  for (const set of props.migrationStatusDetails?.activeBackupSets ?? []) for (const f of set.listOfBackupFiles) out.set(f.fileName, { ...f, set });
  return out;
}

/** Fast timings for tests (simulated seconds; the clock runs fast too). */
export const FAST = {
  serviceProvisionSeconds: 1,
  deleteSeconds: 1,
  migrationProvisionSeconds: 1,
  scanIntervalSeconds: 2,
  restoreBaseSeconds: 2,
  restoreMBps: 200,
  cutoverSeconds: 2,
  cancelSeconds: 2,
};
