/**
 * The integration runtime emulator: registration with an auth key, monitoring data, a
 * network-share migration it uploads (Arrived -> Uploading -> Uploaded -> Restored), key
 * regeneration taking it offline, and the runtime outage fault.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { sampleChain, writeChain } from '../../../sandbox/backups/sampleChain';
import { endpointOfKey } from '../../../sandbox/ir/runtime';
import { startSandbox, type Sandbox } from '../../../sandbox/sandbox';
import { tempDir } from '../../support/tmp';
import { arm, FAST, filesOf, getMigration, migrationPath, waitFor, waitOperation } from './support';

const SHARE_PASSWORD = `share-${Math.random().toString(36).slice(2)}`;
let sb: Sandbox;
before(async () => {
  sb = await startSandbox({
    clockSpeed: 40,
    timings: FAST,
    runtimeHeartbeatMs: 100,
    profile: { shares: [{ path: '\\\\localhost\\sqlbackups', folder: 'share', username: 'CONTOSO\\backup', password: SHARE_PASSWORD }] },
  });
});
after(() => sb?.stop());

const svc = () => sb.info.migrationServiceId;
const runtimeState = async () => (await arm(sb, 'GET', svc())).body.properties.integrationRuntimeState;

function shareMigration(db: string, sharePath: string, password = SHARE_PASSWORD) {
  return {
    properties: {
      kind: 'SqlMi',
      scope: sb.info.managedInstanceId,
      migrationService: svc(),
      sourceDatabaseName: db,
      sourceSqlConnection: { dataSource: 'SQLSRC01', authentication: 'SqlAuthentication', userName: 'migrator', password: 'sql-pw-for-test' },
      backupConfiguration: {
        sourceLocation: { fileShare: { path: sharePath, username: 'CONTOSO\\backup', password } },
        targetLocation: { storageAccountResourceId: sb.info.storageAccountId, accountKey: sb.azurite.accounts[0]!.key2 },
      },
    },
  };
}

test('a network-share migration needs an online runtime', async () => {
  assert.equal(await runtimeState(), 'NeedRegistration');
  const r = await arm(sb, 'PUT', migrationPath(sb, 'NoRuntime'), shareMigration('NoRuntime', '\\\\localhost\\sqlbackups'));
  assert.equal(r.status, 400);
  assert.equal(r.body.error.code, 'IntegrationRuntimeIsNotOnline');
});

test('keys name a loopback endpoint; a foreign endpoint is refused before any connection', () => {
  assert.equal(endpointOfKey('IR@1@svc@ServiceEndpoint=127.0.0.1:1234@abc='), 'http://127.0.0.1:1234');
  assert.throws(() => endpointOfKey('IR@1@svc@ServiceEndpoint=wu.frontend.clouddatahub.net@abc='), /not on this machine's loopback/);
  assert.throws(() => endpointOfKey('nonsense'), /not an integration runtime authentication key/);
});

test('register, monitor, upload a share and restore it; regenerate the key: offline until it registers again', async () => {
  const ir = await sb.startIntegrationRuntime({ nodeName: 'SHIR-NODE-1' });
  await waitFor('runtime online', async () => ((await runtimeState()) === 'Online' ? true : undefined));
  const mon = await arm(sb, 'POST', `${svc()}/listMonitoringData`);
  assert.deepEqual(mon.body.nodes.map((n: { nodeName: string }) => n.nodeName), ['SHIR-NODE-1']);

  const folder = sb.shareFolder('\\\\localhost\\sqlbackups\\Payroll');
  const chain = sampleChain({ databaseName: 'Payroll', logs: 2, pages: 700 }); // about 5.6 MB per file: more than one block
  await writeChain(folder, chain.slice(0, 2));
  const put = await arm(sb, 'PUT', migrationPath(sb, 'Payroll'), shareMigration('Payroll', '\\\\localhost\\sqlbackups\\Payroll'));
  assert.equal(put.status, 201, JSON.stringify(put.body));
  assert.equal(put.body.properties.backupConfiguration.sourceLocation.fileStorageType, 'FileShare');
  assert.ok(!JSON.stringify(put.body).includes(SHARE_PASSWORD));
  await waitOperation(sb, put);

  const seen = new Set<string>();
  const restored = await waitFor('share backups restored', async () => {
    const p = await getMigration(sb, 'Payroll');
    for (const f of filesOf(p).values()) seen.add(f.status);
    const files = filesOf(p);
    return chain.slice(0, 2).every((c) => files.get(c.fileName)?.status === 'Restored') ? p : undefined;
  }, 30_000, 10);
  assert.ok(seen.has('Uploaded') || seen.has('Uploading') || seen.has('Arrived'), [...seen].join(','));
  assert.match(restored.migrationStatusDetails.blobContainerName, /^migration-/);
  const uploaded = filesOf(restored).get(chain[0]!.fileName);
  assert.equal(uploaded.dataWritten, chain[0]!.bytes.length);

  // Regenerating the key the node used takes it offline.
  const regen = await arm(sb, 'POST', `${svc()}/regenerateAuthKeys`, { keyName: 'authKey1' });
  assert.equal(regen.status, 200);
  assert.match(regen.body.authKey1, /^IR@/);
  await waitFor('runtime offline', async () => ((await runtimeState()) === 'Offline' && ir.state === 'Offline' ? true : undefined));
  // New log backups are not uploaded while it is offline.
  await writeChain(folder, chain.slice(2));
  await new Promise((r) => setTimeout(r, 400));
  assert.equal(filesOf(await getMigration(sb, 'Payroll')).get(chain[2]!.fileName), undefined);

  await ir.register(regen.body.authKey1);
  await waitFor('runtime online again', async () => ((await runtimeState()) === 'Online' ? true : undefined));
  const ready = await waitFor('ready for cutover', async () => {
    const p = await getMigration(sb, 'Payroll');
    return p.migrationStatus === 'ReadyForCutover' && filesOf(p).get(chain[2]!.fileName)?.status === 'Restored' ? p : undefined;
  }, 30_000);
  const cut = await arm(sb, 'POST', `${migrationPath(sb, 'Payroll')}/cutover`, { migrationOperationId: ready.migrationOperationId });
  assert.equal((await waitOperation(sb, cut)).status, 'Succeeded');

  const bad = await arm(sb, 'POST', `${svc()}/regenerateAuthKeys`, { keyName: 'authKey3' });
  assert.equal(bad.body.error.code, 'RegenerateAuthenticationKeyNameInvalid');
  await ir.stop();
});

test('wrong share credentials and an unknown share path show as upload blocking errors', async () => {
  const ir = await sb.startIntegrationRuntime({ nodeName: 'SHIR-NODE-2', keyName: 'authKey2' });
  await waitFor('runtime online', async () => ((await runtimeState()) === 'Online' ? true : undefined));
  sb.shareFolder('\\\\localhost\\sqlbackups\\Hr');
  await arm(sb, 'PUT', migrationPath(sb, 'Hr'), shareMigration('Hr', '\\\\localhost\\sqlbackups\\Hr', 'not-the-password'));
  const denied = await waitFor('access denied', async () => {
    const p = await getMigration(sb, 'Hr');
    return p.migrationStatusDetails?.fileUploadBlockingErrors?.length ? p : undefined;
  });
  assert.match(denied.migrationStatusDetails.fileUploadBlockingErrors[0], /denied: the user name or password is incorrect/);
  assert.ok(!JSON.stringify(denied).includes('not-the-password'));
  await arm(sb, 'PUT', migrationPath(sb, 'Nowhere'), shareMigration('Nowhere', '\\\\otherhost\\backups'));
  const nowhere = await waitFor('path not found', async () => {
    const p = await getMigration(sb, 'Nowhere');
    return p.migrationStatusDetails?.fileUploadBlockingErrors?.length ? p : undefined;
  });
  assert.match(nowhere.migrationStatusDetails.fileUploadBlockingErrors[0], /network path .* was not found/);

  // The runtime-offline fault: the service says Offline and new share migrations are refused.
  sb.faults.runtimeOffline(true);
  assert.equal(await runtimeState(), 'Offline');
  const refused = await arm(sb, 'PUT', migrationPath(sb, 'Later'), shareMigration('Later', '\\\\localhost\\sqlbackups\\Hr'));
  assert.equal(refused.body.error.code, 'IntegrationRuntimeIsNotOnline');
  sb.faults.runtimeOffline(false);
  assert.equal(await runtimeState(), 'Online');

  const node = await arm(sb, 'POST', `${svc()}/deleteNode`, { nodeName: 'SHIR-NODE-2', integrationRuntimeName: 'dms-sandbox' });
  assert.deepEqual(node.body, { nodeName: 'SHIR-NODE-2', integrationRuntimeName: 'dms-sandbox' });
  await ir.stop();
});

test('the runtime as its own process: registers from a key file, stops on SIGTERM', async () => {
  const keys = await arm(sb, 'POST', `${svc()}/listAuthKeys`);
  const dir = tempDir();
  const keyFile = join(dir, 'key');
  writeFileSync(keyFile, keys.body.authKey2, { mode: 0o600 });
  const child = spawn(process.execPath, ['--import', 'tsx', 'sandbox/ir/main.ts', '--auth-key-file', keyFile, '--node-name', 'SHIR-PROC'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (out += c));
  try {
    await waitFor('process node registered', async () => {
      const mon = await arm(sb, 'POST', `${svc()}/listMonitoringData`);
      // Its own log line may arrive a moment after the service has the node.
      return mon.body.nodes.some((n: { nodeName: string }) => n.nodeName === 'SHIR-PROC') && /node SHIR-PROC registered/.test(out) ? true : undefined;
    }, 20_000, 100);
    assert.ok(!out.includes(keys.body.authKey2), 'the key never appears in its output');
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
});
