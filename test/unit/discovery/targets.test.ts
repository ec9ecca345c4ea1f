/** Where discovery may look: what the user names, sized before anything is sent, capped. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { broadcastTargets } from '../../../src/core/discovery/discover';
import {
  countTargets, DEFAULT_MAX_HOSTS, expandTargets, formatIpv4, HARD_MAX_HOSTS, inRanges, parseIpv4, parseTargets, prefixOf, TargetError, TooManyTargetsError,
} from '../../../src/core/discovery/targets';

test('hosts, addresses, CIDR blocks and ranges; lists by comma, space, lines and # comments', () => {
  const specs = parseTargets(['sql01, SQL02.contoso.com 10.0.4.7', '10.0.4.0/30\n# a comment\n192.168.1.10-12 ::1', '[fe80::1]', '10.9.9.250-251']);
  assert.deepEqual(specs.map((s) => [s.text, s.kind, s.count]), [
    ['sql01', 'host', 1],
    ['SQL02.contoso.com', 'host', 1],
    ['10.0.4.7', 'address', 1],
    ['10.0.4.0/30', 'cidr', 2],
    ['192.168.1.10-12', 'range', 3],
    ['::1', 'address', 1],
    ['fe80::1', 'address', 1],
    ['10.9.9.250-251', 'range', 2],
  ]);
  assert.deepEqual(expandTargets(specs), ['sql01', 'sql02.contoso.com', '10.0.4.7', '10.0.4.1', '10.0.4.2', '192.168.1.10', '192.168.1.11', '192.168.1.12', '::1', 'fe80::1', '10.9.9.250', '10.9.9.251']);
  assert.deepEqual(expandTargets(parseTargets(['10.0.0.8/31', '10.0.0.9/32', 'SQL01', 'sql01'])), ['10.0.0.8', '10.0.0.9', 'sql01'], '/31 and /32 keep every address; duplicates go');
});

test('what is not a target is refused with why', () => {
  for (const [t, why] of [
    ['10.0.0.0/33', /prefix length/],
    ['300.0.0.1/24', /not an IPv4 address/],
    ['fe80::/64', /IPv6 ranges are not scanned/],
    ['10.0.0.9-10.0.0.1', /ends before it starts/],
    ['10.0.0.1-999', /not an IPv4 address or a last octet/],
    ['sql_01!', /is not a host name/],
    ['', /no targets/],
  ] as const) {
    assert.throws(() => parseTargets([t]), (e: Error) => e instanceof TargetError && why.test(e.message), t);
  }
});

test('more than the cap needs confirmation; more than a /16 is refused whatever is confirmed', () => {
  const slash23 = parseTargets(['10.0.0.0/23']);
  assert.equal(countTargets(slash23), 510);
  assert.ok(countTargets(slash23) > DEFAULT_MAX_HOSTS);
  assert.throws(() => expandTargets(slash23), (e: Error) => e instanceof TooManyTargetsError && !e.hard && /confirm/.test(e.message));
  assert.equal(expandTargets(slash23, { confirmed: true }).length, 510);
  assert.equal(expandTargets(parseTargets(['10.0.0.0/24'])).length, 254, 'a /24 is within the default cap');
  assert.throws(() => expandTargets(parseTargets(['10.0.0.0/24']), { maxHosts: 100 }), TooManyTargetsError);
  assert.throws(() => expandTargets(parseTargets(['10.0.0.0/15']), { confirmed: true }), (e: Error) => e instanceof TooManyTargetsError && e.hard && e.cap === HARD_MAX_HOSTS);
});

test('address arithmetic: parse, format, netmask prefix, membership', () => {
  assert.equal(formatIpv4(parseIpv4('192.168.200.17')!), '192.168.200.17');
  assert.equal(parseIpv4('1.2.3.256'), undefined);
  assert.equal(prefixOf('255.255.252.0'), 22);
  assert.equal(prefixOf('255.0.255.0'), undefined);
  const specs = parseTargets(['10.0.4.0/24', '10.0.9.5-9']);
  assert.equal(inRanges('10.0.4.255', specs), true, 'a CIDR block counts whole for replies');
  assert.equal(inRanges('10.0.9.7', specs), true);
  assert.equal(inRanges('10.0.9.10', specs), false);
  assert.equal(inRanges('sql01', specs), false);
});

test('broadcast only on a local link whose whole subnet is a named range', () => {
  const ifaces = {
    eth0: [{ address: '10.0.4.20', netmask: '255.255.255.0', family: 'IPv4', mac: '', internal: false, cidr: '10.0.4.20/24' }],
    eth1: [{ address: '172.16.8.3', netmask: '255.255.240.0', family: 'IPv4', mac: '', internal: false, cidr: '172.16.8.3/20' }],
    eth2: [{ address: 'fe80::1', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '', internal: false, cidr: 'fe80::1/64', scopeid: 1 }],
  } as never;
  assert.deepEqual(broadcastTargets(parseTargets(['10.0.4.0/24']), ifaces), [{ broadcast: '10.0.4.255', bindAddress: '10.0.4.20' }]);
  assert.deepEqual(broadcastTargets(parseTargets(['10.0.0.0/16']), ifaces), [{ broadcast: '10.0.4.255', bindAddress: '10.0.4.20' }], 'a range holding the subnet');
  assert.deepEqual(broadcastTargets(parseTargets(['10.0.4.0/25']), ifaces), [], 'half the subnet: a broadcast would reach the other half');
  assert.deepEqual(broadcastTargets(parseTargets(['172.16.0.0/24', '192.168.0.0/24']), ifaces), [], 'no link there');
});
