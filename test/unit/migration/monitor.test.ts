import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AzureError, serviceIdOf, type DatabaseMigration, type MigrationRef, type MigrationServiceRef } from '../../../src/core/azure';
import { MigrationMonitor, type MonitorEvent, type MonitorSource, type RefreshReport } from '../../../src/core/migration';
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

test('a migration that did not change is the same object in the next snapshot; one that changed (or whose files were read) is new', async () => {
  const { state, monitor } = setup(['dms1'], ['HR']);
  state.set('dms1', ...['Sales', 'HR', 'Ops'].map((db) => inService(migration(db, 'InProgress', { details: readyDetails() }), 'dms1')));
  await monitor.refresh();
  const before = new Map(monitor.snapshot().map((s) => [s.id, s.migration]));
  state.set('dms1', inService(migration('Ops', 'ReadyForCutover', { details: readyDetails() }), 'dms1'));
  await monitor.refresh();
  const same = monitor.snapshot().map((s) => `${s.id.split('/').pop()}: ${s.migration === before.get(s.id) ? 'same' : 'new'}`);
  // HR is watched: its details are read again, identical, so it is the same object too.
  assert.deepEqual(same, ['HR: same', 'Ops: new', 'Sales: same']);
  assert.equal(monitor.get(migrationId('Ops'))!.migration.properties?.migrationStatus, 'ReadyForCutover');
  // A file restored since: the watched one's details differ, so it is a new object.
  state.set('dms1', inService(migration('HR', 'InProgress', { details: { ...readyDetails(), lastRestoredFilename: 'HR_LOG_9.trn' } }), 'dms1'));
  const hr = monitor.get(migrationId('HR'))!.migration;
  await monitor.refresh();
  assert.notEqual(monitor.get(migrationId('HR'))!.migration, hr);
  assert.equal(monitor.get(migrationId('HR'))!.migration.properties?.migrationStatusDetails?.lastRestoredFilename, 'HR_LOG_9.trn');
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

/** Waits the monitor asks for, ended by the test (a fake clock for its schedule). */
class FakeWaits {
  pending: { ms: number; end: () => void }[] = [];
  sleep = (ms: number, signal?: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      const wait = { ms, end: resolve };
      this.pending.push(wait);
      signal?.addEventListener('abort', () => {
        this.pending = this.pending.filter((w) => w !== wait);
        reject(signal.reason);
      }, { once: true });
    });
  /** Ends the one wait scheduled, lets the refresh it starts run, and returns how long it was. */
  async fire(): Promise<number> {
    assert.equal(this.pending.length, 1, 'exactly one refresh scheduled');
    const wait = this.pending.shift()!;
    wait.end();
    await settle();
    return wait.ms;
  }
}

const settle = () => new Promise((r) => setImmediate(r));

function scheduled(options: { intervalMs?: number } = {}) {
  const state = new ServiceState();
  state.set('dms1', inService(migration('Sales', 'InProgress'), 'dms1'));
  const waits = new FakeWaits();
  const monitor = new MigrationMonitor(state, { services: [svc('dms1')], intervalMs: options.intervalMs ?? 30_000, maxIntervalMs: 300_000, sleep: waits.sleep });
  return { state, waits, monitor };
}

test('start() refreshes at once, then every interval until stop(); a new interval applies from now; 0 refreshes only when asked', async () => {
  const { state, waits, monitor } = scheduled();
  assert.equal(waits.pending.length, 0, 'nothing before start()');
  monitor.start();
  await settle();
  assert.equal(state.listCalls, 1);
  assert.equal(await waits.fire(), 30_000);
  assert.equal(state.listCalls, 2);
  monitor.setIntervalMs(60_000);
  assert.equal(await waits.fire(), 60_000);
  monitor.stop();
  assert.equal(waits.pending.length, 0, 'stopped: nothing scheduled');
  monitor.setIntervalMs(0);
  monitor.start();
  await settle();
  assert.equal(state.listCalls, 4, 'start() still refreshes once');
  assert.equal(waits.pending.length, 0, 'interval 0: nothing scheduled');
  await monitor.refreshNow();
  assert.equal(state.listCalls, 5);
  assert.equal(waits.pending.length, 0);
  monitor.setIntervalMs(30_000);
  assert.equal(await waits.fire(), 30_000, 'back on: scheduled from now');
  monitor.dispose();
  assert.equal(waits.pending.length, 0);
});

test('the schedule waits what each refresh says: the back-off after failures (doubling, capped), Retry-After, the interval after a success', async () => {
  const { state, waits, monitor } = scheduled();
  state.failList.add('dms1');
  monitor.start();
  await settle();
  assert.equal(await waits.fire(), 60_000);
  state.retryAfterMs = 280_000;
  assert.equal(await waits.fire(), 120_000);
  state.failList.clear();
  assert.equal(await waits.fire(), 280_000, 'the longer of the back-off (240 s) and Retry-After');
  assert.equal(waits.pending[0]!.ms, 30_000, 'a success returns to the interval');
  monitor.dispose();
});

test('refreshNow() joins a refresh under way, unless the services changed since it began', async () => {
  const state = new ServiceState();
  state.set('dms1', inService(migration('Sales', 'InProgress'), 'dms1'));
  state.set('dms2', inService(migration('HR', 'InProgress'), 'dms2'));
  const monitor = new MigrationMonitor(state, { services: [svc('dms1')], intervalMs: 0 });
  const reports: number[] = [];
  monitor.onRefresh((r) => reports.push(r.listCalls));
  const a = monitor.refreshNow();
  const b = monitor.refreshNow();
  assert.equal(a, b, 'one refresh for both');
  await a;
  assert.equal(state.listCalls, 1);
  const c = monitor.refreshNow();
  monitor.setServices([svc('dms1'), svc('dms2')]);
  const d = monitor.refreshNow();
  assert.notEqual(c, d, 'a new service needs a refresh of its own');
  await Promise.all([c, d]);
  assert.deepEqual(reports, [1, 1, 2]);
  assert.deepEqual(monitor.snapshot().map((s) => s.migration.name), ['HR', 'Sales']);
});

test('watchListed: every listed migration is read with its details in the same refresh, until its end is confirmed', async () => {
  const state = new ServiceState();
  const monitor = new MigrationMonitor(state, { services: [svc('dms1')], watchListed: true });
  state.set('dms1', inService(migration('Sales', 'InProgress', { details: readyDetails() }), 'dms1'), inService(migration('Old', 'Succeeded', { details: readyDetails() }), 'dms1'));
  const r = await monitor.refresh();
  assert.deepEqual([r.listCalls, r.detailCalls], [1, 2]);
  assert.ok(monitor.snapshot().every((s) => s.detailed && s.migration.properties?.migrationStatusDetails));
  state.getCalls = [];
  await monitor.refresh();
  assert.deepEqual(state.getCalls, ['Sales'], 'a confirmed end needs no more reads');
});

test('announceArrivals: a migration that appears already Failed is news once its service has answered before; the first answer is not', async () => {
  const events = (announceArrivals: boolean) => {
    const state = new ServiceState();
    const monitor = new MigrationMonitor(state, { services: [svc('dms1')], watchListed: true, announceArrivals });
    const seen: string[] = [];
    monitor.onEvent((e) => seen.push(`${e.type}:${e.id.split('/').pop()}`));
    return { state, monitor, seen };
  };
  const on = events(true);
  on.state.set('dms1', inService(migration('Ready', 'ReadyForCutover', { details: readyDetails() }), 'dms1'));
  await on.monitor.refresh();
  assert.deepEqual(on.seen.splice(0), ['Added:Ready'], 'already so when the watch began');
  on.state.set('dms1', inService(migration('Broken', 'Failed'), 'dms1'), inService(migration('Done', 'Succeeded', { details: readyDetails() }), 'dms1'));
  await on.monitor.refresh();
  assert.deepEqual(on.seen.splice(0), ['Added:Broken', 'Failed:Broken', 'Added:Done', 'Succeeded:Done']);

  const off = events(false);
  await off.monitor.refresh();
  off.state.set('dms1', inService(migration('Broken', 'Failed'), 'dms1'));
  await off.monitor.refresh();
  assert.deepEqual(off.seen, ['Added:Broken'], 'off by default');
});

test('setServices: a new service is listed; the migrations of one no longer followed are forgotten, not reported removed', async () => {
  const { state, monitor, names } = setup(['dms1']);
  state.set('dms1', inService(migration('Sales', 'InProgress'), 'dms1'));
  state.set('dms2', inService(migration('HR', 'InProgress'), 'dms2'));
  await monitor.refresh();
  assert.deepEqual(names(), ['Added:Sales:InProgress']);
  monitor.setServices([svc('dms1'), svc('dms2')]);
  await monitor.refresh();
  assert.deepEqual(names(), ['Added:HR:InProgress']);
  monitor.setServices([svc('dms2')]);
  assert.deepEqual(monitor.snapshot().map((s) => s.migration.name), ['HR']);
  await monitor.refresh();
  assert.deepEqual(names(), []);
});

test('every refresh is reported to onRefresh: how many lists answered, and each error with what was thrown', async () => {
  const { state, monitor } = setup(['dms1', 'dms2']);
  const reports: RefreshReport[] = [];
  monitor.onRefresh((r) => reports.push(r));
  state.failList.add('dms2');
  await monitor.refresh();
  assert.equal(reports.length, 1);
  assert.deepEqual([reports[0]!.listCalls, reports[0]!.listsAnswered], [2, 1]);
  const cause = reports[0]!.errors[0]!.cause as AzureError;
  assert.equal(cause.statusCode, 429);
});

test('watched by id alone (no service listed): one that ended stays final, not stale, while another is still running', async () => {
  const { state, monitor } = setup([], ['A', 'B']);
  state.set('dms1', inService(migration('A', 'Succeeded', { details: readyDetails() }), 'dms1'), inService(migration('B', 'InProgress', { details: readyDetails() }), 'dms1'));
  await monitor.refresh();
  state.getCalls = [];
  await monitor.refresh();
  assert.deepEqual(state.getCalls, ['B'], 'the confirmed end is not read again');
  const a = monitor.get(migrationId('A'))!;
  assert.deepEqual([a.status, a.detailed, a.stale], ['Succeeded', true, false], 'a watch waiting for every end must see this one as ended');
  state.failGet.add('B');
  await monitor.refresh();
  assert.equal(monitor.get(migrationId('B'))!.stale, true, 'one that could not be read is still stale');
});
