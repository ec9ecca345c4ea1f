/**
 * Conformance with the official OpenAPI documents (sandbox/specs): every implemented operation
 * is called, successes and errors alike, and every answer validates against the schema of its
 * status code (with unknown properties counted as errors); then the spec's own examples replay
 * against the sandbox: same status family, a body that validates and carries the example's fields.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { ContainerSASPermissions, generateBlobSASQueryParameters, SASProtocol, StorageSharedKeyCredential } from '@azure/storage-blob';
import { sampleChain } from '../../../sandbox/backups/sampleChain';
import { startSandbox, type Sandbox } from '../../../sandbox/sandbox';
import { bundledProfile } from '../../../sandbox/tds';
import { pvkOf } from '../../../sandbox/tds/pvkWriter';
import { buildPfx, oneTimePassword, readPvk } from '../../../src/core/tde';
import { OpenApi, SPECS } from './openapi';
import { arm, blobMigration, FAST, getMigration, upload, waitFor, waitOperation, type Reply } from './support';

const SUB = '00000000-1111-2222-3333-444444444444';
let sb: Sandbox;
let spec: OpenApi;
const problems: string[] = [];
const covered = new Set<string>();

before(async () => {
  spec = new OpenApi();
  sb = await startSandbox({
    clockSpeed: 50,
    timings: FAST,
    pageSize: 2,
    runtimeHeartbeatMs: 100,
    profile: {
      subscriptionId: SUB,
      resourceGroups: [{ name: 'testrg' }, { name: 'Test1' }, { name: 'Default-SQL-SouthEastAsia' }, { name: 'myRG' }],
      managedInstances: [
        { resourceGroup: 'testrg', name: 'managedInstance1' },
        { resourceGroup: 'testrg', name: 'testinstance' },
        { resourceGroup: 'Test1', name: 'managedInstance', databases: ['managedDatabase', 'otherDatabase', 'thirdDatabase'], identity: true },
        // Where the Log Replay Service examples restore.
        { resourceGroup: 'Default-SQL-SouthEastAsia', name: 'managedInstance' },
        { resourceGroup: 'myRG', name: 'myManagedInstanceName' },
      ],
      storageAccounts: [{ resourceGroup: 'testrg', name: 'teststorageaccount', containers: ['test', 'cutover', 'scenario', 'replay'] }],
      migrationServices: [{ resourceGroup: 'testrg', name: 'service1' }],
    },
  });
});
after(() => sb?.stop());

/** An ARM call whose answer is checked against the spec. */
async function call(method: string, path: string, body?: unknown, apiVersion?: string): Promise<Reply> {
  const r = await arm(sb, method, path, body, apiVersion);
  const url = new URL(path, sb.info.armEndpoint);
  const op = spec.find(method, url.pathname);
  if (op) {
    covered.add(op.operationId);
    try {
      for (const e of spec.validate(op, r.status, r.body)) problems.push(`${op.operationId} ${r.status}: ${e}`);
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  if (r.status >= 400) {
    // ARM's error body, whatever the spec says of it.
    assert.equal(typeof r.body?.error?.code, 'string', `${method} ${path}: ${JSON.stringify(r.body)}`);
    assert.equal(typeof r.body?.error?.message, 'string');
  }
  return r;
}

const rg = `/subscriptions/${SUB}/resourceGroups/testrg`;
const sms = (name: string) => `${rg}/providers/Microsoft.DataMigration/sqlMigrationServices/${name}`;
const mig = (db: string) => `${rg}/providers/Microsoft.Sql/managedInstances/managedInstance1/providers/Microsoft.DataMigration/databaseMigrations/${db}`;
const SQL = '2022-08-01-preview';
const LRS = '2025-01-01';

/** A container SAS of the sandbox's account, as a DBA would make one. */
function sas(container: string, permissions = 'rl'): string {
  const a = sb.azurite.accounts[0]!;
  return generateBlobSASQueryParameters(
    { containerName: container, permissions: ContainerSASPermissions.parse(permissions), expiresOn: new Date(Date.now() + 86_400_000), protocol: SASProtocol.HttpsAndHttp },
    new StorageSharedKeyCredential(a.name, a.key1),
  ).toString();
}

/** A Log Replay Service restore from `container/folder` of the sandbox's account. */
function restoreBody(folder: string, over: Record<string, unknown> = {}) {
  return {
    location: 'eastus',
    properties: { createMode: 'RestoreExternalBackup', collation: 'SQL_Latin1_General_CP1_CI_AS', storageContainerUri: `${sb.info.blobEndpoint}replay/${folder}`, storageContainerSasToken: sas('replay'), ...over },
  };
}
const STORAGE = '2025-08-01';
const RES = '2025-04-01';

async function allPages(path: string, apiVersion?: string): Promise<any[]> {
  const items: any[] = [];
  let r = await call('GET', path, undefined, apiVersion);
  for (;;) {
    assert.equal(r.status, 200, JSON.stringify(r.body));
    items.push(...r.body.value);
    if (!r.body.nextLink) return items;
    r = await call('GET', r.body.nextLink);
  }
}

const IMPLEMENTED = [
  'Tenants_List', 'Subscriptions_List', 'Subscriptions_Get', 'ResourceGroups_List', 'ResourceGroups_Get', 'ResourceGroups_CheckExistence', 'ResourceGroups_CreateOrUpdate', 'ResourceGroups_Delete',
  'ManagedInstances_List', 'ManagedInstances_ListByResourceGroup', 'ManagedInstances_Get', 'ManagedDatabases_ListByInstance', 'ManagedDatabases_Get', 'ManagedDatabases_Delete',
  'StorageAccounts_List', 'StorageAccounts_ListByResourceGroup', 'StorageAccounts_GetProperties', 'StorageAccounts_ListKeys', 'BlobContainers_List', 'BlobContainers_Get', 'BlobContainers_Create',
  'SqlMigrationServices_CreateOrUpdate', 'SqlMigrationServices_Get', 'SqlMigrationServices_Update', 'SqlMigrationServices_Delete', 'SqlMigrationServices_ListByResourceGroup',
  'SqlMigrationServices_ListBySubscription', 'SqlMigrationServices_listAuthKeys', 'SqlMigrationServices_regenerateAuthKeys', 'SqlMigrationServices_deleteNode',
  'SqlMigrationServices_listMonitoringData', 'SqlMigrationServices_listMigrations',
  'DatabaseMigrationsSqlMi_Get', 'DatabaseMigrationsSqlMi_CreateOrUpdate', 'DatabaseMigrationsSqlMi_Delete', 'DatabaseMigrationsSqlMi_cancel', 'DatabaseMigrationsSqlMi_cutover',
  'ManagedDatabases_CreateOrUpdate', 'ManagedDatabases_CompleteRestore', 'ManagedDatabaseRestoreDetails_Get',
  'ManagedInstanceTdeCertificates_Create',
];

test('every implemented operation answers as its schema says, successes and errors', async () => {
  // Resources
  assert.equal((await allPages('/tenants', '2022-12-01')).length, 1);
  assert.equal((await allPages('/subscriptions', '2022-12-01')).length, 1);
  assert.equal((await call('GET', `/subscriptions/${SUB}`, undefined, '2022-12-01')).status, 200);
  assert.equal((await call('GET', '/subscriptions/11111111-0000-0000-0000-000000000000', undefined, '2022-12-01')).status, 404);
  assert.equal((await call('PUT', `/subscriptions/${SUB}/resourcegroups/rg-scenario`, { location: 'eastus', tags: { a: 'b' } }, RES)).status, 201);
  assert.equal((await call('PUT', `/subscriptions/${SUB}/resourcegroups/rg-scenario`, { location: 'eastus' }, RES)).status, 200);
  assert.equal((await call('PUT', `/subscriptions/${SUB}/resourcegroups/bad*name`, { location: 'eastus' }, RES)).status, 400);
  assert.equal((await allPages(`/subscriptions/${SUB}/resourcegroups`, RES)).length, 5);
  assert.equal((await call('GET', `/subscriptions/${SUB}/resourcegroups/RG-SCENARIO`, undefined, RES)).status, 200);
  assert.equal((await call('HEAD', `/subscriptions/${SUB}/resourcegroups/rg-scenario`, undefined, RES)).status, 204);
  const delRg = await call('DELETE', `/subscriptions/${SUB}/resourcegroups/rg-scenario`, undefined, RES);
  assert.equal(delRg.status, 202);
  await waitFor('rg deleted', async () => ((await arm(sb, 'GET', delRg.headers.get('location')!)).status === 200 ? true : undefined));
  assert.equal((await call('GET', `/subscriptions/${SUB}/resourcegroups/rg-scenario`, undefined, RES)).status, 404);

  // Sql
  assert.equal((await allPages(`/subscriptions/${SUB}/providers/Microsoft.Sql/managedInstances`, SQL)).length, 5);
  assert.equal((await allPages(`${rg}/providers/Microsoft.Sql/managedInstances`, SQL)).length, 2);
  assert.equal((await call('GET', `${rg}/providers/Microsoft.Sql/managedInstances/testinstance`, undefined, SQL)).status, 200);
  assert.equal((await call('GET', `${rg}/providers/Microsoft.Sql/managedInstances/missing`, undefined, SQL)).status, 404);
  const mi = `/subscriptions/${SUB}/resourceGroups/Test1/providers/Microsoft.Sql/managedInstances/managedInstance`;
  assert.equal((await allPages(`${mi}/databases`, '2022-05-01-preview')).length, 3);
  assert.equal((await call('GET', `${mi}/databases/managedDatabase`, undefined, '2022-05-01-preview')).status, 200);
  assert.equal((await call('GET', `${mi}/databases/missing`, undefined, '2022-05-01-preview')).status, 404);
  const delDb = await call('DELETE', `${mi}/databases/thirdDatabase`, undefined, '2022-05-01-preview');
  assert.equal(delDb.status, 202);
  assert.equal((await waitOperation(sb, delDb)).status, 'Succeeded');
  // A TDE certificate: a PFX made from the source profile's certificate, once (a second time fails the operation), then the 400 and 404.
  const cert = bundledProfile('default').certificates![0]!;
  const password = oneTimePassword();
  const pfx = buildPfx({ certificate: new X509Certificate(cert.certificate).raw, privateKey: readPvk(pvkOf(cert.privateKey!, 'Abc12345'), 'Abc12345'), password });
  const tde = { properties: { privateBlob: pfx.toString('base64'), certPassword: password } };
  const upload1 = await call('POST', `${mi}/tdeCertificates`, tde, '2025-01-01');
  assert.equal(upload1.status, 202);
  assert.equal((await waitOperation(sb, upload1)).status, 'Succeeded');
  const upload2 = await call('POST', `${mi}/tdeCertificates`, tde, '2020-11-01-preview');
  assert.equal((await waitOperation(sb, upload2)).error?.code, 'CertificateAlreadyExists');
  assert.equal((await call('POST', `${mi}/tdeCertificates`, { properties: {} }, '2025-01-01')).status, 400);
  assert.equal((await call('POST', `${rg}/providers/Microsoft.Sql/managedInstances/missing/tdeCertificates`, tde, '2025-01-01')).status, 404);

  // Storage
  const sa = `${rg}/providers/Microsoft.Storage/storageAccounts/teststorageaccount`;
  assert.equal((await allPages(`/subscriptions/${SUB}/providers/Microsoft.Storage/storageAccounts`, STORAGE)).length, 1);
  assert.equal((await allPages(`${rg}/providers/Microsoft.Storage/storageAccounts`, STORAGE)).length, 1);
  assert.equal((await call('GET', sa, undefined, STORAGE)).status, 200);
  assert.equal((await call('POST', `${sa}/listKeys`, undefined, STORAGE)).body.keys.length, 2);
  assert.equal((await call('PUT', `${sa}/blobServices/default/containers/newcontainer`, {}, STORAGE)).status, 201);
  assert.equal((await call('PUT', `${sa}/blobServices/default/containers/newcontainer`, {}, STORAGE)).status, 200);
  assert.equal((await call('PUT', `${sa}/blobServices/default/containers/Bad_Name`, {}, STORAGE)).status, 400);
  assert.equal((await allPages(`${sa}/blobServices/default/containers`, STORAGE)).length, 5);
  assert.equal((await call('GET', `${sa}/blobServices/default/containers/test`, undefined, STORAGE)).status, 200);
  assert.equal((await call('GET', `${sa}/blobServices/default/containers/nosuch`, undefined, STORAGE)).status, 404);

  // Migration services
  const create = await call('PUT', sms('scenario-dms'), { location: 'westus2', tags: { k: 'v' } });
  assert.equal(create.status, 201);
  assert.equal((await waitOperation(sb, create)).status, 'Succeeded');
  assert.equal((await call('PUT', sms('scenario-dms'), { location: 'westus2' })).status, 200);
  assert.equal((await call('PUT', sms('x'), { location: 'westus2' })).status, 400);
  assert.equal((await call('PATCH', sms('scenario-dms'), { tags: { k: 'w' } })).body.tags.k, 'w');
  assert.equal((await call('GET', sms('scenario-dms'))).body.properties.integrationRuntimeState, 'NeedRegistration');
  assert.equal((await call('GET', sms('missing'))).status, 404);
  assert.equal((await allPages(`${rg}/providers/Microsoft.DataMigration/sqlMigrationServices`)).length, 2);
  assert.equal((await allPages(`/subscriptions/${SUB}/providers/Microsoft.DataMigration/sqlMigrationServices`)).length, 2);
  const keys = (await call('POST', `${sms('scenario-dms')}/listAuthKeys`)).body;
  assert.match(keys.authKey1, /^IR@.+@scenario-dms@ServiceEndpoint=127\.0\.0\.1:\d+@/);
  assert.equal((await call('POST', `${sms('scenario-dms')}/regenerateAuthKeys`, { keyName: 'authKey2' })).status, 200);
  assert.equal((await call('POST', `${sms('scenario-dms')}/regenerateAuthKeys`, { keyName: 'key9' })).status, 400);
  const ir = await sb.startIntegrationRuntime({ service: 'scenario-dms', nodeName: 'NODE-A' });
  await waitFor('online', async () => ((await call('GET', sms('scenario-dms'))).body.properties.integrationRuntimeState === 'Online' ? true : undefined));
  assert.equal((await call('POST', `${sms('scenario-dms')}/listMonitoringData`)).body.nodes[0].nodeName, 'NODE-A');
  await ir.stop();
  assert.equal((await call('POST', `${sms('scenario-dms')}/deleteNode`, { nodeName: 'NODE-A', integrationRuntimeName: 'scenario-dms' })).status, 200);
  assert.equal((await call('POST', `${sms('scenario-dms')}/deleteNode`, { nodeName: 'NODE-A' })).status, 404);

  // Database migrations
  await upload(sb, 'scenario', sampleChain({ databaseName: 'Scenario', logs: 1 }));
  const body = blobMigration(sb, { source: 'Scenario', container: 'scenario' });
  body.properties.migrationService = sms('scenario-dms');
  assert.equal((await call('PUT', mig('scenario'), { properties: { ...body.properties, kind: 'SqlVm' } })).status, 400);
  const put = await call('PUT', mig('scenario'), body);
  assert.equal(put.status, 201);
  assert.equal((await call('PUT', mig('scenario'), body)).status, 409);
  assert.equal((await call('DELETE', sms('scenario-dms'))).status, 400, 'a service with a migration in progress is not deleted');
  await waitOperation(sb, put);
  assert.equal((await call('GET', mig('scenario'))).body.properties.migrationStatusDetails, undefined);
  const ready = await waitFor('ready', async () => {
    const r = await call('GET', `${mig('scenario')}?$expand=MigrationStatusDetails`);
    return r.body.properties.migrationStatus === 'ReadyForCutover' ? r.body : undefined;
  });
  assert.equal((await allPages(`${sms('scenario-dms')}/listMigrations`)).length, 1);
  assert.equal((await call('POST', `${mig('scenario')}/cancel`, { migrationOperationId: 'nope' })).status, 400);
  const cut = await call('POST', `${mig('scenario')}/cutover`, { migrationOperationId: ready.properties.migrationOperationId });
  assert.equal(cut.status, 202);
  await waitOperation(sb, cut);
  assert.equal((await call('GET', `${mig('scenario')}?$expand=MigrationStatusDetails`)).body.properties.migrationStatus, 'Succeeded');
  assert.equal((await call('POST', `${mig('scenario')}/cancel`, { migrationOperationId: ready.properties.migrationOperationId })).status, 400);
  const del = await call('DELETE', mig('scenario'));
  assert.equal(del.status, 202);
  await waitOperation(sb, del);
  assert.equal((await call('GET', mig('scenario'))).status, 404);
  assert.equal((await call('DELETE', mig('scenario'))).status, 204);
  const delSvc = await call('DELETE', sms('scenario-dms'));
  assert.equal(delSvc.status, 202);
  await waitOperation(sb, delSvc);
  assert.equal((await call('DELETE', sms('scenario-dms'))).status, 204);

  // The Log Replay Service: managed databases restored from external backups.
  const lrs = (db: string) => `${mi}/databases/${db}`;
  await upload(sb, 'replay', sampleChain({ databaseName: 'Replay', logs: 2, vlf: 71 }).map((f) => ({ ...f, fileName: `Replay/${f.fileName}` })));
  const props = (over: Record<string, unknown>) => restoreBody('Replay', over);
  assert.equal((await call('PUT', lrs('replayed'), props({ collation: undefined }), LRS)).body.error.code, 'MissingCollation');
  assert.equal((await call('PUT', lrs('replayed'), props({ storageContainerUri: undefined }), LRS)).body.error.code, 'MissingStorageContainerUri');
  assert.equal((await call('PUT', lrs('replayed'), props({ storageContainerSasToken: undefined }), LRS)).body.error.code, 'MissingStorageContainerSasToken');
  assert.equal((await call('PUT', lrs('replayed'), props({ autoCompleteRestore: true }), LRS)).body.error.code, 'AutoCompleteMissingLastBackupName');
  assert.equal((await call('PUT', lrs('managedDatabase'), props({}), LRS)).body.error.code, 'ManagedDatabaseNameInUse');
  const started = await call('PUT', lrs('replayed'), { ...props({}), tags: { purpose: 'conformance' } }, LRS);
  assert.equal(started.status, 201);
  assert.equal(started.body.properties.storageContainerSasToken, undefined, 'the token is never echoed');
  assert.equal((await waitOperation(sb, started)).status, 'Succeeded');
  assert.equal((await call('GET', lrs('replayed'), undefined, LRS)).body.properties.status, 'Restoring');
  assert.equal((await call('POST', `${lrs('replayed')}/completeRestore`, { lastBackupName: 'Replay_LOG_002.trn' }, LRS)).status >= 400, true, 'nothing restored yet');
  await waitFor('the chain restored', async () => {
    const r = await call('GET', `${lrs('replayed')}/restoreDetails/Default`, undefined, LRS);
    return r.body.properties.lastRestoredFileName === 'Replay_LOG_002.trn' ? r : undefined;
  });
  assert.equal((await call('POST', `${lrs('replayed')}/completeRestore`, { lastBackupName: 'Replay_LOG_001.trn' }, LRS)).body.error.code, 'RequiredBackupIsNotLastRestored');
  assert.equal((await call('POST', `${lrs('replayed')}/completeRestore`, {}, LRS)).status, 400);
  const completed = await call('POST', `${lrs('replayed')}/completeRestore`, { lastBackupName: 'Replay_LOG_002.trn' }, LRS);
  assert.equal(completed.status, 202);
  assert.equal((await call('POST', `${lrs('replayed')}/completeRestore`, { lastBackupName: 'Replay_LOG_002.trn' }, LRS)).body.error.code, 'ExternalBackupAlreadySignaledToComplete');
  assert.equal((await waitOperation(sb, completed)).status, 'Succeeded');
  const online = (await call('GET', lrs('replayed'), undefined, LRS)).body;
  assert.equal(online.properties.status, 'Online');
  assert.equal(online.tags.purpose, 'conformance');
  assert.equal((await call('GET', `${lrs('replayed')}/restoreDetails/Default`, undefined, LRS)).body.properties.status, 'Completed');
  assert.equal((await call('GET', `${lrs('otherDatabase')}/restoreDetails/Default`, undefined, LRS)).body.error.code, 'RestoreDetailsNotAvailableOrExpired');
  assert.equal((await call('GET', `${lrs('missing')}/restoreDetails/Default`, undefined, LRS)).status, 404);
  assert.equal((await call('POST', `${lrs('missing')}/completeRestore`, { lastBackupName: 'x' }, LRS)).status, 404);
  const empty = await call('PUT', lrs('emptyDb'), { location: 'eastus' }, LRS);
  assert.equal(empty.status, 201);
  await waitOperation(sb, empty);
  assert.equal((await call('PUT', lrs('emptyDb'), { location: 'eastus', tags: { a: 'b' } }, LRS)).status, 200);
  // Stopping a restore is deleting its database.
  const stopped = await call('PUT', lrs('stopped'), props({}), LRS);
  await waitOperation(sb, stopped);
  const delRestore = await call('DELETE', lrs('stopped'), undefined, LRS);
  assert.equal(delRestore.status, 202);
  await waitOperation(sb, delRestore);
  assert.equal((await call('GET', lrs('stopped'), undefined, LRS)).status, 404);

  // Protocol errors: api-version, token, unknown routes.
  assert.equal((await arm(sb, 'GET', sms('service1'), undefined, '2018-07-15-preview')).body.error.code, 'InvalidApiVersionParameter');
  assert.equal((await arm(sb, 'GET', sms('service1'), undefined, '')).body.error.code, 'MissingApiVersionParameter');
  assert.equal((await arm(sb, 'GET', `${sms('service1')}?api-version=2025-06-30`, undefined, '')).status, 200, 'the stable version is accepted');
  assert.equal((await arm(sb, 'GET', sms('service1'), undefined, undefined, '')).status, 401);
  assert.equal((await arm(sb, 'GET', `/subscriptions/${SUB}/providers/Microsoft.Nothing/things`)).status, 404);
  const malformed = await fetch(new URL(`${sms('service1')}?api-version=2025-09-01-preview`, sb.info.armEndpoint), { method: 'PUT', headers: { authorization: `Bearer ${sb.info.accessToken}` }, body: '{"location":' });
  assert.equal(malformed.status, 400);
  assert.equal(((await malformed.json()) as any).error.code, 'InvalidRequestContent');

  assert.deepEqual(problems, []);
  assert.deepEqual(IMPLEMENTED.filter((id) => !covered.has(id)), [], 'every implemented operation was exercised');
});

/** Every example file under SPECS, by name (the specs' `./examples/...` refs point at several layouts). */
function exampleIndex(): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const n of readdirSync(dir)) {
      const p = join(dir, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (dir.includes('examples') && !out.has(n)) out.set(n, p);
    }
  };
  walk(SPECS);
  return out;
}

/** Fields of the example the answer must carry too (top level and `properties`); state-dependent ones aside. */
function missingFields(example: any, actual: any): string[] {
  const skip = new Set(['endedOn', 'migrationStatusDetails', 'nextLink', 'provisioningError', 'migrationFailureError', 'sqlServerInstanceId', 'sourceServerName', 'managedByTenants', 'tags', 'count', 'systemData',
    // Geo-redundant accounts only; the sandbox's are locally redundant.
    'secondaryLocation', 'statusOfSecondary',
    // Only for instances in a pool or with a service principal; the sandbox's have neither.
    'instancePoolId', 'servicePrincipal',
    // Present only while a backup is being restored.
    'currentRestoringFileName']);
  const missing: string[] = [];
  const cmp = (e: any, a: any, at: string, depth: number) => {
    if (!e || typeof e !== 'object' || Array.isArray(e) || depth > 1) return;
    for (const k of Object.keys(e)) {
      if (skip.has(k)) continue;
      if (a?.[k] === undefined) missing.push(`${at}${k}`);
      else if (k === 'properties') cmp(e[k], a[k], `${at}${k}.`, depth + 1);
    }
  };
  if (Array.isArray(example?.value)) {
    if (example.value.length && actual?.value?.length) cmp(example.value[0], actual.value[0], 'value[0].', 0);
  } else cmp(example, actual, '', 0);
  return missing;
}

const NOT_IMPLEMENTED = new Set<string>([]);

test('the spec examples replay', async () => {
  const files = exampleIndex();
  const byOp = new Map<string, { op: ReturnType<OpenApi['find']> & object; file: string }>();
  for (const op of spec.operations) {
    for (const ref of op.examples) {
      const name = basename(new URL(ref).pathname);
      const path = files.get(name);
      if (path && !NOT_IMPLEMENTED.has(name) && IMPLEMENTED.includes(op.operationId)) byOp.set(name, { op, file: path });
    }
  }
  // Examples kept beside a TypeSpec source name their operation themselves.
  for (const [name, path] of files) {
    if (byOp.has(name) || NOT_IMPLEMENTED.has(name)) continue;
    const id = JSON.parse(readFileSync(path, 'utf8')).operationId;
    const op = spec.operations.find((o) => o.operationId === id);
    if (op && IMPLEMENTED.includes(id)) byOp.set(name, { op, file: path });
  }
  let opId = '';
  const replayed = new Set<string>();
  const replay = async (name: string) => {
    replayed.add(`${name}.json`);
    const entry = byOp.get(`${name}.json`);
    assert.ok(entry, `example ${name} is referenced by an implemented operation`);
    const ex = JSON.parse(readFileSync(entry.file, 'utf8'));
    const params = { ...ex.parameters };
    if (!entry.op.file.includes('datamigration') && !entry.op.file.includes('/sql/')) params.subscriptionId = SUB;
    // An example quirk: ListBySubscriptionSqlMigrationService gives a whole resource path as the subscription id.
    if (typeof params.subscriptionId === 'string' && params.subscriptionId.includes('/')) params.subscriptionId = params.subscriptionId.split('/')[1];
    let path = entry.op.template.replace(/\{([^}]+)\}/g, (_: string, k: string) => encodeURIComponent(params[k]));
    const query = entry.op.parameters.filter((p) => p.in === 'query' && p.name !== 'api-version' && params[p.name] !== undefined);
    if (query.length) path += `?${query.map((p) => `${encodeURIComponent(p.name)}=${encodeURIComponent(params[p.name])}`).join('&')}`;
    const bodyParam = entry.op.parameters.find((p) => p.in === 'body');
    let body = bodyParam ? params[bodyParam.name] : undefined;
    // Operation ids are the sandbox's own, not the example's.
    if (body?.migrationOperationId) body = { ...body, migrationOperationId: opId };
    const r = await call(entry.op.method, path, body, params['api-version']);
    assert.ok(Object.keys(ex.responses).includes(String(r.status)), `${name}: answered ${r.status} ${JSON.stringify(r.body)}, the example shows ${Object.keys(ex.responses).join('/')}`);
    assert.deepEqual(missingFields(ex.responses[String(r.status)]?.body, r.body), [], `${name}: fields of the example missing`);
    return r;
  };
  const dropDb1 = async () => {
    const d = await arm(sb, 'DELETE', `${mig('db1')}?force=true`);
    if (d.status === 202) await waitOperation(sb, d);
  };

  for (const name of ['GetSubscriptions', 'CreateResourceGroup', 'ResourceGroups_Get', 'StorageAccountList', 'ManagedInstanceList', 'ManagedInstanceListByResourceGroup', 'ManagedInstanceGet', 'ManagedDatabaseListByManagedInstance', 'ManagedDatabaseGet']) {
    await replay(name);
  }

  // The Log Replay Service examples. A restore from the example's own URI (an account the sandbox
  // does not have) is created, then fails late, as LRS's would.
  await waitOperation(sb, await replay('ManagedDatabaseCreateRestoreExternalBackup'));
  const seaMi = `/subscriptions/${SUB}/resourceGroups/Default-SQL-SouthEastAsia/providers/Microsoft.Sql/managedInstances/managedInstance`;
  await upload(sb, 'replay', sampleChain({ databaseName: 'TestDb', logs: 1, vlf: 72 }).map((f) => ({ ...f, fileName: `testdb/${f.fileName}` })));
  await waitOperation(sb, await arm(sb, 'PUT', `${seaMi}/databases/testdb`, restoreBody('testdb'), LRS));
  await waitFor('a backup detected', async () => ((await arm(sb, 'GET', `${seaMi}/databases/testdb/restoreDetails/Default`, undefined, LRS)).body.properties.lastUploadedFileName ? true : undefined));
  await replay('ManagedDatabaseRestoreDetails');
  // The completion example names its last backup testdb1_log4: a chain whose files have those names.
  const chain = sampleChain({ databaseName: 'testdb1', logs: 1, vlf: 73 });
  await upload(sb, 'replay', [{ ...chain[0]!, fileName: 'testdb1/testdb1_full' }, { ...chain[1]!, fileName: 'testdb1/testdb1_log4' }]);
  const myMi = `/subscriptions/${SUB}/resourceGroups/myRG/providers/Microsoft.Sql/managedInstances/myManagedInstanceName`;
  await waitOperation(sb, await arm(sb, 'PUT', `${myMi}/databases/myDatabase`, restoreBody('testdb1'), LRS));
  await waitFor('testdb1_log4 restored', async () => ((await arm(sb, 'GET', `${myMi}/databases/myDatabase/restoreDetails/Default`, undefined, LRS)).body.properties.lastRestoredFileName === 'testdb1_log4' ? true : undefined));
  await waitOperation(sb, await replay('ManagedDatabaseCompleteExternalRestore'));
  await waitOperation(sb, await replay('CreateOrUpdateSqlMigrationServiceMIN'));
  await waitOperation(sb, await replay('CreateOrUpdateSqlMigrationServiceMAX'));
  await replay('UpdateSqlMigrationService');
  for (const name of ['GetSqlMigrationService', 'ListByResourceGroupSqlMigrationService', 'ListBySubscriptionSqlMigrationService', 'ListAuthKeysSqlMigrationService']) await replay(name);
  // Runtime nodes the examples name: one for the file-share migrations of testagent, one to delete on service1.
  const shir = await sb.startIntegrationRuntime({ service: 'testagent', nodeName: 'TESTAGENT-NODE' });
  const doomed = await sb.startIntegrationRuntime({ service: 'service1', keyName: 'authKey2', nodeName: 'nodeName' });
  await doomed.stop();
  await replay('RegenAuthKeysSqlMigrationService');
  await replay('GetMonitorDataSqlMigrationService');
  await replay('DeleteIntegrationRuntimeNode');
  await waitFor('testagent online', async () => ((await arm(sb, 'GET', sms('testagent'))).body.properties.integrationRuntimeState === 'Online' ? true : undefined));

  for (const name of ['SqlMiCreateOrUpdateDatabaseMigrationMIN', 'SqlMiCreateOrUpdateDatabaseMigrationMAX', 'SqlMiCreateOrUpdateDatabaseMigrationBlobManagedIdentity']) {
    await dropDb1();
    await replay(name);
  }
  await replay('SqlMiGetDatabaseMigration');
  await replay('SqlMiGetDatabaseMigrationExpanded');

  // Cancel and delete an in-progress migration; then cut over a ready one.
  await dropDb1();
  const cancelable = blobMigration(sb, { source: 'Db1', container: 'test' });
  cancelable.properties.migrationService = sms('service1');
  await waitOperation(sb, await arm(sb, 'PUT', mig('db1'), cancelable));
  opId = (await getMigration(sb, 'db1')).migrationOperationId;
  await waitOperation(sb, await replay('SqlMiCancelDatabaseMigration'));
  await waitOperation(sb, await replay('SqlMiDeleteDatabaseMigration'));

  await upload(sb, 'cutover', sampleChain({ databaseName: 'Db1', logs: 1 }));
  const online = blobMigration(sb, { source: 'Db1', container: 'cutover' });
  online.properties.migrationService = sms('service1');
  await arm(sb, 'PUT', mig('db1'), online);
  opId = (await waitFor('ready', async () => {
    const p = await getMigration(sb, 'db1');
    return p.migrationStatus === 'ReadyForCutover' ? p : undefined;
  })).migrationOperationId;
  await replay('ListMigrationsBySqlMigrationService');
  await waitOperation(sb, await replay('SqlMiCutoverDatabaseMigration'));
  await waitOperation(sb, await replay('DeleteSqlMigrationService'));
  await shir.stop();

  assert.deepEqual([...byOp.keys()].filter((n) => !replayed.has(n)), [], 'every example of an implemented operation is replayed');
  assert.ok(replayed.size >= 32, `${replayed.size} examples replayed`);
  assert.deepEqual(problems, []);
  assert.ok(existsSync(SPECS));
});
