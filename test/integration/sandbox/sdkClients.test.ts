/**
 * The official Azure SDK clients against the sandbox, changed only in endpoint, credential and
 * the loopback allowance (`armClientOptions` + `adaptPipeline`): list, get, paging, a
 * long-running operation, an error. The cloud comes from the sandbox's own cloud file.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ResourceManagementClient } from '@azure/arm-resources';
import { SubscriptionClient } from '@azure/arm-resources-subscriptions';
import { SqlManagementClient } from '@azure/arm-sql';
import { StorageManagementClient } from '@azure/arm-storage';
import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import { adaptPipeline, armClientOptions, loadCloudFile, staticTokenCredential, type Cloud } from '../../../src/core/azure';
import { startSandbox, type Sandbox } from '../../../sandbox/sandbox';
import { FAST } from './support';

let sb: Sandbox;
let cloud: Cloud;
const poll = { updateIntervalInMs: 20 };

before(async () => {
  sb = await startSandbox({
    clockSpeed: 50,
    timings: FAST,
    pageSize: 2,
    profile: {
      resourceGroups: [{ name: 'rg-a' }, { name: 'rg-b' }],
      managedInstances: [
        { resourceGroup: 'rg-a', name: 'mi-1', databases: ['one', 'two', 'three'] },
        { resourceGroup: 'rg-a', name: 'mi-2', tier: 'BusinessCritical', vCores: 16 },
        { resourceGroup: 'rg-b', name: 'mi-3', state: 'Stopped' },
      ],
      storageAccounts: [
        { resourceGroup: 'rg-a', name: 'storea', containers: ['cont1', 'cont2', 'cont3'] },
        { resourceGroup: 'rg-b', name: 'storeb' },
        { resourceGroup: 'rg-b', name: 'storec' },
      ],
      migrationServices: [{ resourceGroup: 'rg-a', name: 'dms-a' }],
    },
  });
  cloud = await loadCloudFile(sb.info.cloudFile);
});
after(() => sb?.stop());

const credential = () => staticTokenCredential(cloud.accessToken!);

async function all<T>(iter: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of iter) out.push(x);
  return out;
}

test('the cloud file describes the sandbox', () => {
  assert.equal(cloud.armEndpoint, sb.info.armEndpoint);
  assert.equal(cloud.accessToken, sb.info.accessToken);
  assert.equal(cloud.tenantId, sb.info.tenantId);
});

test('@azure/arm-sql: list by subscription and resource group across pages, get, databases, a delete LRO, a 404', async () => {
  const client = new SqlManagementClient(credential(), sb.info.subscriptionId, armClientOptions(cloud));
  adaptPipeline(client.pipeline, cloud, credential());
  const instances = await all(client.managedInstances.list());
  assert.deepEqual(instances.map((m) => m.name), ['mi-1', 'mi-2', 'mi-3']);
  const bc = instances.find((m) => m.name === 'mi-2')!;
  assert.equal(bc.sku?.tier, 'BusinessCritical');
  assert.equal(bc.vCores, 16);
  assert.equal(bc.state, 'Ready');
  assert.ok(bc.fullyQualifiedDomainName?.endsWith('.localhost'));
  assert.deepEqual((await all(client.managedInstances.listByResourceGroup('rg-a'))).map((m) => m.name), ['mi-1', 'mi-2']);
  assert.equal((await client.managedInstances.get('rg-b', 'mi-3')).state, 'Stopped');
  assert.deepEqual((await all(client.managedDatabases.listByInstance('rg-a', 'mi-1'))).map((d) => d.name), ['one', 'two', 'three']);
  assert.equal((await client.managedDatabases.get('RG-A', 'MI-1', 'TWO')).status, 'Online');

  await client.managedDatabases.beginDeleteAndWait('rg-a', 'mi-1', 'three', poll);
  assert.deepEqual((await all(client.managedDatabases.listByInstance('rg-a', 'mi-1'))).map((d) => d.name), ['one', 'two']);

  await assert.rejects(client.managedInstances.get('rg-a', 'nope'), (e: { statusCode?: number; code?: string }) => e.statusCode === 404 && e.code === 'ResourceNotFound');
});

test('@azure/arm-storage: list, list by resource group, get, listKeys that open Azurite, containers across pages, a 404', async () => {
  const client = new StorageManagementClient(credential(), sb.info.subscriptionId, armClientOptions(cloud));
  adaptPipeline(client.pipeline, cloud, credential());
  assert.deepEqual((await all(client.storageAccounts.list())).map((a) => a.name), ['storea', 'storeb', 'storec']);
  assert.deepEqual((await all(client.storageAccounts.listByResourceGroup('rg-b'))).map((a) => a.name), ['storeb', 'storec']);
  const account = await client.storageAccounts.getProperties('rg-a', 'storea');
  const endpoint = account.primaryEndpoints!.blob!;
  assert.match(endpoint, /^http:\/\/127\.0\.0\.1:\d+\/storea\/$/);
  const keys = await client.storageAccounts.listKeys('rg-a', 'storea');
  const key = keys.keys!.find((k) => k.keyName === 'key1')!.value!;
  const containers = await all(client.blobContainers.list('rg-a', 'storea'));
  assert.deepEqual(containers.map((c) => c.name), ['cont1', 'cont2', 'cont3']);

  // The key really opens the account in Azurite.
  const blob = new BlobServiceClient(endpoint.replace(/\/$/, ''), new StorageSharedKeyCredential('storea', key));
  await blob.getContainerClient('cont1').getBlockBlobClient('hello.txt').uploadData(Buffer.from('hi'));
  const names = await all(blob.getContainerClient('cont1').listBlobsFlat());
  assert.deepEqual(names.map((b) => b.name), ['hello.txt']);
  const wrong = new BlobServiceClient(endpoint.replace(/\/$/, ''), new StorageSharedKeyCredential('storea', Buffer.from('x'.repeat(64)).toString('base64')));
  await assert.rejects(all(wrong.listContainers()), (e: { statusCode?: number }) => e.statusCode === 403);

  await assert.rejects(client.storageAccounts.getProperties('rg-a', 'nosuchaccount'), (e: { statusCode?: number; code?: string }) => e.statusCode === 404 && e.code === 'ResourceNotFound');
});

test('@azure/arm-resources and subscriptions: list, get, create, paging, a delete LRO, errors', async () => {
  const subs = new SubscriptionClient(credential(), armClientOptions(cloud));
  adaptPipeline(subs.pipeline, cloud, credential());
  const list = await all(subs.subscriptions.list());
  assert.deepEqual(list.map((s) => s.subscriptionId), [sb.info.subscriptionId]);
  assert.equal(list[0]!.tenantId, sb.info.tenantId);

  const client = new ResourceManagementClient(credential(), sb.info.subscriptionId, armClientOptions(cloud));
  adaptPipeline(client.pipeline, cloud, credential());
  const created = await client.resourceGroups.createOrUpdate('rg-new', { location: 'westeurope', tags: { owner: 'tests' } });
  assert.equal(created.properties?.provisioningState, 'Succeeded');
  assert.deepEqual((await all(client.resourceGroups.list())).map((g) => g.name), ['rg-a', 'rg-b', 'rg-new']);
  assert.equal((await client.resourceGroups.get('RG-NEW')).tags?.owner, 'tests');
  assert.equal((await client.resourceGroups.checkExistence('rg-new')).body, true);
  await assert.rejects(client.resourceGroups.createOrUpdate('rg-new', { location: 'eastus' }), (e: { code?: string }) => e.code === 'InvalidResourceGroupLocation');

  await client.resourceGroups.beginDeleteAndWait('rg-new', poll);
  assert.equal((await client.resourceGroups.checkExistence('rg-new')).body, false);
  await assert.rejects(client.resourceGroups.get('rg-new'), (e: { statusCode?: number; code?: string }) => e.statusCode === 404 && e.code === 'ResourceGroupNotFound');
  await assert.rejects(client.resourceGroups.beginDeleteAndWait('rg-a', poll), (e: { statusCode?: number }) => e.statusCode === 409);
});

test('a wrong token is refused with 401 and an ARM error', async () => {
  const wrongCloud = { ...cloud, accessToken: 'not-the-token' };
  const cred = staticTokenCredential('not-the-token');
  const client = new SqlManagementClient(cred, sb.info.subscriptionId, armClientOptions(wrongCloud));
  adaptPipeline(client.pipeline, wrongCloud, cred);
  await assert.rejects(client.managedInstances.get('rg-a', 'mi-1'), (e: { statusCode?: number; code?: string }) => e.statusCode === 401 && e.code === 'InvalidAuthenticationToken');
});
