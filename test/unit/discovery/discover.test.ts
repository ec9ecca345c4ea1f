/** Discovery's bookkeeping without a network: names that do not resolve, settings echoed, nothing sent for a bad port. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { discover, serverAddressOf } from '../../../src/core/discovery/discover';
import { discoveryToCsv, serverList } from '../../../src/core/discovery/export';

test('a name that does not resolve is a problem of that host, not a failure of the run', async () => {
  const report = await discover(['nosuch.invalid'], {
    ssrp: false,
    ports: [1],
    resolve: async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND nosuch.invalid'), { code: 'ENOTFOUND' });
    },
  });
  assert.deepEqual(report.problems, [{ host: 'nosuch.invalid', message: 'cannot resolve the name: ENOTFOUND' }]);
  assert.deepEqual(report.servers, []);
  assert.deepEqual(report.settings, { ports: [1], ssrp: false, ssrpPort: 1434, broadcast: 'off', timeoutMs: 2000, concurrency: 32 });
  assert.match(discoveryToCsv(report), /\r\n,nosuch\.invalid,.*cannot resolve the name: ENOTFOUND\r\n$/);
  await assert.rejects(discover(['sql01'], { ports: [0] }), /0 is not a TCP port/);
});

test('server addresses for the assessment: HOST,PORT when known, else HOST\\INSTANCE; lists from text or JSON', () => {
  assert.equal(serverAddressOf({ host: 'sql01', port: 50123, instance: 'SALES' }), 'sql01,50123');
  assert.equal(serverAddressOf({ host: 'sql01', instance: 'SALES' }), 'sql01\\SALES');
  assert.equal(serverAddressOf({ host: 'sql01', instance: 'MSSQLSERVER' }), 'sql01');
  assert.equal(serverAddressOf({ host: 'fe80::1', port: 1433 }), '[fe80::1],1433');
  assert.deepEqual(serverList('# servers\nsql01\nsql02,1500  # the other one\n\nsql01\n'), ['sql01', 'sql02,1500']);
  assert.deepEqual(serverList('["sql01", "sql03\\\\HR"]'), ['sql01', 'sql03\\HR']);
  assert.throws(() => serverList('{"format":"other"}', 'f.json'), /f\.json is not a sqlmig discovery report/);
  assert.throws(() => serverList('[1]', 'f.json'), /array of server addresses/);
});
