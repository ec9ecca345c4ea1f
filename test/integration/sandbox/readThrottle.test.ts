/**
 * The sandbox's ARM counts reads as Azure does (250 per subscription and principal, 25 more a
 * second): every answer says what is left, and an empty bucket answers 429 with Retry-After
 * without running the request, so a client that reads too fast meets throttling here first.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startSandbox, type Sandbox } from '../../../sandbox/sandbox';
import { arm } from './support';

const REMAINING = 'x-ms-ratelimit-remaining-subscription-reads';
let sb: Sandbox;
before(async () => {
  sb = await startSandbox({ sourceServer: false, targetServer: false });
});
after(() => sb?.stop());

test('reads under a subscription spend the bucket, say what is left, and an empty bucket answers 429 with Retry-After', async () => {
  const path = `/subscriptions/${sb.info.subscriptionId}/resourceGroups`;
  const first = await arm(sb, 'GET', path, undefined, '2021-04-01');
  assert.equal(first.status, 200);
  const left = Number(first.headers.get(REMAINING));
  assert.ok(left >= 240 && left <= 249, `one read spent: ${left} left`);
  let throttled: Awaited<ReturnType<typeof arm>> | undefined;
  for (let i = 0; i < 400 && !throttled; i++) {
    const r = await arm(sb, 'GET', path, undefined, '2021-04-01');
    if (r.status === 429) throttled = r;
  }
  assert.ok(throttled, 'the bucket runs dry within its capacity plus what refills meanwhile');
  assert.equal(throttled.body.error.code, 'TooManyRequests');
  assert.equal(throttled.headers.get(REMAINING), '0');
  assert.ok(Number(throttled.headers.get('retry-after')) >= 1);
  assert.ok(sb.readThrottle!.stats.throttled >= 1);
  // A read with a token that is not the sandbox's is refused before it is counted.
  const stranger = await arm(sb, 'GET', path, undefined, '2021-04-01', 'not-the-token');
  assert.equal(stranger.status, 401);
});

test('the emulator can run without the limit (a load benchmark of the emulator itself)', async () => {
  const free = await startSandbox({ sourceServer: false, targetServer: false, armReadLimit: false });
  try {
    const r = await arm(free, 'GET', `/subscriptions/${free.info.subscriptionId}/resourceGroups`, undefined, '2021-04-01');
    assert.equal(r.status, 200);
    assert.equal(r.headers.get(REMAINING), null);
    assert.equal(free.readThrottle, undefined);
  } finally {
    await free.stop();
  }
});
