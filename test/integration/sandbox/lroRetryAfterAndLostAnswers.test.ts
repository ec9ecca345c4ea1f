/**
 * The emulator's long-running operations send Retry-After as ARM's contract asks, and its
 * `dropAfterAccept` fault carries a request out before losing the answer (where `drop` loses
 * the request itself).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startSandbox, type Sandbox } from '../../../sandbox/sandbox';
import { arm, FAST, waitFor } from './support';

let sb: Sandbox;
before(async () => {
  sb = await startSandbox({ clockSpeed: 50, timings: { ...FAST, serviceProvisionSeconds: 10, deleteSeconds: 10 } });
});
after(() => sb?.stop());

const servicePath = (name: string) => `/subscriptions/${sb.info.subscriptionId}/resourceGroups/${sb.info.resourceGroup}/providers/Microsoft.DataMigration/sqlMigrationServices/${name}`;

test('Retry-After on the answer that starts an operation and on each poll while it runs, in real time; none once it ended', async () => {
  const put = await arm(sb, 'PUT', servicePath('retry-after-dms'), { location: 'eastus' });
  assert.equal(put.status, 201);
  assert.ok(put.headers.get('azure-asyncoperation'));
  // 5 simulated seconds at 50x.
  assert.equal(put.headers.get('retry-after'), '1');
  assert.equal(put.headers.get('retry-after-ms'), '100');
  const url = put.headers.get('azure-asyncoperation')!;
  const running = await arm(sb, 'GET', url);
  assert.equal(running.body.status, 'InProgress');
  assert.equal(running.headers.get('retry-after-ms'), '100');
  assert.ok(!('retry-after' in running.body), 'headers only');
  const ended = await waitFor('the operation ended', async () => {
    const r = await arm(sb, 'GET', url);
    return r.body.status === 'InProgress' ? undefined : r;
  });
  assert.equal(ended.body.status, 'Succeeded');
  assert.equal(ended.headers.get('retry-after'), null);

  // Location-style operations (a resource group's delete) too.
  const rg = `/subscriptions/${sb.info.subscriptionId}/resourcegroups/rg-retry-after`;
  assert.equal((await arm(sb, 'PUT', rg, { location: 'eastus' }, '2021-04-01')).status, 201);
  sb.faults.slowOperations(120); // still running when polled below
  const del = await arm(sb, 'DELETE', rg, undefined, '2021-04-01');
  sb.faults.clear();
  assert.equal(del.status, 202);
  assert.ok(del.headers.get('location'));
  assert.equal(del.headers.get('retry-after-ms'), '100');
  const poll = await arm(sb, 'GET', del.headers.get('location')!, undefined, '');
  assert.equal(poll.status, 202);
  assert.equal(poll.headers.get('retry-after-ms'), '100');
});

test('dropAfterAccept: the request is carried out, then its answer is lost; drop loses the request itself', async () => {
  const add = await arm(sb, 'POST', '/_sandbox/faults', { kind: 'dropAfterAccept', method: 'PUT', path: '/sqlMigrationServices/accepted-dms', times: 1 }, '');
  assert.equal(add.status, 200);
  await assert.rejects(arm(sb, 'PUT', servicePath('accepted-dms'), { location: 'eastus' }), /fetch failed|socket|other side closed/i);
  assert.equal((await arm(sb, 'GET', servicePath('accepted-dms'))).status, 200, 'created although no answer came');

  sb.faults.add({ kind: 'drop', method: 'PUT', path: '/sqlMigrationServices/dropped-dms', times: 1 });
  await assert.rejects(arm(sb, 'PUT', servicePath('dropped-dms'), { location: 'eastus' }), /fetch failed|socket|other side closed/i);
  assert.equal((await arm(sb, 'GET', servicePath('dropped-dms'))).status, 404, 'never created');
  assert.deepEqual(sb.faults.list(), []);
});
