import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCloud } from '../../../src/core/azure/cloud';
import { publicEndpointHost, targetEndpoint } from '../../../src/core/source';

test('the target\'s address from its ARM host name: private 1433, public 3342, or the cloud file\'s mapping with the certificate to trust', () => {
  const fqdn = 'mi1.abc123.database.windows.net';
  assert.equal(publicEndpointHost(fqdn), 'mi1.public.abc123.database.windows.net');
  assert.deepEqual(targetEndpoint(fqdn), { server: 'mi1.abc123.database.windows.net,1433', via: 'mi1.abc123.database.windows.net,1433' });
  assert.equal(targetEndpoint(fqdn, { publicEndpoint: true }).server, 'mi1.public.abc123.database.windows.net,3342');
  const cloud = parseCloud({
    name: 'sandbox', armEndpoint: 'http://127.0.0.1:1',
    sqlEndpoints: { 'MI1.abc123.database.windows.net,1433': { address: '127.0.0.1,4242', trustedCertificate: '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----' } },
  });
  const e = targetEndpoint(fqdn, { cloud });
  assert.equal(e.server, '127.0.0.1,4242');
  assert.equal(e.hostNameInCertificate, fqdn, 'the certificate is still checked for the instance\'s name');
  assert.match(e.trustedCertificates!, /BEGIN CERTIFICATE/);
  assert.throws(() => parseCloud({ name: 'x', armEndpoint: 'http://127.0.0.1:1', sqlEndpoints: { a: { address: 'nowhere' } } }), /HOST,PORT/);
});
