import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createHttpHeaders, type HttpClient } from '@azure/core-rest-pipeline';
import { AzureError, DmsClient, DMS_API_VERSION, migrationRefFromId, parseCloud, serviceRefFromId, type MigrationRef, type MigrationServiceRef } from '../../../src/core/azure';
import { example, ScriptedHttp, specsOnly, testContext } from './scriptedHttp';

const sub = '00000000-1111-2222-3333-444444444444';
const service: MigrationServiceRef = { subscriptionId: sub, resourceGroup: 'testrg', name: 'service1' };
const migration: MigrationRef = { subscriptionId: sub, resourceGroup: 'testrg', managedInstance: 'managedInstance1', targetDatabase: 'db1' };
const SMS_PATH = /\/subscriptions\/[^/]+\/resourceGroups\/testrg\/providers\/Microsoft\.DataMigration\/sqlMigrationServices\/[^/]+$/;
const MIG_PATH = /\/managedInstances\/managedInstance1\/providers\/Microsoft\.DataMigration\/databaseMigrations\/db1$/;
const ASYNC_PATH = /\/operationStatuses\//;
const fast = { pollIntervalMs: 1 };

function client(http: ScriptedHttp) {
  return new DmsClient(testContext(http), fast);
}

describe('DMS client against the documented examples', specsOnly, () => {
  test('get a service: path, api-version, bearer token; the body is the example\'s', async () => {
    const ex = example('GetSqlMigrationService.json');
    const http = new ScriptedHttp().on('GET', SMS_PATH, { status: 200, body: ex.responses['200']!.body });
    const got = await client(http).getService(service);
    assert.deepEqual(got, ex.responses['200']!.body);
    const [req] = http.requests;
    assert.equal(req!.url.searchParams.get('api-version'), DMS_API_VERSION);
    assert.equal(req!.url.pathname, `/subscriptions/${sub}/resourceGroups/testrg/providers/Microsoft.DataMigration/sqlMigrationServices/service1`);
    assert.equal(req!.headers.authorization, 'Bearer test-token-not-secret');
    assert.match(req!.headers['user-agent']!, /^sqlmig/);
  });

  test('create a service: PUT, then Azure-AsyncOperation polls, then the final GET', async () => {
    const ex = example('CreateOrUpdateSqlMigrationServiceMIN.json');
    const asyncUrl = `https://management.azure.com/subscriptions/${sub}/providers/Microsoft.DataMigration/locations/northeurope/operationStatuses/op1?api-version=${DMS_API_VERSION}`;
    const done = { ...(ex.responses['200']!.body as object), properties: { provisioningState: 'Succeeded', integrationRuntimeState: 'NeedRegistration' } };
    const polls: string[] = [];
    const http = new ScriptedHttp()
      .on('PUT', SMS_PATH, { status: 201, headers: { 'azure-asyncoperation': asyncUrl }, body: ex.responses['201']!.body })
      .on('GET', ASYNC_PATH, { status: 200, body: { name: 'op1', status: 'InProgress' } }, { status: 200, body: { name: 'op1', status: 'Succeeded' } })
      .on('GET', SMS_PATH, { status: 200, body: done });
    const got = await client(http).createOrUpdateService({ ...service, name: 'testagent' }, { location: 'northeurope' }, { ...fast, onPoll: (s) => polls.push(s) });
    assert.equal(got.properties?.provisioningState, 'Succeeded');
    assert.deepEqual(http.requests[0]!.body, ex.parameters.parameters);
    assert.deepEqual(http.paths().map((p) => p.split(' ')[0]), ['PUT', 'GET', 'GET', 'GET']);
    assert.deepEqual(polls, ['InProgress', 'Succeeded']);
  });

  test('list by subscription and by resource group', async () => {
    const bySub = example('ListBySubscriptionSqlMigrationService.json');
    const byRg = example('ListByResourceGroupSqlMigrationService.json');
    const http = new ScriptedHttp()
      .on('GET', /\/subscriptions\/[^/]+\/providers\/Microsoft\.DataMigration\/sqlMigrationServices$/, { status: 200, body: bySub.responses['200']!.body })
      .on('GET', /\/resourceGroups\/testrg\/providers\/Microsoft\.DataMigration\/sqlMigrationServices$/, { status: 200, body: byRg.responses['200']!.body });
    const c = client(http);
    assert.deepEqual((await c.listServicesBySubscription(sub)).map((s) => s.name), ['service1', 'service2', 'service3']);
    assert.equal((await c.listServicesByResourceGroup(sub, 'testrg')).length, (byRg.responses['200']!.body as { value: unknown[] }).value.length);
  });

  test('auth keys, regenerate, monitoring data, delete node: POSTs with the documented bodies', async () => {
    const keys = example('ListAuthKeysSqlMigrationService.json');
    const regen = example('RegenAuthKeysSqlMigrationService.json');
    const monitor = example('GetMonitorDataSqlMigrationService.json');
    const node = example('DeleteIntegrationRuntimeNode.json');
    const http = new ScriptedHttp()
      .on('POST', /\/listAuthKeys$/, { status: 200, body: keys.responses['200']!.body })
      .on('POST', /\/regenerateAuthKeys$/, { status: 200, body: regen.responses['200']!.body })
      .on('POST', /\/listMonitoringData$/, { status: 200, body: monitor.responses['200']!.body })
      .on('POST', /\/deleteNode$/, (req) => ({ status: 200, body: req.body }));
    const c = client(http);
    assert.deepEqual(await c.listAuthKeys(service), keys.responses['200']!.body);
    assert.deepEqual(await c.regenerateAuthKey(service, 'authKey1'), regen.responses['200']!.body);
    assert.deepEqual(http.requests[1]!.body, regen.parameters.parameters);
    const data = await c.listMonitoringData(service);
    assert.deepEqual(data.nodes?.map((n) => n.nodeName), ['DESKTOP-6AAAAAA', 'DESKTOP-6AAAAAB']);
    assert.deepEqual(await c.deleteNode(service, { nodeName: 'nodeName', integrationRuntimeName: 'IRName' }), node.responses['200']!.body);
    await assert.rejects(c.regenerateAuthKey(service, 'authKey3' as 'authKey1'), /authKey1 or authKey2/);
  });

  test('listMigrations follows nextLink across pages', async () => {
    const ex = example('ListMigrationsBySqlMigrationService.json');
    const page = ex.responses['200']!.body as { value: unknown[] };
    const next = `https://management.azure.com/subscriptions/${sub}/resourceGroups/testrg/providers/Microsoft.DataMigration/sqlMigrationServices/service1/listMigrations?api-version=${DMS_API_VERSION}&$skiptoken=2`;
    const http = new ScriptedHttp().on(
      'GET',
      /\/listMigrations$/,
      (req) => (req.url.searchParams.get('$skiptoken') ? { status: 200, body: page } : { status: 200, body: { ...page, nextLink: next } }),
    );
    const all = await client(http).listMigrations(service);
    assert.equal(all.length, page.value.length * 2);
    assert.equal(http.requests.length, 2);
    assert.equal(all[0]!.properties?.migrationStatusDetails?.migrationState, 'WaitForFullBackupUploadOperation');
  });

  test('a nextLink or polling URL on another host is not followed (the token stays home)', async () => {
    const http = new ScriptedHttp()
      .on('GET', /\/listMigrations$/, { status: 200, body: { value: [], nextLink: 'https://evil.example.com/steal' } })
      .on('POST', /\/cutover$/, { status: 202, headers: { 'azure-asyncoperation': 'https://evil.example.com/op' } });
    const c = client(http);
    await assert.rejects(c.listMigrations(service), /not on https:\/\/management\.azure\.com; it is not followed/);
    await assert.rejects(c.cutoverMigration(migration, 'x'), /not followed/);
    assert.ok(http.requests.every((r) => r.url.hostname === 'management.azure.com'));
  });

  test('get a migration with $expand and migrationOperationId', async () => {
    const ex = example('SqlMiGetDatabaseMigrationExpanded.json');
    const http = new ScriptedHttp().on('GET', MIG_PATH, { status: 200, body: ex.responses['200']!.body });
    const got = await client(http).getMigration(migration, { expand: true, migrationOperationId: '858ba109-5ab7-4fa1-8aea-bea487cacdcd' });
    assert.equal(got.properties?.migrationStatusDetails?.isFullBackupRestored, false);
    const q = http.requests[0]!.url.searchParams;
    assert.equal(q.get('$expand'), 'MigrationStatusDetails');
    assert.equal(q.get('migrationOperationId'), '858ba109-5ab7-4fa1-8aea-bea487cacdcd');
  });

  test('start a migration: the documented body goes out, 201 with Succeeded finishes at once', async () => {
    const ex = example('SqlMiCreateOrUpdateDatabaseMigrationMAX.json');
    const http = new ScriptedHttp().on('PUT', MIG_PATH, { status: 201, body: ex.responses['201']!.body });
    const body = ex.parameters.parameters as Parameters<DmsClient['createMigration']>[1];
    const got = await client(http).createMigration(migration, body);
    assert.equal(got.properties?.migrationOperationId, '858ba109-5ab7-4fa1-8aea-bea487cacdcd');
    assert.deepEqual(http.requests[0]!.body, body);
    assert.equal(http.requests.length, 1);
  });

  test('cutover and cancel: POST {migrationOperationId}, 202, poll to Succeeded, no final GET', async () => {
    const ex = example('SqlMiCutoverDatabaseMigration.json');
    const asyncUrl = ex.responses['202']!.headers!['azure-asyncoperation']!;
    const http = new ScriptedHttp()
      .on('POST', /\/(cutover|cancel)$/, { status: 202, headers: { 'azure-asyncoperation': asyncUrl } })
      .on('GET', ASYNC_PATH, { status: 200, body: { status: 'Succeeded' } });
    const c = client(http);
    await c.cutoverMigration(migration, '4124fe90-d1b6-4b50-b4d9-46d02381f59a');
    assert.deepEqual(http.requests[0]!.body, ex.parameters.parameters);
    assert.deepEqual(http.paths().map((p) => p.split(' ')[0]), ['POST', 'GET']);
    await c.cancelMigration(migration, '4124fe90-d1b6-4b50-b4d9-46d02381f59a');
    assert.match(http.requests[2]!.url.pathname, /\/cancel$/);
  });

  test('a cutover whose operation fails rejects with the service\'s code, message and what to do', async () => {
    const http = new ScriptedHttp()
      .on('POST', /\/cutover$/, { status: 202, headers: { 'azure-asyncoperation': `https://management.azure.com/subscriptions/${sub}/providers/Microsoft.DataMigration/locations/x/operationStatuses/o` } })
      .on('GET', ASYNC_PATH, { status: 200, body: { status: 'Failed', error: { code: 'MigrationNotReadyForCutoverError', message: 'Log backups are pending restore.' } } });
    const err = await client(http).cutoverMigration(migration, 'op').catch((e) => e);
    assert.ok(err instanceof AzureError);
    assert.equal(err.code, 'MigrationNotReadyForCutoverError');
    assert.match(err.message, /Could not complete the cutover of db1: MigrationNotReadyForCutoverError: Log backups are pending restore\.\n.*ReadyForCutover/);
  });

  test('delete with force, 202 then 204-style completion', async () => {
    const ex = example('SqlMiDeleteDatabaseMigration.json');
    const http = new ScriptedHttp()
      .on('DELETE', MIG_PATH, { status: 202, headers: ex.responses['202']!.headers! })
      .on('GET', ASYNC_PATH, { status: 200, body: { status: 'Succeeded' } });
    await client(http).deleteMigration(migration, { force: true });
    assert.equal(http.requests[0]!.url.searchParams.get('force'), 'true');
    assert.equal(http.requests.length, 2);
  });

  test('errors say what to do; secrets the service echoes are cut out', async () => {
    const http = new ScriptedHttp().on('PUT', MIG_PATH, {
      status: 400,
      body: { error: { code: 'IntegrationRuntimeIsNotOnline', message: 'Runtime offline while validating share \\\\fs\\b with password Sup3r-S3cret!' } },
    });
    const err = await client(http)
      .createMigration(migration, { properties: { kind: 'SqlMi' } }, { secrets: ['Sup3r-S3cret!'] })
      .catch((e) => e);
    assert.ok(err instanceof AzureError);
    assert.equal(err.statusCode, 400);
    assert.doesNotMatch(err.message, /Sup3r-S3cret!/);
    assert.match(err.message, /password \*\*\*/);
    assert.match(err.message, /sqlmig dms keys/);
    assert.equal(err.cause, undefined);
  });
});

describe('DMS client: retries, throttling, cancellation', () => {
  test('429 with Retry-After is retried after the wait the service asked', async () => {
    const http = new ScriptedHttp().on('GET', SMS_PATH, { status: 429, headers: { 'retry-after': '1' }, body: { error: { code: 'TooManyRequests', message: 'slow down' } } }, { status: 200, body: { name: 'service1' } });
    const t0 = Date.now();
    assert.equal((await client(http).getService(service)).name, 'service1');
    assert.ok(Date.now() - t0 >= 950, 'waited for Retry-After');
    assert.equal(http.requests.length, 2);
  });

  test('500s and dropped connections are retried; a 429 without Retry-After too', async () => {
    const { RestError } = await import('@azure/core-rest-pipeline');
    const http = new ScriptedHttp().on(
      'GET',
      SMS_PATH,
      { status: 500, body: { error: { code: 'UnExpectedErrorOccurred', message: 'boom' } } },
      new RestError('socket hang up', { code: 'ECONNRESET' }),
      { status: 429, body: {} },
      { status: 200, body: { name: 'service1' } },
    );
    assert.equal((await client(http).getService(service)).name, 'service1');
    assert.equal(http.requests.length, 4);
  });

  test('retries are bounded: the last failure is reported with its code and a hint', async () => {
    const http = new ScriptedHttp().on('GET', SMS_PATH, { status: 503, body: { error: { code: 'ServiceUnavailable', message: 'down for maintenance' } } });
    const err = await client(http).getService(service).catch((e) => e);
    assert.ok(err instanceof AzureError);
    assert.equal(err.statusCode, 503);
    assert.equal(http.requests.length, 4, 'one try and three retries');
    assert.match(err.message, /Could not read migration service service1: ServiceUnavailable \(HTTP 503\): down for maintenance\n.*retry/);
  });

  test('4xx other than 408/429 are not retried; 404 and 403 get hints', async () => {
    const http = new ScriptedHttp()
      .on('GET', SMS_PATH, { status: 404, body: { error: { code: 'ResourceNotFound', message: 'not there' } } })
      .on('POST', /\/listAuthKeys$/, { status: 403, body: { error: { code: 'AuthorizationFailed', message: 'no' } } });
    const c = client(http);
    await assert.rejects(c.getService(service), /ResourceNotFound \(HTTP 404\): not there\n.*check its name, resource group and subscription/);
    await assert.rejects(c.listAuthKeys(service), /Contributor/);
    assert.equal(http.requests.length, 2);
  });

  test('an LRO polls soon, then less often up to the interval; a Retry-After from the service decides instead', async () => {
    const gaps = async (pollIntervalMs: number, headers: Record<string, string>) => {
      const at: number[] = [];
      const statuses = ['InProgress', 'InProgress', 'InProgress', 'Succeeded'];
      const http = new ScriptedHttp()
        .on('POST', /\/cutover$/, { status: 202, headers: { 'azure-asyncoperation': `https://management.azure.com/subscriptions/${sub}/providers/Microsoft.DataMigration/locations/x/operationStatuses/o`, ...headers } })
        .on('GET', ASYNC_PATH, () => {
          at.push(Date.now());
          return { status: 200, headers, body: { status: statuses.shift() } };
        });
      await new DmsClient(testContext(http), { pollIntervalMs }).cutoverMigration(migration, 'op');
      return at.slice(1).map((t, i) => t - at[i]!);
    };
    const [first, second, third] = await gaps(400, {});
    assert.ok(first! >= 240 && first! < 390, `the first wait is short (${first} ms)`);
    assert.ok(second! >= 390 && third! >= 390, `then the interval (${second}, ${third} ms)`);
    const asked = await gaps(400, { 'retry-after-ms': '30' });
    assert.ok(asked.every((g) => g < 200), `Retry-After wins (${asked.join(', ')} ms)`);
  });

  test('a malformed answer is a clear error, and nothing of it is used', async () => {
    const broken = (bodyAsText: string): HttpClient => ({
      sendRequest: async (request) => ({ request, status: 200, headers: createHttpHeaders({ 'content-type': 'application/json' }), bodyAsText }),
    });
    const truncated = new DmsClient({ ...testContext(new ScriptedHttp()), httpClient: broken('{"value": [ {"id": ') }, fast);
    const e1 = await truncated.listMigrations(service).catch((e) => e);
    assert.ok(e1 instanceof AzureError);
    assert.match(e1.message, /^Could not list the migrations of migration service service1: PARSE_ERROR \(HTTP 200\)[\s\S]*\nThe answer was not valid JSON/);
    const shapeless = new DmsClient({ ...testContext(new ScriptedHttp()), httpClient: broken('{"value": "not a list"}') }, fast);
    const e2 = await shapeless.listMigrations(service).catch((e) => e);
    assert.match(e2.message, /^Could not list the migrations of migration service service1: InvalidResponse: page 1 of the list has no "value" array\n/);
  });

  test('an aborted signal stops an LRO between polls', async () => {
    const http = new ScriptedHttp()
      .on('POST', /\/cutover$/, { status: 202, headers: { 'azure-asyncoperation': `https://management.azure.com/subscriptions/${sub}/providers/Microsoft.DataMigration/locations/x/operationStatuses/o` } })
      .on('GET', ASYNC_PATH, { status: 200, body: { status: 'InProgress' } });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const err = await new DmsClient(testContext(http), { pollIntervalMs: 10 }).cutoverMigration(migration, 'op', { signal: ac.signal }).catch((e) => e);
    assert.equal(err.name, 'AbortError');
    const polls = http.requests.length;
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(http.requests.length, polls, 'no polling after abort');
  });

  test('a loopback http cloud (the sandbox) is signed by the loopback policy', async () => {
    const cloud = parseCloud({ name: 'sandbox', armEndpoint: 'http://127.0.0.1:9', accessToken: 'sandbox-token' });
    const http = new ScriptedHttp().on('GET', SMS_PATH, { status: 200, body: { name: 'service1' } });
    await new DmsClient(testContext(http, cloud)).getService(service);
    assert.equal(http.requests[0]!.url.origin, 'http://127.0.0.1:9');
    assert.equal(http.requests[0]!.headers.authorization, 'Bearer test-token-not-secret');
  });

  test('ids round-trip', () => {
    const id = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Sql/managedInstances/mi/providers/Microsoft.DataMigration/databaseMigrations/Sales';
    assert.deepEqual(migrationRefFromId(id), { subscriptionId: 's', resourceGroup: 'rg', managedInstance: 'mi', targetDatabase: 'Sales' });
    assert.deepEqual(serviceRefFromId('/subscriptions/s/resourceGroups/rg/providers/Microsoft.DataMigration/sqlMigrationServices/dms'), { subscriptionId: 's', resourceGroup: 'rg', name: 'dms' });
    assert.throws(() => migrationRefFromId('/subscriptions/s'), /not a SQL MI database migration id/);
  });
});
