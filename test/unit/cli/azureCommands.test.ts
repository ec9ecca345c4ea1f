import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chmodSync, lstatSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sqlmig } from '../../support/cli';
import { tempDir } from '../../support/tmp';

const dir = tempDir();
const token = randomBytes(16).toString('hex');
const key1 = `IR@${randomBytes(24).toString('base64')}`;
const key2 = `IR@${randomBytes(24).toString('base64')}`;
let server: Server;
let cloudFile: string;
const seen: { method: string; url: string; auth: string | undefined }[] = [];
/** Runs when a request arrives, before it is answered (to change the disk under a running command). */
let onRequest: ((path: string) => void) | undefined;

/** A stand-in for ARM on loopback: answers a few DMS routes with the documented shapes. */
function arm(method: string, path: string): { status: number; body?: unknown } {
  if (method === 'POST' && path.endsWith('/sqlMigrationServices/dms1/listAuthKeys')) return { status: 200, body: { authKey1: key1, authKey2: key2 } };
  if (method === 'POST' && path.endsWith('/sqlMigrationServices/dms1/regenerateAuthKeys')) return { status: 200, body: { keyName: 'authKey2', authKey2: key2 } };
  if (method === 'GET' && path.endsWith('/sqlMigrationServices/dms1')) {
    return { status: 200, body: { name: 'dms1', location: 'westeurope', properties: { provisioningState: 'Succeeded', integrationRuntimeState: 'NeedRegistration' } } };
  }
  if (method === 'POST' && path.endsWith('/sqlMigrationServices/dms1/listMonitoringData')) return { status: 200, body: { name: 'IR1', nodes: [] } };
  return { status: 404, body: { error: { code: 'ResourceNotFound', message: `The Resource '${path.split('/').pop()}' was not found.` } } };
}

describe('sqlmig Azure commands', () => {
  before(async () => {
    server = createServer((req, res) => {
      seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization });
      onRequest?.(new URL(req.url!, 'http://x').pathname);
      const r = arm(req.method!, new URL(req.url!, 'http://x').pathname);
      res.writeHead(r.status, { 'content-type': 'application/json' }).end(r.body === undefined ? undefined : JSON.stringify(r.body));
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    cloudFile = join(dir, 'cloud.json');
    writeFileSync(cloudFile, JSON.stringify({ name: 'sandbox', armEndpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, accessToken: token, subscriptionId: 'sub1' }));
  });
  after(() => new Promise<void>((ok) => server.close(() => ok())));

  test('clouds: the known ones, one by alias, a cloud file (its token never shown), bad names', async () => {
    const all = await sqlmig(['clouds', '--json']);
    assert.equal(all.code, 0);
    assert.deepEqual(JSON.parse(all.stdout).clouds.map((c: { name: string }) => c.name), ['AzureCloud', 'AzureUSGovernment', 'AzureChinaCloud']);
    const gov = JSON.parse((await sqlmig(['clouds', '--cloud', 'usgov', '--json'])).stdout).clouds[0];
    assert.equal(gov.armEndpoint, 'https://management.usgovcloudapi.net');
    const custom = await sqlmig(['clouds', '--cloud-file', cloudFile, '--json']);
    assert.equal(custom.code, 0);
    assert.equal(JSON.parse(custom.stdout).clouds[0].signIn, 'token from the cloud file');
    assert.ok(!custom.stdout.includes(token));
    const text = await sqlmig(['clouds', '--cloud-file', cloudFile]);
    assert.ok(!text.stdout.includes(token));
    const bad = await sqlmig(['clouds', '--cloud', 'mars']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown cloud "mars": use one of AzureCloud/);
    const both = await sqlmig(['clouds', '--cloud', 'public', '--cloud-file', cloudFile]);
    assert.equal(both.code, 2);
    const far = join(dir, 'far.json');
    writeFileSync(far, JSON.stringify({ name: 'x', armEndpoint: 'http://10.1.2.3' }));
    assert.match((await sqlmig(['clouds', '--cloud-file', far])).stderr, /must use https/);
  });

  test('every command has help with its usage and exit codes', async () => {
    for (const words of [['clouds'], ['targets', 'list'], ['dms', 'create'], ['dms', 'show'], ['dms', 'keys'], ['dms', 'regenerate-key'], ['dms', 'nodes'],
      ['backups', 'upload'], ['migrate', 'start'], ['migrate', 'status'], ['migrate', 'cutover'], ['migrate', 'cancel'], ['migrate', 'delete']]) {
      const r = await sqlmig(['help', ...words]);
      assert.equal(r.code, 0, words.join(' '));
      assert.match(r.stdout, new RegExp(`^Usage: sqlmig ${words.join(' ')}`), words.join(' '));
      assert.match(r.stdout, /Exit code/, words.join(' '));
      if (words[0] !== 'clouds') assert.match(r.stdout, /--cloud-file PATH/, words.join(' '));
    }
  });

  test('dms keys: never printed; --out writes a file only its owner can read', async () => {
    const out = join(dir, 'keys.json');
    const r = await sqlmig(['dms', 'keys', '--cloud-file', cloudFile, '--resource-group', 'rg', '--name', 'dms1', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!r.stdout.includes(key1) && !r.stdout.includes(key2) && !r.stderr.includes(key1));
    assert.match(r.stdout, /authKey1 {2}IR@.…/);
    assert.deepEqual(JSON.parse(readFileSync(out, 'utf8')), { authKey1: key1, authKey2: key2 });
    assert.equal(statSync(out).mode & 0o777, 0o600);
    const json = await sqlmig(['dms', 'keys', '--cloud-file', cloudFile, '--resource-group', 'rg', '--name', 'dms1', '--json']);
    assert.ok(!json.stdout.includes(key1));
    const req = seen.find((s) => s.url.includes('/listAuthKeys'))!;
    assert.equal(req.auth, `Bearer ${token}`, 'signed with the cloud file\'s token');
    assert.match(req.url, /^\/subscriptions\/sub1\/resourceGroups\/rg\/providers\/Microsoft\.DataMigration\/sqlMigrationServices\/dms1\/listAuthKeys\?api-version=2025-09-01-preview$/);
  });

  test('dms keys --out: a file that existed with a wider mode ends 0600 with only the keys in it', async () => {
    const keysArgs = ['--cloud-file', cloudFile, '--resource-group', 'rg', '--name', 'dms1'];
    for (const [words, mode] of [[['dms', 'keys'], 0o644], [['dms', 'regenerate-key', '--key', 'authKey2'], 0o666]] as const) {
      const out = join(dir, `existing-${words[1]}.json`);
      writeFileSync(out, 'an older and much longer content that must not survive the write of the keys\n'.repeat(20));
      chmodSync(out, mode);
      const r = await sqlmig([...words, ...keysArgs, '--out', out]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(statSync(out).mode & 0o777, 0o600, words.join(' '));
      assert.equal(JSON.parse(readFileSync(out, 'utf8')).authKey2, key2);
    }
  });

  test('dms keys --out: a symbolic link there is refused before anything is asked of Azure, and its target is untouched', async () => {
    const target = join(dir, 'victim.txt');
    writeFileSync(target, 'keep me\n', { mode: 0o644 });
    for (const words of [['dms', 'keys'], ['dms', 'regenerate-key', '--key', 'authKey2']]) {
      const link = join(dir, `link-${words[1]}.json`);
      symlinkSync(target, link);
      const before = seen.length;
      const r = await sqlmig([...words, '--cloud-file', cloudFile, '--resource-group', 'rg', '--name', 'dms1', '--out', link]);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stderr, /is a symbolic link: the keys are never written through one\. Remove it, or choose another file\./);
      assert.equal(seen.length, before, 'nothing reached the service (no key was regenerated for nothing)');
      assert.equal(readFileSync(target, 'utf8'), 'keep me\n');
      assert.equal(statSync(target).mode & 0o777, 0o644);
    }
  });

  test('dms keys --out: a symbolic link planted while the keys are being read is not followed either', async () => {
    const target = join(dir, 'victim2.txt');
    writeFileSync(target, 'keep me too\n', { mode: 0o644 });
    const out = join(dir, 'raced.json');
    onRequest = (path) => {
      if (path.endsWith('/listAuthKeys')) symlinkSync(target, out);
    };
    try {
      const r = await sqlmig(['dms', 'keys', '--cloud-file', cloudFile, '--resource-group', 'rg', '--name', 'dms1', '--out', out]);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stderr, /raced\.json is a symbolic link/);
      assert.ok(!r.stderr.includes(key1));
    } finally {
      onRequest = undefined;
    }
    assert.ok(lstatSync(out).isSymbolicLink());
    assert.equal(readFileSync(target, 'utf8'), 'keep me too\n');
  });

  test('dms show: a runtime that is not registered is a "no", with the steps to register it', async () => {
    const r = await sqlmig(['dms', 'show', '--cloud-file', cloudFile, '--service', '/subscriptions/sub1/resourceGroups/rg/providers/Microsoft.DataMigration/sqlMigrationServices/dms1']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /Integration runtime IR1: NeedRegistration, 0 node\(s\)/);
    assert.match(r.stdout, /sqlmig dms keys --resource-group rg --name dms1 --out ir-keys\.json/);
  });

  test('Azure errors: exit 1, the service\'s code and message, and what to do', async () => {
    const r = await sqlmig(['dms', 'show', '--cloud-file', cloudFile, '--resource-group', 'rg', '--name', 'nope']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Could not read migration service nope: ResourceNotFound \(HTTP 404\): The Resource 'nope' was not found\.\n.*check its name, resource group and subscription/);
  });

  test('usage errors exit 2 before anything is sent; secrets only from the environment', async () => {
    const before = seen.length;
    const noPassword = await sqlmig(['migrate', 'start', '--cloud-file', cloudFile, '--service', 'x', '--target', 'y', '--source-server', 's', '--source-user', 'u',
      '--storage-account-id', 'z', '--container', 'c', '--database', 'Sales']);
    assert.equal(noPassword.code, 2);
    assert.match(noPassword.stderr, /set SQLMIG_SOURCE_PASSWORD to the source SQL Server password \(secrets are read from the environment, never from the command line\)/);
    const planFile = join(dir, 'plan.json');
    writeFileSync(planFile, JSON.stringify({ source: { dataSource: 's', userName: 'u', password: 'oops' }, databases: [] }));
    const leaky = await sqlmig(['migrate', 'start', '--cloud-file', cloudFile, '--plan', planFile], { SQLMIG_SOURCE_PASSWORD: 'x' });
    assert.equal(leaky.code, 2);
    assert.match(leaky.stderr, /holds a password or key: remove it/);
    assert.equal((await sqlmig(['migrate', 'cutover', '--cloud-file', cloudFile])).code, 2);
    assert.match((await sqlmig(['migrate', 'status', '--cloud-file', cloudFile, '--migration', '/subscriptions/x'])).stderr, /not a SQL MI database migration id/);
    assert.match((await sqlmig(['dms', 'regenerate-key', '--cloud-file', cloudFile, '--resource-group', 'rg', '--name', 'dms1', '--key', 'authKey9'])).stderr, /--key must be authKey1 or authKey2/);
    assert.match((await sqlmig(['dms', 'show', '--cloud-file', cloudFile, '--sign-in', 'magic'])).stderr, /--sign-in must be one of/);
    assert.equal(seen.length, before, 'nothing reached the service');
  });
});
