import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { AZURE_PUBLIC, isLoopback, knownCloud, loadCloudFile, parseCloud } from '../../../src/core/azure';
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
