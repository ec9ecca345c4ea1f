/** The sandbox's small parts: the simulated clock, fault matching, routes, paging, ARM ids, seed profiles. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SimClock } from '../../../sandbox/clock';
import { Faults, parseFault } from '../../../sandbox/arm/faults';
import { API_VERSIONS, ArmError, checkApiVersion, page, type ArmRequest, type ArmResponse } from '../../../sandbox/arm/http';
import { LongRunningOperations, withRetryAfter } from '../../../sandbox/arm/longRunning';
import { route, Router, type Operation, type Route } from '../../../sandbox/arm/router';
import { buildWorld, parseArmId } from '../../../sandbox/arm/world';

test('the clock runs at its speed, and a speed change re-times pending sleeps', async () => {
  const clock = new SimClock(1000);
  const t0 = clock.now();
  await new Promise((r) => setTimeout(r, 20));
  assert.ok(clock.now() - t0 >= 15_000, `${clock.now() - t0} simulated ms`);
  const slow = new SimClock(1);
  const started = Date.now();
  const sleeping = slow.sleep(60_000);
  slow.setSpeed(600_000);
  await sleeping;
  assert.ok(Date.now() - started < 1000);
  const aborted = new AbortController();
  const s = slow.sleep(1e9, aborted.signal);
  aborted.abort(new Error('stop'));
  await assert.rejects(s, /stop/);
  assert.throws(() => slow.setSpeed(0), /positive/);
});

test('faults match by method and path, count down, and malformed ones are refused', () => {
  const f = new Faults();
  f.add({ kind: 'throttle', method: 'get', path: '/ListMigrations', times: 2 });
  assert.equal(f.take('POST', '/x/listmigrations'), undefined);
  assert.equal(f.take('GET', '/x/listmigrations')?.kind, 'throttle');
  assert.equal(f.take('GET', '/x/listMigrations')?.kind, 'throttle');
  assert.equal(f.take('GET', '/x/listMigrations'), undefined);
  f.add({ kind: 'error', times: 0 });
  for (let i = 0; i < 5; i++) assert.equal(f.take('GET', '/any')?.kind, 'error');
  f.clear();
  assert.deepEqual(f.list(), []);
  assert.throws(() => parseFault({ kind: 'boom' }), /"kind" must be one of/);
  assert.throws(() => parseFault({ kind: 'error', status: 700 }), /"status" must be an HTTP error status/);
  assert.throws(() => parseFault({ kind: 'delay', delayMs: -1 }), /"delayMs" must be a number >= 0/);
  assert.equal(parseFault({ kind: 'dropAfterAccept', method: 'POST', path: '/cutover' }).kind, 'dropAfterAccept');
});

test('long-running operations carry Retry-After in real time: on the answer that starts one and on every poll while it runs', async () => {
  const clock = new SimClock(50);
  const ops = new LongRunningOperations(clock);
  const op = ops.start('/subscriptions/s/providers/Microsoft.DataMigration/locations/l/operationStatuses', '2025-09-01-preview');
  const base = 'http://127.0.0.1:4567';
  // 5 simulated seconds at 50x: 100 ms, or 1 s in Retry-After's whole seconds.
  const started = withRetryAfter({ status: 202, headers: { 'azure-asyncoperation': ops.url(op, base) } });
  assert.equal(started.headers!['retry-after'], '1');
  assert.equal(started.headers!['retry-after-ms'], '100');
  const location = withRetryAfter({ status: 202, headers: { location: ops.url(op, base) } });
  assert.equal(location.headers!['retry-after-ms'], '100');
  const polled = withRetryAfter({ status: 200, body: ops.body(op) });
  assert.equal(polled.headers!['retry-after-ms'], '100');
  assert.equal(JSON.stringify(polled.body), JSON.stringify(ops.body(op)), 'the body is as before');
  assert.ok(!JSON.stringify(polled.body).includes('retry'), 'nothing of it in the JSON');
  clock.setSpeed(1);
  assert.equal(withRetryAfter({ status: 200, body: ops.body(op) }).headers!['retry-after'], '5', 'at real speed, 5 seconds');
  ops.succeed(op);
  assert.equal(withRetryAfter({ status: 200, body: ops.body(op) }).headers, undefined, 'a finished operation asks for no wait');
  // Not an operation: a plain answer, a foreign Location, or a route's own Retry-After stay as they are.
  assert.equal(withRetryAfter({ status: 200, body: { name: 'x' } }).headers, undefined);
  assert.equal(withRetryAfter({ status: 201, headers: { location: 'http://127.0.0.1:1/elsewhere' } }).headers!['retry-after'], undefined);
  assert.equal(withRetryAfter({ status: 202, headers: { 'azure-asyncoperation': ops.url(op, base), 'Retry-After': '30' } }).headers!['retry-after'], undefined);
  // The router applies it to every route's answer.
  const running = ops.start('/subscriptions/s/providers/Microsoft.Sql/locations/l/operationStatuses', 'v');
  const r = new Router(ops, [operation(route('POST', '/x/{name}/cutover', ['v']), (o) => ({ status: 202, headers: { 'azure-asyncoperation': o.url(running, base) } }))]);
  const m = r.match('POST', '/x/db1/cutover');
  assert.ok(m && 'run' in m);
  assert.equal((await m.run({ method: 'POST', url: new URL(`${base}/x/db1/cutover`), headers: {}, body: undefined, params: m.params })).headers!['retry-after'], '5');
});

/** An operation for the router, without a provider module around it. */
function operation<C>(r: Route, handle: (context: C, req: ArmRequest) => ArmResponse): Operation<C> {
  return Object.assign((context: C, req: ArmRequest) => handle(context, req), { route: r });
}

test('routes match without regard to case, run with what they were registered with; api-versions are checked, also when repeated', async () => {
  const rg = '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}';
  const r = new Router('the emulator', [operation(route('GET', rg, API_VERSIONS.resources), (context, req) => ({ status: 200, body: { context, params: req.params } }))]);
  const m = r.match('GET', '/SUBSCRIPTIONS/abc/resourcegroups/My%20RG');
  assert.ok(m && 'run' in m);
  assert.deepEqual(m.params, { subscriptionId: 'abc', resourceGroupName: 'My RG' });
  assert.deepEqual((await m.run({ method: 'GET', url: new URL('http://h/'), headers: {}, body: undefined, params: m.params })).body, { context: 'the emulator', params: m.params });
  assert.deepEqual(r.match('DELETE', '/subscriptions/abc/resourceGroups/x'), { methodNotAllowed: true });
  assert.equal(r.match('GET', '/subscriptions/abc'), undefined);
  // Two operations on one route: the second could never answer.
  assert.throws(() => new Router(0, [operation(route('GET', rg, ['v']), () => ({ status: 200 })), operation(route('GET', '/Subscriptions/{s}/resourcegroups/{rg}', ['v']), () => ({ status: 200 }))]), /both claim GET/);
  const dms = API_VERSIONS.datamigration;
  assert.equal(checkApiVersion(new URL('http://h/x?api-version=2025-06-30&api-version=2025-06-30'), dms), '2025-06-30');
  assert.throws(() => checkApiVersion(new URL('http://h/x?api-version=2025-06-30&api-version=2018-07-15-preview'), dms), (e: ArmError) => e.code === 'InvalidApiVersionParameter');
  assert.throws(() => checkApiVersion(new URL('http://h/x'), API_VERSIONS.sql), (e: ArmError) => e.status === 400 && e.code === 'MissingApiVersionParameter');
});

test('pages carry an absolute nextLink that keeps the other query parameters', () => {
  const req = (q: string) => ({ url: new URL(`http://127.0.0.1:9/list?api-version=v&$expand=x${q}`) }) as ArmRequest;
  const first = page(req(''), [1, 2, 3, 4, 5], 2, 'http://127.0.0.1:9', (n) => n * 10);
  assert.deepEqual(first.value, [10, 20]);
  const next = new URL(first.nextLink!);
  assert.equal(next.origin, 'http://127.0.0.1:9');
  assert.equal(next.searchParams.get('$expand'), 'x');
  const last = page(req('&$skiptoken=4'), [1, 2, 3, 4, 5], 2, 'http://127.0.0.1:9');
  assert.deepEqual(last, { value: [5] });
  assert.throws(() => page(req('&$skiptoken=-3'), [1], 2, 'http://h'), (e: ArmError) => e.code === 'InvalidSkipToken');
});

test('ARM ids parse without regard to case; seed profiles are checked with clear messages', () => {
  assert.deepEqual(parseArmId('/subscriptions/s/resourcegroups/rg/providers/Microsoft.Storage/storageAccounts/acct'), {
    subscriptionId: 's', resourceGroup: 'rg', provider: 'Microsoft.Storage', types: ['storageAccounts'], names: ['acct'],
  });
  assert.equal(parseArmId('account.database.windows.net'), undefined);
  assert.equal(parseArmId('/subscriptions/s/resourceGroups/rg/providers/P/type/'), undefined);
  const w = buildWorld();
  assert.equal(w.managedInstances.values()[0]!.state, 'Ready');
  assert.ok(w.managedInstances.get('RG-SQLMIG-SANDBOX/SQLMI-SANDBOX'));
  assert.throws(() => buildWorld({ storageAccounts: [{ resourceGroup: 'rg-sqlmig-sandbox', name: 'Bad_Name' }] }), /must be 3-24 lowercase letters and digits/);
  assert.throws(() => buildWorld({ managedInstances: [{ resourceGroup: 'elsewhere', name: 'mi' }] }), /resource group elsewhere is not in "resourceGroups"/);
  assert.throws(() => buildWorld({ shares: [{ path: 'C:\\backups', folder: 'x' }] }), /must be a UNC path/);
  assert.throws(() => buildWorld({ storageAccounts: [{ resourceGroup: 'rg-sqlmig-sandbox', name: 'good', containers: ['ab'] }] }), /container name ab/);
});
