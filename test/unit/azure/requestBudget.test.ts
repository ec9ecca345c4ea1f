import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DmsClient, migrationRefFromId, RequestBudget, requestKind, subscriptionOfUrl } from '../../../src/core/azure';
import { mapBounded } from '../../../src/core/backup';
import { migrationId, SUB } from '../migration/fixtures';
import { ArmService, TestClock } from './armService';

const TOKEN = 'Bearer test-token-not-secret';

test('the budget: a full bucket at first, what the header says replaces the estimate, the refill adds up, and the reserve is never spent', () => {
  const c = new TestClock();
  const b = new RequestBudget({ now: c.now, sleep: c.sleep });
  assert.equal(b.remaining(SUB), 250);
  assert.equal(b.spendable(SUB), 200, 'a fifth of the bucket is left for every other tool');
  b.observe(SUB, 'reads', 60);
  assert.equal(b.spendable(SUB), 10);
  c.advance(2000); // 50 more
  assert.equal(b.remaining(SUB), 110);
  assert.equal(b.remaining(SUB, 'writes'), 200, 'writes have a bucket of their own');
  // A poll every 30 s may spend half the refill of an interval, at most 40% of the bucket at once, never the reserve.
  c.advance(3_600_000);
  assert.equal(b.refreshAllowance(SUB, 30_000), 100);
  assert.equal(b.refreshAllowance(SUB, 2_000), 25);
  b.observe(SUB, 'reads', 70);
  assert.equal(b.refreshAllowance(SUB, 30_000), 20);
  b.throttled(SUB, 'reads', 5000);
  assert.equal(b.spendable(SUB), 0, 'nothing while throttled');
  assert.equal(b.refreshAllowance(SUB, 30_000), 0);
  assert.equal(requestKind('GET'), 'reads');
  assert.equal(requestKind('POST'), 'writes');
  assert.equal(requestKind('DELETE'), 'deletes');
  assert.equal(subscriptionOfUrl(`https://management.azure.com/subscriptions/${SUB}/resourceGroups/rg?api-version=1`), SUB);
  assert.equal(subscriptionOfUrl('https://management.azure.com/subscriptions?api-version=1'), undefined);
});

test('600 reads at once through the real pipeline: the budget paces them above the reserve, none is throttled; without it ARM throttles', async () => {
  const clock = new TestClock();
  const service = new ArmService(clock, 600);
  const budget = service.budget();
  const dms = new DmsClient(service.context(budget));
  const refs = service.names().map((n) => migrationRefFromId(migrationId(n)));
  const started = clock.now();
  const read = await mapBounded(refs, 32, (r) => dms.getMigration(r, { expand: true }));
  assert.equal(read.length, 600);
  assert.equal(service.counts.throttled, 0, 'no read was throttled');
  assert.equal(service.counts.gets, 600);
  // 200 at once, then the refill (25/s) for the other 400 while keeping the reserve: about 16 s of the clock.
  const took = clock.now() - started;
  assert.ok(took >= 15_000 && took <= 20_000, `paced over ${took} ms`);
  assert.ok(service.throttle.remaining(SUB, TOKEN) >= 45, `the reserve was left: ${service.throttle.remaining(SUB, TOKEN)}`);
  assert.equal(budget.stats.sent.reads, 600);

  // The same without a budget: the bucket empties and ARM answers 429s (the retry policy waits them out).
  const unpaced = new ArmService(new TestClock(), 300);
  const plain = new DmsClient(unpaced.context());
  await mapBounded(unpaced.names().map((n) => migrationRefFromId(migrationId(n))), 64, (r) => plain.getMigration(r).catch(() => undefined));
  assert.ok(unpaced.counts.throttled > 0, 'ARM throttled the unpaced reads');
});

test('a 429 (another tool emptied the bucket): the budget blocks reads until Retry-After, then follows the header again', async () => {
  const clock = new TestClock();
  const service = new ArmService(clock, 5);
  const budget = service.budget();
  const dms = new DmsClient(service.context(budget));
  // Another tool of the same principal spends the whole bucket.
  for (let i = 0; i < 250; i++) service.throttle.admit({ method: 'GET', path: `/subscriptions/${SUB}/x`, authorization: 'Bearer test-token-not-secret' });
  const ref = migrationRefFromId(migrationId('Db0000'));
  const before = clock.now();
  const m = await dms.getMigration(ref, { expand: true });
  assert.equal(m.name, 'Db0000');
  assert.equal(service.counts.throttled, 1, 'one 429, then it waited');
  assert.equal(budget.stats.throttled, 1);
  // It waited the Retry-After (1 s), then tried once: the answer says what is left.
  assert.ok(clock.now() - before >= 1000, `waited ${clock.now() - before} ms of the clock`);
  assert.ok(budget.remaining(SUB) < 50, 'the bucket is still low');
  // From then on it follows the header: the next read waits for the refill above the reserve.
  const next = clock.now();
  await dms.getMigration(ref);
  assert.ok(clock.now() - next >= 1000, `the next read waited ${clock.now() - next} ms for the refill`);
  assert.equal(service.counts.throttled, 1);
  assert.ok(service.throttle.remaining(SUB, TOKEN) >= 45, 'and left the reserve');
});
