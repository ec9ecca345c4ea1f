/** SAS tokens for the Log Replay Service: made with Read and List only, and checked against its rules without calling Azure. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { containerSasWithKey, containerSasWithUserDelegation } from '../../../src/core/azure/sas';
import { lrsSasProblems, parseSasToken } from '../../../src/core/azure/sasToken';
import { staticTokenCredential } from '../../../src/core/azure';

const key = Buffer.alloc(64, 7).toString('base64');
const now = new Date('2026-11-01T09:00:00Z');
const day = 86_400_000;

test('a token made here: container, Read and List only, https only off loopback, the expiry asked', () => {
  const expiresOn = new Date(now.getTime() + 31 * day);
  const https = parseSasToken(containerSasWithKey({ blobEndpoint: 'https://acct.blob.core.windows.net/', accountName: 'acct', container: 'backups', expiresOn, accountKey: key }));
  assert.equal(https.resource, 'c');
  assert.equal(https.permissions, 'rl');
  assert.equal(https.protocol, 'https');
  assert.equal(https.expiresOn?.toISOString(), expiresOn.toISOString().replace(/\.\d{3}Z$/, '.000Z'));
  assert.equal(https.storedPolicy, undefined);
  assert.ok(https.signed);
  const local = parseSasToken(containerSasWithKey({ blobEndpoint: 'http://127.0.0.1:10000/acct/', accountName: 'acct', container: 'backups', expiresOn, accountKey: key }));
  assert.equal(local.protocol, 'https,http', 'plain http only to the sandbox on loopback');
  const token = containerSasWithKey({ blobEndpoint: 'https://acct.blob.core.windows.net/', accountName: 'acct', container: 'backups', expiresOn, accountKey: key });
  assert.deepEqual(lrsSasProblems(token, { now, lastsUntil: new Date(now.getTime() + 30 * day) }).problems, []);
});

test('a user delegation token lasts at most 7 days: a longer one is refused before asking for a key', async () => {
  await assert.rejects(
    containerSasWithUserDelegation({ blobEndpoint: 'https://acct.blob.core.windows.net/', accountName: 'acct', container: 'backups', expiresOn: new Date(Date.now() + 10 * day), credential: staticTokenCredential('t') }),
    /a user delegation SAS lasts at most 7 days.*sign the token with the account key, or let the instance read the container with its managed identity/,
  );
});

test('the LRS rules: exactly Read and List, on the container, no stored policy, an expiry past the restore; each says what to do', () => {
  const until = new Date(now.getTime() + 30 * day);
  const token = (q: Record<string, string>) => new URLSearchParams({ sv: '2024-08-04', sr: 'c', sp: 'rl', se: '2026-12-15T00:00:00Z', sig: 'c2ln', ...q }).toString();
  const check = (q: Record<string, string>) => lrsSasProblems(token(q), { now, lastsUntil: until }).problems;
  assert.deepEqual(check({}), []);
  assert.match(check({ sp: 'r' })[0]!, /does not grant List \(sp=r\): the Log Replay Service needs Read and List; create a container SAS with Read and List only/);
  assert.match(check({ sp: 'l' })[0]!, /does not grant Read/);
  assert.match(check({ sp: 'rlwd' })[0]!, /grants more than Read and List \(Write, Delete\): the Log Replay Service accepts Read and List only/);
  assert.match(check({ sr: 'b' })[0]!, /is for one blob \(sr=b\), not for the container \(sr=c\)/);
  assert.match(check({ si: 'policy1' }).join('\n'), /uses a stored access policy \(si=policy1\): the Log Replay Service needs the permissions and expiry in the token itself/);
  assert.match(check({ se: '2026-10-01T00:00:00Z' })[0]!, /expired on 2026-10-01T00:00:00Z/);
  assert.match(check({ se: '2026-11-10T00:00:00Z' })[0]!, /expires on 2026-11-10T00:00:00Z, before the restore is expected to end \(2026-12-01T09:00:00Z\).*create one that lasts until at least 2026-12-01T09:00:00Z/);
  assert.match(check({ se: '2026-11-05T00:00:00Z', skoid: 'x' })[0]!, /a user delegation SAS lasts at most 7 days: sign one with the account key, or use the managed identity/);
  assert.match(check({ sig: '' })[0]!, /no signature/);
  assert.match(lrsSasProblems('', { now, lastsUntil: until }).problems[0]!, /empty/);
  assert.match(lrsSasProblems(token({ st: '2026-11-02T00:00:00Z' }), { now, lastsUntil: until }).warnings[0]!, /valid only from 2026-11-02/);
  for (const p of [...check({ sp: 'r' }), ...check({ si: 'x' })]) assert.ok(!p.includes('c2ln'), 'never the signature');
});
