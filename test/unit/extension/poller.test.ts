import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Poller, retryAfterMs, type Timers } from '../../../src/extension/dashboard/poller';

class FakeTimers implements Timers {
  pending: { fn: () => void; ms: number; id: number }[] = [];
  private next = 1;
  setTimeout(fn: () => void, ms: number) {
    const id = this.next++;
    this.pending.push({ fn, ms, id });
    return id;
  }
  clearTimeout(id: unknown) {
    this.pending = this.pending.filter((p) => p.id !== id);
  }
  /** Runs the one scheduled callback and returns its delay. */
  async fire(): Promise<number> {
    assert.equal(this.pending.length, 1, 'exactly one poll scheduled');
    const p = this.pending.shift()!;
    p.fn();
    await new Promise((r) => setImmediate(r));
    return p.ms;
  }
}

const settle = () => new Promise((r) => setImmediate(r));

test('polls only while active, at the configured interval, and picks up a new interval', async () => {
  const timers = new FakeTimers();
  let interval = 30_000;
  let polls = 0;
  const p = new Poller(async () => void polls++, () => interval, timers);
  assert.equal(timers.pending.length, 0);
  p.setActive(true);
  await settle();
  assert.equal(polls, 1);
  assert.equal(await timers.fire(), 30_000);
  assert.equal(polls, 2);
  interval = 60_000;
  p.reschedule();
  assert.equal(await timers.fire(), 60_000);
  p.setActive(false);
  assert.equal(timers.pending.length, 0);
  interval = 0; // automatic refresh off: a manual refresh still polls, nothing is scheduled
  p.setActive(true);
  await settle();
  assert.equal(timers.pending.length, 0);
  await p.refreshNow();
  assert.equal(polls, 5);
  p.dispose();
});

test('backs off after failures (doubling, capped) and honours Retry-After', async () => {
  const timers = new FakeTimers();
  const outcomes: (Error | undefined)[] = [new Error('x'), new Error('x'), Object.assign(new Error('throttled'), { retryAfterMs: 900_000 }), undefined, new Error('x')];
  const p = new Poller(async () => {
    const e = outcomes.shift();
    if (e) throw e;
  }, () => 30_000, timers);
  p.setActive(true);
  await settle();
  assert.equal(await timers.fire(), 60_000);
  assert.equal(await timers.fire(), 120_000);
  assert.equal(await timers.fire(), 900_000);
  assert.equal(await timers.fire(), 30_000); // success resets
  assert.equal(timers.pending[0]!.ms, 60_000);
  p.dispose();
});

test('concurrent refreshes share one poll', async () => {
  let release!: () => void;
  let polls = 0;
  const p = new Poller(() => { polls++; return new Promise<void>((r) => (release = r)); }, () => 0, new FakeTimers());
  const a = p.refreshNow();
  const b = p.refreshNow();
  assert.equal(a, b);
  release();
  await a;
  assert.equal(polls, 1);
});

test('Retry-After is read from an SDK error response header', () => {
  assert.equal(retryAfterMs({ response: { headers: { get: (n: string) => (n === 'retry-after' ? '7' : undefined) } } }), 7000);
  assert.equal(retryAfterMs(new Error('x')), undefined);
});
