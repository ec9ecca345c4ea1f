import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AzureError, serviceIdOf, type DatabaseMigration, type MigrationRef, type MigrationServiceRef } from '../../../src/core/azure';
import { MigrationMonitor, type MonitorEvent, type MonitorSource } from '../../../src/core/migration';
import { migration, migrationId, readyDetails, SUB } from './fixtures';

/** The service as the monitor sees it: migrations per service, and failures to inject. */
class ServiceState implements MonitorSource {
  readonly byService = new Map<string, DatabaseMigration[]>();
  listCalls = 0;
  getCalls: string[] = [];
  failList = new Set<string>();
  failGet = new Set<string>();
  retryAfterMs?: number;

  listMigrations(service: MigrationServiceRef): Promise<DatabaseMigration[]> {
    this.listCalls++;
    if (this.failList.has(service.name)) {
      return Promise.reject(new AzureError({ code: 'TooManyRequests', statusCode: 429, serviceMessage: 'throttled', ...(this.retryAfterMs && { retryAfterMs: this.retryAfterMs }) }));
    }
    // The list carries no migrationStatusDetails.
    return Promise.resolve((this.byService.get(service.name) ?? []).map((m) => ({ ...m, properties: { ...m.properties!, migrationStatusDetails: undefined } })));
  }

  getMigration(ref: MigrationRef): Promise<never> | Promise<DatabaseMigration & { properties: { kind: 'SqlMi' } }> {
    this.getCalls.push(ref.targetDatabase);
    if (this.failGet.has(ref.targetDatabase)) return Promise.reject(new AzureError({ code: 'InternalServerError', statusCode: 500, serviceMessage: 'boom' }));
    for (const list of this.byService.values()) {
      const m = list.find((x) => x.name === ref.targetDatabase);
      if (m) return Promise.resolve(m as DatabaseMigration & { properties: { kind: 'SqlMi' } });
    }
    return Promise.reject(new AzureError({ code: 'ResourceNotFound', statusCode: 404, serviceMessage: 'gone' }));
  }

  set(serviceName: string, ...ms: DatabaseMigration[]): void {
    const list = this.byService.get(serviceName) ?? [];
    for (const m of ms) {
      const i = list.findIndex((x) => x.name === m.name);
      if (i >= 0) list[i] = m;
      else list.push(m);
    }
    this.byService.set(serviceName, list);
  }
}

const svc = (name: string): MigrationServiceRef => ({ subscriptionId: SUB, resourceGroup: 'rg', name });
const inService = (m: DatabaseMigration, service: string) => ({ ...m, properties: { ...m.properties!, migrationService: serviceIdOf(svc(service)) } });

function setup(services = ['dms1'], watched: string[] = []) {
  const state = new ServiceState();
  const monitor = new MigrationMonitor(state, { services: services.map(svc), watched: watched.map(migrationId), intervalMs: 1000, maxIntervalMs: 60_000 });
  const events: MonitorEvent[] = [];
  monitor.onEvent((e) => events.push(e));
  const names = () => events.splice(0).map((e) => `${e.type}:${e.id.split('/').pop()}:${e.status}`);
  return { state, monitor, names };
}

test('500 migrations in 3 services: one list per service and one GET per watched migration', async () => {
  const { state, monitor } = setup(['dms1', 'dms2', 'dms3'], ['Db7', 'Db250']);
  for (let i = 0; i < 500; i++) state.set(`dms${(i % 3) + 1}`, inService(migration(`Db${i}`, 'InProgress', { details: readyDetails() }), `dms${(i % 3) + 1}`));
  const r = await monitor.refresh();
  assert.deepEqual([r.listCalls, r.detailCalls], [3, 2]);
  assert.equal(state.listCalls, 3);
  assert.deepEqual(state.getCalls.sort(), ['Db250', 'Db7']);
  assert.equal(monitor.snapshot().length, 500);
  assert.equal(monitor.get(migrationId('Db7'))!.detailed, true);
  assert.equal(monitor.get(migrationId('Db8'))!.detailed, false);
  assert.ok(monitor.get(migrationId('Db7'))!.migration.properties?.migrationStatusDetails, 'watched ones carry the file list');
  assert.equal(r.nextDelayMs, 1000);
});

test('events: Added, then changes with ReadyForCutover and Succeeded', async () => {
  const { state, monitor, names } = setup();
  state.set('dms1', inService(migration('Sales', 'InProgress'), 'dms1'));
  await monitor.refresh();
  assert.deepEqual(names(), ['Added:Sales:InProgress']);
  await monitor.refresh();
  assert.deepEqual(names(), [], 'no change, no event');
  state.set('dms1', inService(migration('Sales', 'ReadyForCutover'), 'dms1'));
  await monitor.refresh();
  assert.deepEqual(names(), ['StatusChanged:Sales:ReadyForCutover', 'ReadyForCutover:Sales:ReadyForCutover']);
  state.set('dms1', inService(migration('Sales', 'Failed'), 'dms1'));
  await monitor.refresh();
  assert.deepEqual(names(), ['StatusChanged:Sales:Failed', 'Failed:Sales:Failed']);
});

test('a failed list marks its migrations stale and reports nothing from old data', async () => {
  const { state, monitor, names } = setup(['dms1', 'dms2']);
  state.set('dms1', inService(migration('Sales', 'InProgress'), 'dms1'));
  state.set('dms2', inService(migration('HR', 'InProgress'), 'dms2'));
  await monitor.refresh();
  names();
  state.set('dms1', inService(migration('Sales', 'Succeeded'), 'dms1'));
  state.failList.add('dms1');
  const r = await monitor.refresh();
  assert.equal(r.errors.length, 1);
  assert.deepEqual(names(), []);
  const sales = monitor.get(migrationId('Sales'))!;
  assert.equal(sales.stale, true);
  assert.equal(sales.status, 'InProgress', 'the last status actually read, flagged stale');
  assert.equal(monitor.get(migrationId('HR'))!.stale, false, 'the other service is fine');
  state.failList.clear();
  await monitor.refresh();
  assert.deepEqual(names(), ['StatusChanged:Sales:Succeeded', 'Succeeded:Sales:Succeeded']);
  assert.equal(monitor.get(migrationId('Sales'))!.stale, false);
});

test('a watched migration\'s success must be confirmed by its own GET', async () => {
  const { state, monitor, names } = setup(['dms1'], ['Sales']);
  state.set('dms1', inService(migration('Sales', 'ReadyForCutover', { details: readyDetails() }), 'dms1'));
  await monitor.refresh();
  names();
  state.set('dms1', inService(migration('Sales', 'Succeeded', { details: readyDetails() }), 'dms1'));
  state.failGet.add('Sales');
  await monitor.refresh();
  assert.deepEqual(names(), [], 'the list says Succeeded but the GET failed: no success reported');
  assert.equal(monitor.get(migrationId('Sales'))!.stale, true);
  state.failGet.clear();
  await monitor.refresh();
  assert.deepEqual(names(), ['StatusChanged:Sales:Succeeded', 'Succeeded:Sales:Succeeded']);
  const calls = state.getCalls.length;
  await monitor.refresh();
  assert.equal(state.getCalls.length, calls, 'a confirmed terminal migration needs no more GETs');
});

test('a restart (new operation) replaces an old success', async () => {
  const { state, monitor, names } = setup();
  state.set('dms1', inService(migration('Sales', 'Succeeded', { opId: 'op1' }), 'dms1'));
  await monitor.refresh();
  names();
  state.set('dms1', inService(migration('Sales', 'InProgress', { opId: 'op2' }), 'dms1'));
  await monitor.refresh();
  assert.deepEqual(names(), ['StatusChanged:Sales:InProgress']);
  assert.equal(monitor.get(migrationId('Sales'))!.operationId, 'op2');
  state.set('dms1', inService(migration('Sales', 'Succeeded', { opId: 'op2' }), 'dms1'));
  await monitor.refresh();
  assert.deepEqual(names(), ['StatusChanged:Sales:Succeeded', 'Succeeded:Sales:Succeeded']);
});

test('deleted migrations are removed when their service answers without them', async () => {
  const { state, monitor, names } = setup();
  state.set('dms1', inService(migration('Sales', 'Canceled'), 'dms1'), inService(migration('HR', 'InProgress'), 'dms1'));
  await monitor.refresh();
  names();
  state.byService.set('dms1', state.byService.get('dms1')!.filter((m) => m.name !== 'Sales'));
  await monitor.refresh();
  assert.deepEqual(names(), ['Removed:Sales:Canceled']);
  assert.equal(monitor.snapshot().length, 1);
});

test('backs off on failures, honours Retry-After, and returns to the interval after a success', async () => {
  const { state, monitor } = setup();
  state.failList.add('dms1');
  assert.equal((await monitor.refresh()).nextDelayMs, 2000);
  assert.equal((await monitor.refresh()).nextDelayMs, 4000);
  state.retryAfterMs = 30_000;
  assert.equal((await monitor.refresh()).nextDelayMs, 30_000);
  state.retryAfterMs = 10 * 60_000;
  assert.equal((await monitor.refresh()).nextDelayMs, 60_000, 'capped at maxIntervalMs');
  state.failList.clear();
  assert.equal((await monitor.refresh()).nextDelayMs, 1000);
});

test('run() refreshes until aborted, waiting what each refresh says', async () => {
  const state = new ServiceState();
  state.set('dms1', inService(migration('Sales', 'InProgress'), 'dms1'));
  const waits: number[] = [];
  const ac = new AbortController();
  const monitor = new MigrationMonitor(state, {
    services: [svc('dms1')],
    intervalMs: 5,
    sleep: async (ms) => {
      waits.push(ms);
      if (waits.length === 3) ac.abort();
    },
  });
  await monitor.run(ac.signal);
  assert.equal(state.listCalls, 3);
  assert.deepEqual(waits, [5, 5, 5]);
});

test('watch() refuses ids that are not migrations', () => {
  const { monitor } = setup();
  assert.throws(() => monitor.watch('/subscriptions/x/resourceGroups/y'), /not a SQL MI database migration id/);
});
