import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { test } from 'node:test';
import { sleep } from '../../src/core/sleep';

test('sleep: many waits on one signal leave no listener behind; an abort ends a wait with the reason', async () => {
  const c = new AbortController();
  await Promise.all(Array.from({ length: 30 }, () => sleep(1, c.signal)));
  assert.equal(getEventListeners(c.signal, 'abort').length, 0);
  const waiting = sleep(60_000, c.signal);
  c.abort(new Error('stopped'));
  await assert.rejects(waiting, /stopped/);
  await assert.rejects(sleep(1, c.signal), /stopped/, 'an aborted signal ends it at once');
});
