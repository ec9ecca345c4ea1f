/**
 * The wizard's migration-service start reading the container with the target instance's managed
 * identity, against the sandbox: an instance without an identity refuses the start before
 * anything goes up; one with an identity gets a migration read with it, and restores (the
 * sandbox's service, like the real one, fails such a migration on an instance without one).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { sampleChain, writeChain } from '../../../sandbox/backups/sampleChain';
import { startSandbox, type Sandbox } from '../../../sandbox/sandbox';
import type { FullBackend } from '../../../src/extension/services';
import type { MigrationRequest, SignedInAccount } from '../../../src/extension/services/types';
import type { DatabaseMigrationJson } from '../../../src/extension/dashboard/dmsShape';
import { blobNames, FAST, waitFor } from '../sandbox/support';
import { tempDir } from '../../support/tmp';
import { editorBackend, EditorRecord, sandboxAccount } from './support';

const RG = 'rg-sqlmig-sandbox';
let sb: Sandbox;
let backend: FullBackend;
let account: SignedInAccount;
const record = new EditorRecord();
const signal = new AbortController().signal;

before(async () => {
  sb = await startSandbox({
    clockSpeed: 30,
    timings: { ...FAST, scanIntervalSeconds: 2 },
    profile: {
      managedInstances: [
        { resourceGroup: RG, name: 'sqlmi-sandbox', tier: 'GeneralPurpose', vCores: 8, storageSizeInGB: 256, identity: true },
        { resourceGroup: RG, name: 'sqlmi-no-identity', tier: 'GeneralPurpose', vCores: 8, storageSizeInGB: 256 },
      ],
    },
  });
  account = await sandboxAccount(sb);
  // The view lists the sandbox's migration service: a migration created by mistake would show.
  backend = editorBackend(account, record, { registry: { list: () => [sb.info.migrationServiceId], add: async () => undefined } });
});
after(async () => {
  backend?.uploads.dispose();
  await sb?.stop();
});

function request(instance: string, folder: string, database: string): MigrationRequest {
  const s = sb.info.sourceServer!;
  const base = sb.info.managedInstanceId.slice(0, sb.info.managedInstanceId.lastIndexOf('/'));
  return {
    subscriptionId: sb.info.subscriptionId,
    targetInstanceId: `${base}/${instance}`,
    migrationServiceId: sb.info.migrationServiceId,
    mode: 'offline',
    source: { server: `${s.host},${s.port}`, authentication: 'SqlAuthentication', userName: s.user, encrypt: 'mandatory', trustServerCertificate: true },
    databases: [{ sourceDatabase: database, targetDatabase: database, location: { kind: 'upload', folder, storageAccountId: sb.info.storageAccountId, container: 'identity' } }],
    blobAuth: 'ManagedIdentity',
  };
}

test('an instance without a managed identity: the start is refused, naming the instance and how to give it one, before anything goes up', async () => {
  const folder = join(tempDir(), 'Payroll');
  await writeChain(folder, sampleChain({ databaseName: 'Payroll', logs: 1 }));
  const secrets = { sqlPassword: sb.info.sourceServer!.password };
  await assert.rejects(backend.wizard.starter.start(account, request('sqlmi-no-identity', folder, 'Payroll'), secrets, signal), (e: Error) => {
    assert.match(e.message, /sqlmi-no-identity has no managed identity/);
    assert.match(e.message, /--assign-identity/);
    return true;
  });
  assert.deepEqual(await blobNames(sb, 'identity', 'Payroll/'), [], 'nothing uploaded');
  assert.deepEqual(record.jobs, [], 'no folder watched');
  const listed = await backend.feed.list(signal);
  assert.ok(!listed.some((m) => /Payroll/.test(m.id)), 'no migration created');
});

test('an instance with one: the migration reads the container with it, restores, and the log says which role it needs', async () => {
  const folder = join(tempDir(), 'Ledger');
  const chain = sampleChain({ databaseName: 'Ledger', logs: 1 });
  await writeChain(folder, chain);
  const secrets = { sqlPassword: sb.info.sourceServer!.password };
  const [started] = await backend.wizard.starter.start(account, request('sqlmi-sandbox', folder, 'Ledger'), secrets, signal);
  assert.ok(started?.id, JSON.stringify(started));
  assert.ok(record.lines.some((l) => /warn start: the instance reads the container with its managed identity .*Storage Blob Data Reader/.test(l)), record.lines.join('\n'));

  backend.feed.setWatched('test', [started.id!]);
  const find = async () => (await backend.feed.list(signal)).find((m) => m.id.toLowerCase() === started.id!.toLowerCase());
  const blob = (m: DatabaseMigrationJson | undefined) => (m?.properties as { backupConfiguration?: { sourceLocation?: { azureBlob?: Record<string, unknown> } } } | undefined)?.backupConfiguration?.sourceLocation?.azureBlob;
  const first = await find();
  assert.equal(blob(first)?.authType, 'ManagedIdentity');
  await waitFor('restored and Succeeded (offline, ends on its last file)', async () => {
    const m = await find();
    return m?.properties?.migrationStatus === 'Succeeded' ? m : undefined;
  }, 60_000, 200);
  assert.ok(!record.lines.join('\n').includes(sb.azurite.accounts[0]!.key1), 'no key in the log');
});
