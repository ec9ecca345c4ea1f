/** Log Replay Service restores through the sqlmig CLI against the sandbox: the arguments and reads the tests share. */
import assert from 'node:assert/strict';
import { ContainerSASPermissions, generateBlobSASQueryParameters, SASProtocol, StorageSharedKeyCredential } from '@azure/storage-blob';
import type { Sandbox } from '../../../sandbox/sandbox';
import { sqlmig } from '../../support/cli';
import { azure } from './support';

/** `log-replay start` from blob folders of the sandbox's storage account, plus extra options. */
export function lrsStartArgs(sb: Sandbox, container: string, databases: string[], extra: string[] = [], target = sb.info.managedInstanceId): string[] {
  return [
    'log-replay', 'start', ...azure(sb),
    '--target', target,
    '--storage-account-id', sb.info.storageAccountId,
    '--container', container,
    ...databases.flatMap((d) => ['--database', d]),
    ...extra,
  ];
}

export function restoreId(sb: Sandbox, database: string, target = sb.info.managedInstanceId): string {
  return `${target}/databases/${database}`;
}

export interface RestoreJson {
  status: string;
  databaseStatus: string;
  restoreStatus?: string;
  mode?: string;
  files: { fileName: string; state: string; reason?: string; backupType?: string }[];
  problems: string[];
  lastRestoredFile?: string;
  deadline?: string;
}

/** One restore as `log-replay status --json` prints it. */
export async function lrsStatus(sb: Sandbox, database: string, target = sb.info.managedInstanceId): Promise<RestoreJson> {
  const r = await sqlmig(['log-replay', 'status', ...azure(sb), '--restore', restoreId(sb, database, target), '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout).restores[0];
}

export function lrsFileState(s: RestoreJson, name: string): string | undefined {
  return s.files.find((f) => f.fileName === name)?.state;
}

/** A container SAS of the sandbox's account with these permissions, as a DBA might make one. */
export function sasToken(sb: Sandbox, container: string, permissions: string, days = 40): string {
  const a = sb.azurite.accounts[0]!;
  return generateBlobSASQueryParameters(
    { containerName: container, permissions: ContainerSASPermissions.parse(permissions), expiresOn: new Date(Date.now() + days * 86_400_000), protocol: SASProtocol.HttpsAndHttp },
    new StorageSharedKeyCredential(a.name, a.key1),
  ).toString();
}
