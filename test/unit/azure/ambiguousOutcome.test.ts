/**
 * Changes whose answer is lost (a 5xx, a timeout, a connection dropped after the request went
 * out) are never sent again blindly: the client reads the resource and reports what happened.
 * The service's second answer to a blind retry is scripted as a real one would be (409
 * OperationInProgress, CutoverNotAllowed...), so a retry shows up as a wrong "failed".
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RestError } from '@azure/core-rest-pipeline';
import { AzureError, DmsClient, type MigrationRef, type MigrationServiceRef } from '../../../src/core/azure';
import { ScriptedHttp, testContext, type Reply } from './scriptedHttp';

const sub = '00000000-1111-2222-3333-444444444444';
const service: MigrationServiceRef = { subscriptionId: sub, resourceGroup: 'testrg', name: 'service1' };
const migration: MigrationRef = { subscriptionId: sub, resourceGroup: 'testrg', managedInstance: 'mi1', targetDatabase: 'Sales' };
const SMS_PATH = /\/sqlMigrationServices\/service1$/;
const MIG_PATH = /\/managedInstances\/mi1\/providers\/Microsoft\.DataMigration\/databaseMigrations\/Sales$/;
const ASYNC = `https://management.azure.com/subscriptions/${sub}/providers/Microsoft.DataMigration/locations/x/operationStatuses/op1`;
const ASYNC_PATH = /\/operationStatuses\//;
const SERVICE_ID = `/subscriptions/${sub}/resourceGroups/testrg/providers/Microsoft.DataMigration/sqlMigrationServices/service1`;

const dropped = () => new RestError('socket hang up', { code: 'ECONNRESET' });
const error = (status: number, code: string, message: string): Reply => ({ status, body: { error: { code, message } } });
const mig = (migrationStatus: string, extra: Record<string, unknown> = {}): Reply => ({
  status: 200,
  body: { name: 'Sales', properties: { kind: 'SqlMi', migrationStatus, provisioningState: 'Succeeded', sourceDatabaseName: 'Sales', migrationService: SERVICE_ID, migrationOperationId: 'op', ...extra } },
});
const notFound = error(404, 'ResourceNotFound', 'The Resource was not found.');
const client = (http: ScriptedHttp) => new DmsClient(testContext(http), { pollIntervalMs: 1 });
const count = (http: ScriptedHttp, method: string, path: RegExp) => http.requests.filter((r) => r.method === method && path.test(r.url.pathname)).length;

describe('a change whose answer is lost is read back, not sent again', () => {
  test('cutover: the connection drops after the service took it; a migration now Completing (or Succeeded) took the cutover', async () => {
    for (const now of ['Completing', 'Succeeded']) {
      const http = new ScriptedHttp()
        .on('POST', /\/cutover$/, dropped(), error(409, 'OperationInProgress', 'A cutover of migration Sales is already in progress.'))
        .on('GET', MIG_PATH, mig(now));
      await client(http).cutoverMigration(migration, 'op');
      assert.equal(count(http, 'POST', /\/cutover$/), 1, 'sent once');
      assert.equal(count(http, 'GET', MIG_PATH), 1, 'one read tells');
    }
  });

  test('cutover: a 503 after which the migration is still ReadyForCutover fails with the original error and what was read', async () => {
    const http = new ScriptedHttp()
      .on('POST', /\/cutover$/, error(503, 'ServiceUnavailable', 'Try again.'), error(400, 'CutoverNotAllowedMigrationCompleteError', 'already completed'))
      .on('GET', MIG_PATH, mig('ReadyForCutover'));
    const err = await client(http).cutoverMigration(migration, 'op').catch((e) => e);
    assert.ok(err instanceof AzureError);
    assert.equal(err.code, 'ServiceUnavailable');
    assert.equal(err.statusCode, 503);
    assert.match(err.message, /^Could not complete the cutover of Sales: ServiceUnavailable \(HTTP 503\): Try again\.\n[^\n]*retry[^\n]*\nRead again, the migration of Sales is still ReadyForCutover: the cutover did not take effect\.$/);
    assert.equal(count(http, 'POST', /\/cutover$/), 1);
    assert.equal(count(http, 'GET', MIG_PATH), 2, 'read twice before saying it did not take effect');
  });

  test('cutover: accepted (202), then every poll fails: the migration read back decides', async () => {
    const http = new ScriptedHttp()
      .on('POST', /\/cutover$/, { status: 202, headers: { 'azure-asyncoperation': ASYNC } })
      .on('GET', ASYNC_PATH, error(500, 'InternalServerError', 'boom'))
      .on('GET', MIG_PATH, mig('Succeeded'));
    await client(http).cutoverMigration(migration, 'op');
    assert.equal(count(http, 'GET', ASYNC_PATH), 4, 'a poll is a read: retried as before');
    assert.equal(count(http, 'POST', /\/cutover$/), 1);
  });

  test('cutover: a migration that failed while completing fails with its own reason', async () => {
    const http = new ScriptedHttp()
      .on('POST', /\/cutover$/, dropped())
      .on('GET', MIG_PATH, mig('Failed', { migrationFailureError: { code: 'RestoreFailed', message: 'The log backup is damaged.' } }));
    await assert.rejects(client(http).cutoverMigration(migration, 'op'), /^AzureError: Could not complete the cutover of Sales: RestoreFailed: The log backup is damaged\./);
  });

  test('cancel: a 500, then a migration Canceling, followed until Canceled, is a cancel done; one still running is not', async () => {
    const http = new ScriptedHttp()
      .on('POST', /\/cancel$/, error(500, 'InternalServerError', 'boom'), error(400, 'MigrationNotReadyForCancelError', 'Migration Sales is Canceling.'))
      .on('GET', MIG_PATH, mig('Canceling'), mig('Canceling'), mig('Canceled'));
    const polled: string[] = [];
    await client(http).cancelMigration(migration, 'op', { pollIntervalMs: 1, onPoll: (s) => polled.push(s) });
    assert.equal(count(http, 'POST', /\/cancel$/), 1);
    assert.deepEqual(polled, ['Canceling', 'Canceling']);
    const running = new ScriptedHttp().on('POST', /\/cancel$/, error(500, 'InternalServerError', 'boom')).on('GET', MIG_PATH, mig('InProgress'));
    await assert.rejects(client(running).cancelMigration(migration, 'op'), /InternalServerError \(HTTP 500\): boom\n[\s\S]*Read again, the migration of Sales is InProgress: the cancel did not take effect\./);
  });

  test('a change followed after a lost answer reports each status it reads (a delete until the migration is gone)', async () => {
    const http = new ScriptedHttp()
      .on('DELETE', MIG_PATH, dropped())
      .on('GET', MIG_PATH, mig('Succeeded', { provisioningState: 'Deleting' }), mig('Succeeded', { provisioningState: 'Deleting' }), notFound);
    const polled: string[] = [];
    await client(http).deleteMigration(migration, { pollIntervalMs: 1, onPoll: (s) => polled.push(s) });
    assert.deepEqual(polled, ['Deleting', 'Deleting']);
    assert.equal(count(http, 'GET', MIG_PATH), 3);
  });

  test('delete: a timeout, then 404, is a delete done; a migration still there is reported with the original error', async () => {
    const gone = new ScriptedHttp()
      .on('DELETE', MIG_PATH, new RestError('timed out', { code: 'ETIMEDOUT' }), error(409, 'Conflict', 'being deleted'))
      .on('GET', MIG_PATH, notFound);
    await client(gone).deleteMigration(migration);
    assert.equal(count(gone, 'DELETE', MIG_PATH), 1);

    const kept = new ScriptedHttp().on('DELETE', MIG_PATH, error(502, 'BadGateway', 'upstream')).on('GET', MIG_PATH, mig('Failed'));
    await assert.rejects(client(kept).deleteMigration(migration), /BadGateway \(HTTP 502\): upstream\n[\s\S]*Read again, the migration of Sales still exists \(Failed\): delete it again if it is still listed\./);
  });

  test('start: the migration there, of our source database through our service, is the one started (followed until provisioned)', async () => {
    const http = new ScriptedHttp()
      .on('PUT', MIG_PATH, dropped(), error(409, 'OperationInProgress', 'Migration Sales is Creating.'))
      .on('GET', MIG_PATH, mig('Creating', { provisioningState: 'Provisioning' }), mig('InProgress', { migrationOperationId: 'new-op' }));
    const body = { properties: { kind: 'SqlMi' as const, sourceDatabaseName: 'Sales', migrationService: SERVICE_ID } };
    const started = await client(http).createMigration(migration, body);
    assert.equal(started.properties?.migrationOperationId, 'new-op');
    assert.equal(count(http, 'PUT', MIG_PATH), 1);
  });

  test('start: nothing there, another source database, or an ended migration: failed, with the original error', async () => {
    const body = { properties: { kind: 'SqlMi' as const, sourceDatabaseName: 'Sales', migrationService: SERVICE_ID } };
    const none = new ScriptedHttp().on('PUT', MIG_PATH, error(500, 'InternalServerError', 'boom')).on('GET', MIG_PATH, notFound);
    await assert.rejects(client(none).createMigration(migration, body), /InternalServerError \(HTTP 500\): boom\n[\s\S]*Read again, no migration of Sales exists: it was not started\./);
    const other = new ScriptedHttp().on('PUT', MIG_PATH, dropped()).on('GET', MIG_PATH, mig('InProgress', { sourceDatabaseName: 'Payroll' }));
    await assert.rejects(client(other).createMigration(migration, body), /ECONNRESET: socket hang up[\s\S]*of source database Payroll .*: not the one this request starts/);
    const ended = new ScriptedHttp().on('PUT', MIG_PATH, dropped()).on('GET', MIG_PATH, mig('Canceled'));
    await assert.rejects(client(ended).createMigration(migration, body), /has ended \(Canceled\)/);
  });

  test('migration service: create and delete read back; a node removal is checked in the node list', async () => {
    const created = new ScriptedHttp()
      .on('PUT', SMS_PATH, error(500, 'InternalServerError', 'boom'), error(409, 'OperationInProgress', 'in progress'))
      .on('GET', SMS_PATH, { status: 200, body: { name: 'service1', location: 'westeurope', properties: { provisioningState: 'Provisioning' } } },
        { status: 200, body: { name: 'service1', location: 'westeurope', properties: { provisioningState: 'Succeeded' } } });
    const svc = await client(created).createOrUpdateService(service, { location: 'West Europe' });
    assert.equal(svc.properties?.provisioningState, 'Succeeded');
    assert.equal(count(created, 'PUT', SMS_PATH), 1);

    const deleted = new ScriptedHttp().on('DELETE', SMS_PATH, dropped()).on('GET', SMS_PATH, notFound);
    await client(deleted).deleteService(service);

    const node = new ScriptedHttp()
      .on('POST', /\/deleteNode$/, dropped(), error(404, 'NotFound', 'no such node'))
      .on('POST', /\/listMonitoringData$/, { status: 200, body: { name: 'IR', nodes: [{ nodeName: 'other' }] } });
    assert.deepEqual(await client(node).deleteNode(service, { nodeName: 'n1', integrationRuntimeName: 'IR' }), { nodeName: 'n1', integrationRuntimeName: 'IR' });
    assert.equal(count(node, 'POST', /\/deleteNode$/), 1);
  });

  test('regenerating a key: never sent twice, and the error says the key may or may not have changed', async () => {
    const http = new ScriptedHttp().on('POST', /\/regenerateAuthKeys$/, dropped(), { status: 200, body: { keyName: 'authKey1', authKey1: 'IR@second' } });
    const err = await client(http).regenerateAuthKey(service, 'authKey1').catch((e) => e);
    assert.ok(err instanceof AzureError);
    assert.equal(err.code, 'OutcomeUnknown');
    assert.match(err.message, /^Could not regenerate authKey1 of migration service service1: OutcomeUnknown: the answer was lost \(ECONNRESET: socket hang up\), so authKey1 may or may not have been regenerated\n/);
    assert.match(err.message, /List the keys again \("sqlmig dms keys --resource-group testrg --name service1 --out FILE"\)/);
    assert.equal(http.requests.length, 1, 'no retry, and no guess from a re-read');
  });

  test('when the re-read fails too, the outcome is unknown and the error says what to check', async () => {
    const http = new ScriptedHttp().on('POST', /\/cutover$/, dropped()).on('GET', MIG_PATH, error(503, 'ServiceUnavailable', 'down'));
    const err = await client(http).cutoverMigration(migration, 'op').catch((e) => e);
    assert.equal(err.code, 'OutcomeUnknown');
    assert.match(err.message, /the answer was lost \(ECONNRESET: socket hang up\) and reading it again failed too \(ServiceUnavailable \(HTTP 503\): down\): it may or may not have taken effect\nCheck with "sqlmig migrate status" whether the migration of Sales is Completing or Succeeded before cutting over again\./);
  });

  test('what certainly did not reach the service is still retried: 429, and a connection that never opened', async () => {
    const http = new ScriptedHttp()
      .on('POST', /\/cutover$/, { status: 429, body: {} }, new RestError('connect ECONNREFUSED', { code: 'ECONNREFUSED' }), { status: 202, headers: { 'azure-asyncoperation': ASYNC } })
      .on('GET', ASYNC_PATH, { status: 200, body: { status: 'Succeeded' } });
    await client(http).cutoverMigration(migration, 'op');
    assert.equal(count(http, 'POST', /\/cutover$/), 3);
    assert.equal(count(http, 'GET', MIG_PATH), 0, 'nothing to read back');
  });

  test('a refusal is an answer: reported at once, nothing read back, nothing sent again', async () => {
    const http = new ScriptedHttp().on('POST', /\/cutover$/, error(400, 'MigrationNotReadyForCutoverError', 'Log backups are pending restore.'));
    await assert.rejects(client(http).cutoverMigration(migration, 'op'), /MigrationNotReadyForCutoverError/);
    assert.deepEqual(http.paths().map((p) => p.split(' ')[0]), ['POST']);
  });
});

describe('secrets never leave the client in an error', () => {
  const secret = 'Sh4re-P@ss"word\\x';
  const escaped = JSON.stringify(secret).slice(1, -1);

  test('a failed operation\'s message that echoes a secret of the request is redacted, also JSON-escaped', async () => {
    const http = new ScriptedHttp()
      .on('PUT', MIG_PATH, { status: 201, headers: { 'azure-asyncoperation': ASYNC }, body: {} })
      .on('GET', ASYNC_PATH, { status: 200, body: { status: 'Failed', error: { code: 'FileShareAccessDenied', message: `Cannot open \\\\fs\\b as fsuser with ${secret}; request {"password":"${escaped}"}` } } });
    const err = await client(http).createMigration(migration, { properties: { kind: 'SqlMi' } }, { secrets: [secret] }).catch((e) => e);
    assert.ok(err instanceof AzureError);
    assert.equal(err.code, 'FileShareAccessDenied');
    assert.ok(!err.message.includes(secret) && !err.message.includes(escaped), err.message);
    assert.match(err.message, /as fsuser with \*\*\*; request \{"password":"\*\*\*"\}/);
  });

  test('a short secret is cut where it stands as a value, not out of words', async () => {
    const http = new ScriptedHttp()
      .on('PUT', MIG_PATH, { status: 201, headers: { 'azure-asyncoperation': ASYNC }, body: {} })
      .on('GET', ASYNC_PATH, { status: 200, body: { status: 'Failed', error: { code: 'LoginFailed', message: 'Login failed: password=ab, {"password":"ab"}; about a backup' } } });
    const err = await client(http).createMigration(migration, { properties: { kind: 'SqlMi' } }, { secrets: ['ab'] }).catch((e) => e);
    assert.match(err.message, /password=\*\*\*, \{"password":"\*\*\*"\}; about a backup/);
  });

  test('runtime keys the client has read, and the client\'s own secrets, are cut out of later errors', async () => {
    const key = 'IR@4f0b8f5c-0000-4000-8000-000000000001@service1@weu@c2VjcmV0a2V5';
    const http = new ScriptedHttp()
      .on('POST', /\/listAuthKeys$/, { status: 200, body: { authKey1: key, authKey2: 'IR@other' } })
      .on('POST', /\/deleteNode$/, error(400, 'InvalidNode', `node registered with ${key} cannot be removed; account key acct-KEY-123`));
    const c = new DmsClient(testContext(http), { pollIntervalMs: 1, secrets: ['acct-KEY-123'] });
    await c.listAuthKeys(service);
    const err = await c.deleteNode(service, { nodeName: 'n1', integrationRuntimeName: 'IR' }).catch((e) => e);
    assert.match(err.message, /node registered with \*\*\* cannot be removed; account key \*\*\*/);
  });
});
