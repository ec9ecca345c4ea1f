/**
 * The monitor within ARM's read limits: 1,000 migrations behind the sandbox's token bucket
 * (250 reads, 25/s), read through the real DmsClient pipeline with the request budget.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DmsClient } from '../../../src/core/azure';
import { MigrationMonitor } from '../../../src/core/migration';
import { ArmService, SERVICE, TestClock } from '../azure/armService';
import { migrationId } from './fixtures';

function setup(count: number, watched: string[]) {
  const clock = new TestClock();
  const service = new ArmService(clock, count);
  const budget = service.budget();
  const dms = new DmsClient(service.context(budget));
  const monitor = new MigrationMonitor(dms, { services: [SERVICE], watched: watched.map(migrationId), detailsForChanged: true, budget, intervalMs: 30_000, now: clock.now });
  const refresh = async () => {
    const before = service.http.requests.length;
    const report = await monitor.refresh();
    return { report, requests: service.http.requests.length - before };
  };
  return { clock, service, budget, monitor, refresh };
}

test('1,000 migrations: a refresh is the list pages plus the watched migrations; a changed summary costs one read; nothing is throttled', async () => {
  const watched = ['Db0001', 'Db0500', 'Db0999'];
  const { clock, service, monitor, refresh } = setup(1000, watched);
  const first = await refresh();
  assert.equal(first.requests, 10 + 3, 'ten pages of 100 and the three watched, no detail read for the others');
  assert.equal(first.report.detailCalls, 3);
  assert.equal(first.report.deferred, 0);
  assert.equal(monitor.snapshot().length, 1000);
  assert.equal(monitor.snapshot().filter((s) => s.detailed).length, 3);

  clock.advance(30_000);
  const quiet = await refresh();
  assert.equal(quiet.requests, 13, 'nothing changed: the floor again');

  // 20 migrations move on: their list summary says so, and only they are read.
  service.change(service.names().slice(100, 120), 'ReadyForCutover');
  clock.advance(30_000);
  const changed = await refresh();
  assert.equal(changed.requests, 10 + 3 + 20);
  assert.equal(monitor.get(migrationId('Db0105'))?.detailed, true);
  assert.equal(service.counts.throttled, 0);
});

test('300 migrations change at once: a refresh reads what its budget allows (watched first), the rest in the next ones, never throttled', async () => {
  const { clock, service, monitor, refresh } = setup(1000, ['Db0999']);
  await refresh();
  service.change(service.names().slice(0, 300), 'ReadyForCutover');
  clock.advance(30_000);
  const r1 = await refresh();
  // 40% of the bucket per refresh at most (100 reads): the watched one, then 99 of the changed.
  assert.equal(r1.report.detailCalls, 100);
  assert.equal(r1.report.deferred, 201);
  assert.equal(monitor.get(migrationId('Db0999'))?.detailed, true, 'the watched migration is read first');
  clock.advance(30_000);
  const r2 = await refresh();
  assert.equal(r2.report.detailCalls, 100);
  assert.equal(r2.report.deferred, 102);
  clock.advance(30_000);
  const r3 = await refresh();
  assert.equal(r3.report.deferred, 3);
  clock.advance(30_000);
  const r4 = await refresh();
  assert.equal(r4.report.deferred, 0, 'the fourth refresh catches up');
  assert.equal(r4.report.detailCalls, 4);
  assert.equal(monitor.snapshot().filter((s) => s.detailed).length, 301);
  assert.equal(service.counts.throttled, 0);
  assert.ok([r1, r2, r3, r4].every((r) => r.requests <= 10 + 100), 'every refresh within list pages + its budget');
});

test('another tool has spent the bucket: the monitor reads its lists, defers the details and backs off on a 429', async () => {
  const { clock, service, monitor, refresh } = setup(200, ['Db0001']);
  await refresh();
  for (let i = 0; i < 250; i++) service.throttle.admit({ method: 'GET', path: '/subscriptions/x/y', authorization: 'Bearer test-token-not-secret' });
  // The same principal, the same subscription: the bucket is the one the monitor reads from.
  for (let i = 0; i < 250; i++) service.throttle.admit({ method: 'GET', path: `/subscriptions/${SERVICE.subscriptionId}/y`, authorization: 'Bearer test-token-not-secret' });
  service.change(service.names().slice(0, 50), 'Failed');
  const r = await refresh();
  assert.equal(r.report.errors.length, 0, 'the 429 was waited out, not reported');
  assert.ok(service.counts.throttled >= 1);
  assert.ok(r.report.deferred > 0, 'details wait for a later refresh');
  const throttledBefore = service.counts.throttled;
  clock.advance(30_000);
  await refresh();
  assert.equal(service.counts.throttled, throttledBefore, 'it follows the header from then on');
  assert.equal(monitor.snapshot().length, 200);
});

test('readDetails: a migration just opened is read at once, without the lists', async () => {
  const { service, monitor, refresh } = setup(300, []);
  await refresh();
  const before = service.http.requests.length;
  const r = await monitor.readDetails([migrationId('Db0042')]);
  assert.equal(service.http.requests.length - before, 1);
  assert.equal(r.detailCalls, 1);
  assert.equal(monitor.get(migrationId('Db0042'))?.detailed, true);
  assert.equal(monitor.snapshot().length, 300, 'the others are not forgotten');
});
