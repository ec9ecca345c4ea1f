import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { AZURE_CHINA, AZURE_PUBLIC, AZURE_US_GOVERNMENT, isLoopback, knownCloud, loadCloudFile, parseCloud, sqlDatabaseResource, sqlDatabaseScope } from '../../../src/core/azure';
import { identityOptions, sqlAccessToken } from '../../../src/core/azure/credentials';
import { tempDir } from '../../support/tmp';

test('known clouds by name and alias', () => {
  assert.equal(knownCloud('AzureCloud'), AZURE_PUBLIC);
  assert.equal(knownCloud('public'), AZURE_PUBLIC);
  assert.equal(knownCloud('usgov')!.armEndpoint, 'https://management.usgovcloudapi.net');
  assert.equal(knownCloud('china')!.authorityHost, 'https://login.chinacloudapi.cn');
  assert.equal(knownCloud('mars'), undefined);
});

test('loopback addresses', () => {
  for (const u of ['http://127.0.0.1:1234', 'http://localhost/x', 'http://[::1]:80', 'https://127.9.9.9']) assert.ok(isLoopback(u), u);
  for (const u of ['http://10.0.0.1', 'https://management.azure.com', 'http://127.0.0.1.example.com', 'nonsense']) assert.ok(!isLoopback(u), u);
});

test('a custom cloud: defaults filled, http allowed only on loopback, bad fields named', () => {
  const c = parseCloud({ name: 'stack', armEndpoint: 'https://management.local.azurestack.external/' });
  assert.equal(c.armEndpoint, 'https://management.local.azurestack.external');
  assert.equal(c.armScope, 'https://management.local.azurestack.external/.default');
  assert.equal(c.displayName, 'stack');
  assert.ok(parseCloud({ name: 'sandbox', armEndpoint: 'http://127.0.0.1:5000', accessToken: 't' }).accessToken);
  assert.throws(() => parseCloud({ name: 'x', armEndpoint: 'http://10.1.2.3' }), /must use https/);
  assert.throws(() => parseCloud({ armEndpoint: 'https://a' }), /"name" must be a non-empty string/);
  assert.throws(() => parseCloud([]), /not a JSON object/);
  assert.throws(() => parseCloud(null), /not a JSON object/);
});

test('cloud files: read, and clear errors for missing or malformed ones', async () => {
  const dir = tempDir();
  const good = join(dir, 'cloud.json');
  writeFileSync(good, JSON.stringify({ name: 'sandbox', armEndpoint: 'http://127.0.0.1:4000', tenantId: 't1' }));
  assert.equal((await loadCloudFile(good)).tenantId, 't1');
  await assert.rejects(loadCloudFile(join(dir, 'nope.json')), /cannot read the cloud file .*no such file/);
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '{ name: ');
  await assert.rejects(loadCloudFile(bad), /is not valid JSON/);
});

test('each cloud has its own SQL audience and sign-in authority for the source\'s Microsoft Entra token', async () => {
  const expected: [string, string, string][] = [
    ['AzureCloud', 'https://database.windows.net/', 'https://login.microsoftonline.com'],
    ['AzureUSGovernment', 'https://database.usgovcloudapi.net/', 'https://login.microsoftonline.us'],
    ['AzureChinaCloud', 'https://database.chinacloudapi.cn/', 'https://login.chinacloudapi.cn'],
  ];
  for (const [name, audience, authority] of expected) {
    const cloud = knownCloud(name)!;
    assert.equal(sqlDatabaseResource(cloud), audience, name);
    assert.equal(sqlDatabaseScope(cloud), `${audience}/.default`, name);
    assert.equal(identityOptions(cloud).authorityHost, authority, name);
    // The token is asked for the cloud's SQL scope, of a credential built for the cloud's authority.
    const asked: string[] = [];
    const credential: TokenCredential = {
      async getToken(scopes): Promise<AccessToken> {
        asked.push(...[scopes].flat());
        return { token: `token-for-${name}`, expiresOnTimestamp: Date.now() + 60_000 };
      },
    };
    assert.equal(await sqlAccessToken(cloud, credential), `token-for-${name}`);
    assert.deepEqual(asked, [`${audience}/.default`], name);
  }
  assert.equal(sqlDatabaseScope(AZURE_PUBLIC), 'https://database.windows.net//.default', 'the form Entra documents for Azure SQL');
  assert.notEqual(sqlDatabaseResource(AZURE_US_GOVERNMENT), sqlDatabaseResource(AZURE_CHINA));
  const failing: TokenCredential = { getToken: async () => { throw new Error('AADSTS700016: application not found in the directory'); } };
  await assert.rejects(sqlAccessToken(AZURE_US_GOVERNMENT, failing), /could not get a Microsoft Entra token for https:\/\/database\.usgovcloudapi\.net\/ from https:\/\/login\.microsoftonline\.us: AADSTS700016/);
  const sandbox = parseCloud({ name: 'sandbox', armEndpoint: 'http://127.0.0.1:5000', accessToken: 'arm-token' });
  await assert.rejects(sqlAccessToken(sandbox, failing), /the cloud file's access token is for Resource Manager, not for SQL Server/);
});

test('a cloud file names its SQL audience (sqlDatabaseResource); without one it is Azure public\'s', () => {
  const stack = parseCloud({ name: 'stack', armEndpoint: 'https://management.local.azurestack.external', authorityHost: 'https://login.stack.local', sqlDatabaseResource: 'https://database.stack.local' });
  assert.equal(stack.sqlDatabaseResource, 'https://database.stack.local/');
  assert.equal(sqlDatabaseScope(stack), 'https://database.stack.local//.default');
  assert.equal(identityOptions(stack).authorityHost, 'https://login.stack.local');
  assert.equal(sqlDatabaseResource(parseCloud({ name: 'plain', armEndpoint: 'https://arm.example' })), 'https://database.windows.net/');
  assert.throws(() => parseCloud({ name: 'x', armEndpoint: 'https://a', sqlDatabaseResource: 'not a url' }), /"sqlDatabaseResource" is not a URL/);
  assert.throws(() => parseCloud({ name: 'x', armEndpoint: 'https://a', sqlDatabaseResource: 'http://database.example/' }), /"sqlDatabaseResource" must be an https URL/);
});
