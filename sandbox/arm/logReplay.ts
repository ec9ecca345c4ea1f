/**
 * Microsoft.Sql, the Log Replay Service: a managed database created with `createMode:
 * RestoreExternalBackup` (a long-running operation; the restore itself runs in dms/logReplay.ts
 * on the engine the simulated migration service uses), `completeRestore`, and the restore
 * details. Stopping a restore is deleting its database (sql.ts). What the real service refuses
 * at once (no collation, no container, no SAS token, autocomplete without its last backup, a
 * name in use) is refused here with its code; the rest fails the restore later, as LRS does.
 */
import { LogReplay } from '../dms/logReplay';
import { restoreDetailsJson } from '../dms/logReplayJson';
import { asyncHeaders, requireManagedInstance, finishLater, type Emulator } from './emulator';
import { API_VERSIONS, apiVersionOf, ArmError, badRequest, notFound, objectBody, type ArmRequest, type ArmResponse } from './http';
import { route } from './router';
import { databaseJson, managedInstanceId } from './sql';
import type { ManagedDatabaseRec, ManagedInstanceRec, StorageAccountRec } from './world';

const SQL = API_VERSIONS.sql;
const MD = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Sql/managedInstances/{managedInstanceName}/databases/{databaseName}';

const restoreKey = (mi: ManagedInstanceRec, name: string) => `${mi.resourceGroup}/${mi.name}/${name}`;
const operationPrefix = (emu: Emulator, mi: ManagedInstanceRec) => `/subscriptions/${emu.world.subscriptionId}/providers/Microsoft.Sql/locations/${mi.location}/managedDatabaseAzureAsyncOperation`;

/** The account, container and folder a container URI names: Azurite's path-style URL, or https://NAME.blob.../. */
function resolveContainer(emu: Emulator, uri: string): { account?: StorageAccountRec; container: string; prefix: string } {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw badRequest('InvalidDatabaseCreateOrUpdateRequest', `The storage container URI '${uri}' is not a URL.`);
  }
  const accounts = emu.world.storageAccounts.values();
  const byEndpoint = accounts.find((a) => a.blobEndpoint && `${url.origin}${url.pathname}`.toLowerCase().startsWith(a.blobEndpoint.toLowerCase()));
  const byHost = accounts.find((a) => url.hostname.toLowerCase().startsWith(`${a.name.toLowerCase()}.blob.`));
  const account = byEndpoint ?? byHost;
  const rest = (byEndpoint ? `${url.origin}${url.pathname}`.slice(byEndpoint.blobEndpoint.length) : url.pathname).split('/').filter(Boolean).map(decodeURIComponent);
  const [container = '', ...folder] = rest;
  return { ...(account && { account }), container, prefix: folder.map((f) => `${f}/`).join('') };
}

const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v : undefined);

ManagedDatabases_CreateOrUpdate.route = route('PUT', MD, SQL);
/**
 * Creates a database: empty (createMode Default), or restored from external backups by the Log
 * Replay Service (RestoreExternalBackup). An existing database takes new tags (200).
 */
export function ManagedDatabases_CreateOrUpdate(emu: Emulator, req: ArmRequest): ArmResponse {
  const mi = requireManagedInstance(emu, req);
  const name = req.params.databaseName!;
  const body = objectBody(req);
  const p = (typeof body.properties === 'object' && body.properties !== null ? body.properties : {}) as Record<string, unknown>;
  const tags = typeof body.tags === 'object' && body.tags !== null ? (body.tags as Record<string, string>) : undefined;
  const createMode = str(p.createMode) ?? 'Default';
  const existing = mi.databases.get(name);
  if (existing) {
    if (createMode !== 'Default') throw badRequest('ManagedDatabaseNameInUse', `Database '${name}' already exists. Choose a different database name.`);
    if (tags) existing.tags = { ...tags };
    return { status: 200, body: databaseJson(emu, mi, existing) };
  }
  if (typeof body.location !== 'string' || !body.location) throw badRequest('LocationRequired', 'The location property is required for this definition.');
  if (mi.state.toLowerCase() !== 'ready') throw badRequest('ManagedInstanceStoppingOrStopped', 'Conflicting operation submitted while instance is in stopping/stopped state');
  const now = emu.clock.date().toISOString();
  const collation = str(p.collation);
  if (createMode === 'Default') {
    const db: ManagedDatabaseRec = { name, status: 'Creating', collation: collation ?? mi.collation, creationDate: now, ...(tags && { tags: { ...tags } }) };
    mi.databases.set(name, db);
    const op = emu.longRunning.start(operationPrefix(emu, mi), apiVersionOf(req));
    finishLater(emu, op, emu.timings.migrationProvisionSeconds, () => {
      db.status = 'Online';
    });
    return { status: 201, body: databaseJson(emu, mi, db), headers: asyncHeaders(emu, op) };
  }
  if (createMode !== 'RestoreExternalBackup') {
    throw badRequest('InvalidDatabaseCreateOrUpdateRequest', `The sandbox creates databases with createMode Default or RestoreExternalBackup, not ${createMode}.`);
  }
  if (!collation) throw badRequest('MissingCollation', 'Collation is required.');
  const uri = str(p.storageContainerUri);
  if (!uri) throw badRequest('MissingStorageContainerUri', 'Missing storage container URI');
  const identity = str(p.storageContainerIdentity) ?? 'SharedAccessSignature';
  if (identity !== 'SharedAccessSignature' && identity !== 'ManagedIdentity') {
    throw badRequest('InvalidDatabaseCreateOrUpdateRequest', `storageContainerIdentity must be SharedAccessSignature or ManagedIdentity, not '${identity}'.`);
  }
  const sas = str(p.storageContainerSasToken);
  if (identity === 'SharedAccessSignature' && !sas) throw badRequest('MissingStorageContainerSasToken', 'Missing storage container SAS token');
  const autoComplete = p.autoCompleteRestore === true;
  const last = str(p.lastBackupName);
  if (autoComplete && !last) throw badRequest('AutoCompleteMissingLastBackupName', 'Auto complete restore request must have lastBackupName parameter provided.');
  if (last && /[\r\n]/.test(last)) throw badRequest('LastBackupNameHasNewline', "Please do not use forbidden characters ('\\n', '\\r') in lastBackupName.");
  // eslint-disable-next-line no-control-regex
  if (last && /[^\x00-\x7f]/.test(last)) throw badRequest('LastBackupNameHasNonAsciiCharacter', "The operation was aborted because the 'LastBackupName' parameter contains invalid characters. Only ASCII characters are allowed.");
  const where = resolveContainer(emu, uri);

  const db: ManagedDatabaseRec = { name, status: 'Creating', collation, creationDate: now, ...(tags && { tags: { ...tags } }) };
  mi.databases.set(name, db);
  const restore = new LogReplay(emu, {
    id: `${managedInstanceId(emu, mi)}/databases/${name}`,
    mi,
    db,
    ...(where.account && { account: where.account }),
    container: where.container,
    prefix: where.prefix,
    storageContainerUri: uri,
    access: identity === 'ManagedIdentity' ? { kind: 'identity' } : { kind: 'sas', token: sas! },
    autoComplete,
    ...(autoComplete && last && { lastBackupName: last }),
  });
  emu.restores.set(restoreKey(mi, name), restore);
  const op = emu.longRunning.start(operationPrefix(emu, mi), apiVersionOf(req));
  restore.start(op);
  return { status: 201, body: databaseJson(emu, mi, db), headers: asyncHeaders(emu, op) };
}

/** The database the request names and its restore, or the service's refusal. */
function requireRestore(emu: Emulator, req: ArmRequest): { mi: ManagedInstanceRec; restore?: LogReplay } {
  const mi = requireManagedInstance(emu, req);
  const name = req.params.databaseName!;
  if (!mi.databases.get(name)) throw new ArmError(404, 'ResourceDoesNotExist', `Resource with the name '${name}' does not exist. To continue, specify a valid resource name.`);
  const restore = emu.restores.get(restoreKey(mi, name));
  return { mi, ...(restore && { restore }) };
}

ManagedDatabases_CompleteRestore.route = route('POST', `${MD}/completeRestore`, SQL);
/** Completes a continuous restore: the name must be the last file restored. */
export function ManagedDatabases_CompleteRestore(emu: Emulator, req: ArmRequest): ArmResponse {
  const { mi, restore } = requireRestore(emu, req);
  const last = str(objectBody(req).lastBackupName);
  if (!last) throw badRequest('InvalidDatabaseCompleteRestoreRequestLastBackupName', 'The last backup name is invalid');
  if (!restore) throw badRequest('ManagedDatabaseNotInRestoringState', 'Managed database is not in Restoring state.');
  const refusal = restore.completeRefusal(last);
  if (refusal) throw badRequest(refusal.code, refusal.message);
  const op = emu.longRunning.start(operationPrefix(emu, mi), apiVersionOf(req));
  void restore.complete(op);
  return { status: 202, headers: asyncHeaders(emu, op) };
}

ManagedDatabaseRestoreDetails_Get.route = route('GET', `${MD}/restoreDetails/{restoreDetailsName}`, SQL);
export function ManagedDatabaseRestoreDetails_Get(emu: Emulator, req: ArmRequest): ArmResponse {
  if (req.params.restoreDetailsName!.toLowerCase() !== 'default') {
    throw notFound('Microsoft.Sql/managedInstances/databases/restoreDetails', req.params.restoreDetailsName!);
  }
  const { restore } = requireRestore(emu, req);
  if (!restore) throw badRequest('RestoreDetailsNotAvailableOrExpired', 'Requested restore details are not available, or have expired.');
  return { status: 200, body: restoreDetailsJson(restore) };
}
