/**
 * Fault injection: throttling with Retry-After, server errors, dropped connections, slow
 * long-running operations, over the admin route and in process; and how the official SDK
 * pipeline lives through them (it retries 429 and 500 by itself).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SqlManagementClient } from '@azure/arm-sql';
import { adaptPipeline, armClientOptions, loadCloudFile, staticTokenCredential } from '../../../src/core/azure';
import { startSandbox, type Sandbox } from '../../../sandbox/sandbox';
import { arm, FAST, waitOperation } from './support';

let sb: Sandbox;
before(async () => {
  sb = await startSandbox({ clockSpeed: 50, timings: FAST });
});
after(() => sb?.stop());

const miPath = () => sb.info.managedInstanceId;
const SQL = '2022-08-01-preview';

test('429 with Retry-After, then normal answers', async () => {
  const add = await arm(sb, 'POST', '/_sandbox/faults', { kind: 'throttle', path: '/managedInstances/', times: 2, retryAfterSeconds: 7 }, '');
  assert.equal(add.status, 200);
  for (let i = 0; i < 2; i++) {
    const r = await arm(sb, 'GET', miPath(), undefined, SQL);
    assert.equal(r.status, 429);
    assert.equal(r.headers.get('retry-after'), '7');
    assert.equal(r.body.error.code, 'TooManyRequests');
  }
  assert.equal((await arm(sb, 'GET', miPath(), undefined, SQL)).status, 200);
});

test('injected 500s and dropped connections; the SDK pipeline retries through them', async () => {
  sb.faults.add({ kind: 'error', method: 'GET', path: 'sqlmi-sandbox', times: 1, code: 'UnExpectedErrorOccurred' });
  const r = await arm(sb, 'GET', miPath(), undefined, SQL);
  assert.equal(r.status, 500);
  assert.equal(r.body.error.code, 'UnExpectedErrorOccurred');

  sb.faults.add({ kind: 'drop', path: 'sqlmi-sandbox', times: 1 });
  await assert.rejects(arm(sb, 'GET', miPath(), undefined, SQL), /fetch failed|socket|other side closed/i);

  const cloud = await loadCloudFile(sb.info.cloudFile);
  const cred = staticTokenCredential(cloud.accessToken!);
  const client = new SqlManagementClient(cred, sb.info.subscriptionId, { ...armClientOptions(cloud), retryOptions: { retryDelayInMs: 10, maxRetryDelayInMs: 50 } });
  adaptPipeline(client.pipeline, cloud, cred);
  sb.faults.add({ kind: 'throttle', path: 'sqlmi-sandbox', times: 1, retryAfterSeconds: 0 });
  sb.faults.add({ kind: 'error', path: 'sqlmi-sandbox', times: 1 });
  assert.equal((await client.managedInstances.get(sb.info.resourceGroup, 'sqlmi-sandbox')).name, 'sqlmi-sandbox');
  assert.deepEqual(sb.faults.list(), []);
});

test('slow long-running operations and slow answers', async () => {
  sb.faults.slowOperations(5);
  const put = await arm(sb, 'PUT', `/subscriptions/${sb.info.subscriptionId}/resourceGroups/${sb.info.resourceGroup}/providers/Microsoft.DataMigration/sqlMigrationServices/slow-dms`, { location: 'eastus' });
  assert.equal(put.status, 201);
  const started = Date.now();
  assert.equal((await waitOperation(sb, put)).status, 'Succeeded');
  // 1 + 5 simulated seconds at 50x: at least 100 ms of real time.
  assert.ok(Date.now() - started >= 100, `${Date.now() - started} ms`);
  sb.faults.clear();

  sb.faults.add({ kind: 'delay', path: 'sqlmi-sandbox', delayMs: 300 });
  const t = Date.now();
  assert.equal((await arm(sb, 'GET', miPath(), undefined, SQL)).status, 200);
  assert.ok(Date.now() - t >= 300);
});

test('admin routes need the token and reject malformed faults; the clock speed can change', async () => {
  assert.equal((await arm(sb, 'POST', '/_sandbox/faults', { kind: 'throttle' }, '', '')).status, 401);
  const bad = await arm(sb, 'POST', '/_sandbox/faults', { kind: 'explode' }, '');
  assert.equal(bad.status, 400);
  assert.match(bad.body.error.message, /"kind" must be one of/);
  assert.equal((await arm(sb, 'POST', '/_sandbox/faults', { kind: 'error', status: 200 }, '')).status, 400);
  const clock = await arm(sb, 'PUT', '/_sandbox/clock', { speed: 500 }, '');
  assert.equal(clock.body.speed, 500);
  assert.equal(sb.clock.speed, 500);
  assert.equal((await arm(sb, 'PUT', '/_sandbox/clock', { speed: -1 }, '')).status, 400);
  sb.setClockSpeed(50);
  const restore = await arm(sb, 'POST', '/_sandbox/faults/restore', { fileName: 'x.trn' }, '');
  assert.equal(restore.status, 200);
  assert.equal((await arm(sb, 'GET', '/_sandbox/faults', undefined, '')).body.restoreFailures[0].fileName, 'x.trn');
  assert.equal((await arm(sb, 'DELETE', '/_sandbox/faults', undefined, '')).status, 200);
  assert.deepEqual((await arm(sb, 'GET', '/_sandbox/faults', undefined, '')).body.restoreFailures, []);
});
