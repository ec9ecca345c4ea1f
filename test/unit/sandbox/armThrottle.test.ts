import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ArmReadThrottle, principalOf, READS_HEADER } from '../../../sandbox/armThrottle';

const SUB = '/subscriptions/5a1db0c5-0000-4000-8000-00000000b0c5';
const list = `${SUB}/resourceGroups/rg/providers/Microsoft.DataMigration/sqlMigrationServices/dms/listMigrations`;
const bearer = (t: string) => `Bearer ${t}`;

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

test('a bucket of 250 reads per subscription and principal: each read says what is left; the 251st is throttled with Retry-After', () => {
  const c = clock();
  const throttle = new ArmReadThrottle({ now: c.now });
  const seen: string[] = [];
  for (let i = 0; i < 250; i++) {
    const v = throttle.admit({ method: 'GET', path: list, authorization: bearer('a') });
    assert.equal(v.kind, 'allowed');
    if (v.kind === 'allowed') seen.push(v.headers[READS_HEADER]!);
  }
  assert.deepEqual([seen[0], seen[1], seen[248], seen[249]], ['249', '248', '1', '0']);
  const refused = throttle.admit({ method: 'GET', path: list, authorization: bearer('a') });
  assert.equal(refused.kind, 'throttled');
  if (refused.kind === 'throttled') {
    assert.equal(refused.status, 429);
    assert.equal(refused.code, 'TooManyRequests');
    assert.equal(refused.headers['retry-after'], '1');
    assert.equal(refused.headers[READS_HEADER], '0');
    assert.match(refused.message, /exceeded/);
  }
  assert.deepEqual(throttle.stats, { allowed: 250, throttled: 1 });
  // Another principal, or another subscription, has its own bucket.
  assert.equal(throttle.admit({ method: 'GET', path: list, authorization: bearer('b') }).kind, 'allowed');
  assert.equal(throttle.admit({ method: 'GET', path: list.replace('5a1db0c5', '6b2ec1d6'), authorization: bearer('a') }).kind, 'allowed');
});

test('it refills 25 per second of the clock it is given (a simulated clock refills as fast as it runs), up to 250', () => {
  const c = clock();
  const throttle = new ArmReadThrottle({ now: c.now });
  for (let i = 0; i < 250; i++) throttle.admit({ method: 'GET', path: list, authorization: bearer('a') });
  assert.equal(throttle.remaining(SUB.split('/')[2]!, bearer('a')), 0);
  c.advance(400); // 10 reads back
  const v = throttle.admit({ method: 'GET', path: list, authorization: bearer('a') });
  assert.equal(v.kind === 'allowed' && v.headers[READS_HEADER], '9');
  c.advance(3_600_000);
  assert.equal(throttle.remaining(SUB.split('/')[2]!, bearer('a')), 250);
});

test('only reads under a subscription count: writes, deletes and tenant-level reads get no header and are never refused', () => {
  const c = clock();
  const throttle = new ArmReadThrottle({ now: c.now, capacity: 1 });
  assert.equal(throttle.admit({ method: 'GET', path: list, authorization: bearer('a') }).kind, 'allowed');
  for (const [method, path] of [['PUT', `${SUB}/resourceGroups/rg`], ['POST', `${list}/../cutover`], ['DELETE', `${SUB}/resourceGroups/rg`], ['GET', '/subscriptions'], ['GET', '/tenants']] as const) {
    assert.deepEqual(throttle.admit({ method, path, authorization: bearer('a') }), { kind: 'notCounted' }, `${method} ${path}`);
  }
  assert.equal(throttle.admit({ method: 'HEAD', path: list, authorization: bearer('a') }).kind, 'throttled');
});

test('the principal is a hash of the token: the token itself is never kept', () => {
  assert.equal(principalOf(bearer('secret-token')), principalOf('bearer secret-token'));
  assert.notEqual(principalOf(bearer('a')), principalOf(bearer('b')));
  assert.ok(!principalOf(bearer('secret-token')).includes('secret'));
  assert.equal(principalOf(undefined), 'anonymous');
  const throttle = new ArmReadThrottle({ capacity: 1 });
  const v = throttle.admit({ method: 'GET', path: list, authorization: bearer('secret-token') });
  assert.ok(!JSON.stringify(v).includes('secret-token'));
});
