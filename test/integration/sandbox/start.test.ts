/**
 * `sandbox/start.ts --json` as a process: one JSON line when ready, a cloud file the product
 * accepts (mode 0600), and everything stopped and cleaned on SIGTERM.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadCloudFile } from '../../../src/core/azure';
import { tempDir } from '../../support/tmp';

function startProcess(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'sandbox/start.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const line = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no line within 60 s; stderr: ${stderr}`)), 60_000);
    child.stdout.on('data', () => {
      if (stdout.includes('\n')) {
        clearTimeout(timer);
        resolve(stdout.slice(0, stdout.indexOf('\n')));
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before its line; stderr: ${stderr}`));
    });
  });
  return { child, line, exited, output: () => ({ stdout, stderr }) };
}

test('--json prints one line with every field, the cloud file loads, SIGTERM stops and cleans up', async () => {
  const data = tempDir();
  const seed = join(data, 'profile.json');
  writeFileSync(seed, JSON.stringify({ subscriptionName: 'Seeded', managedInstances: [{ resourceGroup: 'rg-sqlmig-sandbox', name: 'mi-seeded', vCores: 4 }] }));
  const p = startProcess(['--json', '--data', join(data, 'sb'), '--seed', seed]);
  const info = JSON.parse(await p.line);
  for (const k of ['armEndpoint', 'accessToken', 'tenantId', 'subscriptionId', 'resourceGroup', 'managedInstanceId', 'storageAccountId', 'blobEndpoint', 'migrationServiceId', 'cloudFile']) {
    assert.equal(typeof info[k], 'string', k);
  }
  assert.match(info.managedInstanceId, /\/managedInstances\/mi-seeded$/);
  assert.equal(statSync(info.cloudFile).mode & 0o777, 0o600);
  const cloud = await loadCloudFile(info.cloudFile);
  assert.equal(cloud.armEndpoint, info.armEndpoint);
  assert.equal(cloud.accessToken, info.accessToken);
  const mi = await fetch(`${info.armEndpoint}${info.managedInstanceId}?api-version=2022-08-01-preview`, { headers: { authorization: `Bearer ${info.accessToken}` } });
  assert.equal(((await mi.json()) as { properties: { vCores: number } }).properties.vCores, 4);

  p.child.kill('SIGTERM');
  assert.equal(await p.exited, 0);
  assert.equal(p.output().stdout.trim().split('\n').length, 1, 'exactly one line');
  assert.equal(existsSync(info.cloudFile), false, 'the cloud file (it holds the token) is removed');
  await assert.rejects(fetch(info.armEndpoint), /fetch failed/);
  await assert.rejects(fetch(info.blobEndpoint), /fetch failed/, 'Azurite stopped too');
});

test('a bad seed profile and bad options fail with a clear message', async () => {
  const data = tempDir();
  const seed = join(data, 'bad.json');
  writeFileSync(seed, JSON.stringify({ storageAccounts: [{ resourceGroup: 'nowhere', name: 'x' }] }));
  const p = startProcess(['--json', '--seed', seed]);
  await assert.rejects(p.line, /exited with 1/);
  assert.match(p.output().stderr, /seed profile: storage account x: resource group nowhere is not in "resourceGroups"/);
  const q = startProcess(['--port', 'abc']);
  await assert.rejects(q.line, /exited with 2/);
  assert.match(q.output().stderr, /--port must be a port number/);
});
