/** The sandbox clock moves forward on demand (a restore's 30 days in a moment), and a sleep longer than a timer holds still ends on time. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SimClock } from '../../../sandbox/clock';

test('advance: sleeps due by then end now, in order; later ones keep waiting', async () => {
  const clock = new SimClock(1);
  const ended: string[] = [];
  const month = clock.sleep(30 * 86_400_000).then(() => ended.push('month'));
  const day = clock.sleep(86_400_000).then(() => ended.push('day'));
  const year = clock.sleep(365 * 86_400_000).then(() => ended.push('year'));
  const before = clock.now();
  clock.advance(31 * 86_400_000);
  await Promise.all([month, day]);
  assert.deepEqual(ended, ['day', 'month']);
  assert.ok(clock.now() - before >= 31 * 86_400_000);
  assert.throws(() => clock.advance(-1), /forward only/);
  clock.wakeAll();
  await year;
});

test('a sleep longer than one timer holds keeps waiting across a speed change, and ends once the clock is moved past it', async () => {
  const clock = new SimClock(1e9);
  // 40 days: longer than a timer holds at real speed (about 24.8 days), so it is re-armed rather than ended early.
  let done = false;
  const p = clock.sleep(40 * 86_400_000).then(() => (done = true));
  clock.setSpeed(1);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(done, false, 'still waiting');
  clock.advance(41 * 86_400_000);
  await p;
  assert.equal(done, true);
});
