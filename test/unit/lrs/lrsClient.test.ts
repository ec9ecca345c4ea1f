/**
 * The Log Replay Service client: the requests it sends (body, api-version), its long-running
 * operations, and changes whose answer is lost found out by reading the database, never sent
 * again; the SAS token never in an error.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RestError } from '@azure/core-rest-pipeline';
import { AzureError } from '../../../src/core/azure';
import { LrsClient, managedDatabaseIdOf, restoreRefFromId, type RestoreRef, type RestoreRequest } from '../../../src/core/azure/lrs/client';
import { ScriptedHttp, testContext, type Reply } from '../azure/scriptedHttp';

const sub = '00000000-1111-2222-3333-444444444444';
const ref: RestoreRef = { subscriptionId: sub, resourceGroup: 'rg', managedInstance: 'mi1', targetDatabase: 'Sales' };
const DB = /\/managedInstances\/mi1\/databases\/Sales$/;
const ASYNC = `https://management.azure.com/subscriptions/${sub}/providers/Microsoft.Sql/locations/eastus/managedDatabaseAzureAsyncOperation/op1`;
const ASYNC_PATH = /managedDatabaseAzureAsyncOperation/;
const SAS = 'sv=2024-08-04&sr=c&sp=rl&se=2030-01-01T00%3A00%3A00Z&sig=c2VjcmV0LXNpZ25hdHVyZS1ub3Qtc2hvd24%3D';
const request: RestoreRequest = {
  location: 'eastus',
  collation: 'SQL_Latin1_General_CP1_CI_AS',
  storageContainerUri: 'https://acct.blob.core.windows.net/backups/Sales',
  identity: 'SharedAccessSignature',
  sasToken: SAS,
  tags: { 'sqlmig-lrs-source': 'Sales' },
};
const db = (status: string, tags: Record<string, string> = { 'sqlmig-lrs-source': 'Sales' }): Reply => ({ status: 200, body: { id: managedDatabaseIdOf(ref), name: 'Sales', location: 'eastus', tags, properties: { status } } });
const error = (status: number, code: string, message: string): Reply => ({ status, body: { error: { code, message } } });
const dropped = () => new RestError('socket hang up', { code: 'ECONNRESET' });
const client = (http: ScriptedHttp) => new LrsClient(testContext(http), { pollIntervalMs: 1 });
const count = (http: ScriptedHttp, method: string, path: RegExp) => http.requests.filter((r) => r.method === method && path.test(r.url.pathname)).length;

test('managed database ids and refs', () => {
  const id = managedDatabaseIdOf(ref);
  assert.equal(id, `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.Sql/managedInstances/mi1/databases/Sales`);
  assert.deepEqual(restoreRefFromId(id), ref);
  assert.throws(() => restoreRefFromId('/subscriptions/x/resourceGroups/rg/providers/Microsoft.Sql/managedInstances/mi1'), /not a managed database id/);
});

test('start: the PUT the service takes (RestoreExternalBackup, the token, autocomplete with its last backup), followed to the end', async () => {
  const http = new ScriptedHttp()
    .on('PUT', DB, { status: 201, headers: { 'azure-asyncoperation': ASYNC }, body: { name: 'Sales', properties: { status: 'Creating' } } })
    .on('GET', ASYNC_PATH, { status: 200, body: { status: 'InProgress' } }, { status: 200, body: { status: 'Succeeded' } })
    .on('GET', DB, db('Restoring'));
  const created = await client(http).startRestore(ref, { ...request, lastBackupName: 'Sales_LOG_003.trn' });
  assert.equal(created.properties?.status, 'Restoring');
  const put = http.requests.find((r) => r.method === 'PUT')!;
  assert.equal(put.url.searchParams.get('api-version'), '2025-01-01');
  assert.deepEqual(put.body, {
    location: 'eastus',
    tags: { 'sqlmig-lrs-source': 'Sales' },
    properties: {
      createMode: 'RestoreExternalBackup',
      collation: 'SQL_Latin1_General_CP1_CI_AS',
      storageContainerUri: 'https://acct.blob.core.windows.net/backups/Sales',
      storageContainerIdentity: 'SharedAccessSignature',
      storageContainerSasToken: SAS,
      autoCompleteRestore: true,
      lastBackupName: 'Sales_LOG_003.trn',
    },
  });
  const mi = LrsClient.body({ ...request, identity: 'ManagedIdentity' });
  assert.equal(mi.properties?.storageContainerSasToken, undefined, 'no token with the managed identity');
  assert.equal(mi.properties?.autoCompleteRestore, false, 'continuous without a last backup');
});

describe('a change whose answer is lost is read back, not sent again', () => {
  test('start: the connection drops; a database Restoring with this request\'s tags is the restore', async () => {
    const http = new ScriptedHttp().on('PUT', DB, dropped(), error(400, 'ManagedDatabaseNameInUse', 'in use')).on('GET', DB, db('Creating'), db('Restoring'));
    const started = await client(http).startRestore(ref, request);
    assert.equal(started.properties?.status, 'Restoring');
    assert.equal(count(http, 'PUT', DB), 1, 'sent once');
  });

  test('start: a 503, and a database of that name that is not this restore: the original error, with what was read; the token is not in it', async () => {
    const http = new ScriptedHttp().on('PUT', DB, error(503, 'ServiceUnavailable', `Try again (token ${SAS}).`)).on('GET', DB, db('Online', {}));
    const err = await client(http).startRestore(ref, request).catch((e) => e);
    assert.ok(err instanceof AzureError);
    assert.equal(err.code, 'ServiceUnavailable');
    assert.match(err.message, /Read again, a database Sales exists \(Online\) but it is not the restore this request starts/);
    assert.ok(!err.message.includes(SAS) && !err.message.includes('c2VjcmV0'), 'the SAS token is cut out');
    assert.equal(count(http, 'PUT', DB), 1);
  });

  test('complete: dropped after the service took it; a database online (or a restore completing) took it', async () => {
    for (const [dbReply, details] of [[db('Online'), undefined], [db('Restoring'), { status: 200, body: { properties: { status: 'Completing' } } }]] as const) {
      const http = new ScriptedHttp().on('POST', /\/completeRestore$/, dropped()).on('GET', DB, dbReply);
      if (details) http.on('GET', /\/restoreDetails\/Default$/, details);
      await client(http).completeRestore(ref, 'Sales_LOG_003.trn');
      assert.equal(count(http, 'POST', /\/completeRestore$/), 1);
      assert.deepEqual(http.requests.find((r) => r.method === 'POST')!.body, { lastBackupName: 'Sales_LOG_003.trn' });
    }
  });

  test('complete: a service refusal is the service\'s code and message (RequiredBackupIsNotLastRestored)', async () => {
    const http = new ScriptedHttp().on('POST', /\/completeRestore$/, error(400, 'RequiredBackupIsNotLastRestored', 'Migration cannot be completed because provided backup file name is not the name of the last backup file that is restored.'));
    await assert.rejects(client(http).completeRestore(ref, 'Sales_LOG_002.trn'), /^AzureError: Could not complete the restore of Sales: RequiredBackupIsNotLastRestored \(HTTP 400\): Migration cannot be completed/);
  });

  test('a failed operation rejects with the code the operation reports', async () => {
    const http = new ScriptedHttp()
      .on('POST', /\/completeRestore$/, { status: 202, headers: { 'azure-asyncoperation': ASYNC } })
      .on('GET', ASYNC_PATH, { status: 200, body: { status: 'Failed', error: { code: 'SqlRestoreError', message: 'Non retriable error occurred while restoring backup.' } } });
    await assert.rejects(client(http).completeRestore(ref, 'x.trn'), /SqlRestoreError: Non retriable error occurred while restoring backup\./);
  });

  test('stop: a 500 and the database gone is a stop done; one still there and not stopping is not', async () => {
    const gone = new ScriptedHttp().on('DELETE', DB, error(500, 'InternalServerError', 'boom')).on('GET', DB, db('Stopping'), error(404, 'ResourceNotFound', 'gone'));
    await client(gone).stopRestore(ref);
    assert.equal(count(gone, 'DELETE', DB), 1);
    const still = new ScriptedHttp().on('DELETE', DB, error(500, 'InternalServerError', 'boom')).on('GET', DB, db('Restoring'));
    await assert.rejects(client(still).stopRestore(ref), /Read again, database Sales still exists \(Restoring\)/);
  });

  test('a polling URL on another origin is not followed (the token stays with the cloud)', async () => {
    const http = new ScriptedHttp().on('DELETE', DB, { status: 202, headers: { 'azure-asyncoperation': 'https://evil.example.com/op' } });
    await assert.rejects(client(http).stopRestore(ref), /not on https:\/\/management\.azure\.com; it is not followed/);
  });
});

test('lists follow nextLink on the same origin; restore details read Default', async () => {
  const http = new ScriptedHttp()
    .on('GET', /\/managedInstances\/mi1\/databases$/, (r) => (r.url.searchParams.has('$skiptoken') ? { status: 200, body: { value: [{ name: 'B' }] } } : { status: 200, body: { value: [{ name: 'A' }], nextLink: `https://management.azure.com${r.url.pathname}?api-version=2025-01-01&$skiptoken=1` } }))
    .on('GET', /\/restoreDetails\/Default$/, { status: 200, body: { properties: { status: 'Restoring' } } });
  const pages: number[] = [];
  const dbs = await client(http).listDatabases(ref, { onPage: (p) => pages.push(p.length) });
  assert.deepEqual(dbs.map((d) => d.name), ['A', 'B']);
  assert.deepEqual(pages, [1, 1]);
  assert.equal((await client(http).getRestoreDetails(ref)).properties?.status, 'Restoring');
});
