/**
 * The TDE check on the editor's start, through the editor's real services against the sandbox
 * (its source SQL Server stand-in with a TDE database, its managed instance's SQL endpoint
 * reached by the ARM host name through the cloud file, the simulated services failing a TDE
 * restore without the certificate): both engines refuse a TDE database before its certificate
 * is on the instance, naming the database and the thumbprint, and without a login for the
 * instance they say where to give one; the editor's upload puts the certificate there through
 * ARM; then the same start goes through and the database is restored.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { sampleChain, writeChain } from '../../../sandbox/backups/sampleChain';
import { startSandbox, type Sandbox } from '../../../sandbox/sandbox';
import type { FullBackend } from '../../../src/extension/services';
import { planTdeCertificates, uploadTdeCertificates, type ServerPair } from '../../../src/extension/services/serverObjects';
import type { LogReplayRequest, MigrationRequest, MigrationSecrets, SignedInAccount } from '../../../src/extension/services/types';
import { blobNames, FAST, waitFor } from '../sandbox/support';
import { tempDir } from '../../support/tmp';
import { editorBackend, EditorRecord, sandboxAccount } from './support';

/** The certificate of Payroll in the bundled source profile (sandbox/profiles/default.json). */
const THUMBPRINT = '0xFD1FBA5669CA279FE0BD19F7DF60772FCCFFA201';
let sb: Sandbox;
let account: SignedInAccount;
let backend: FullBackend;
const record = new EditorRecord();
const signal = new AbortController().signal;
const folder = join(tempDir('sqlmig-editor-tde-'), 'Payroll');

before(async () => {
  sb = await startSandbox({ clockSpeed: 30, timings: { ...FAST, scanIntervalSeconds: 2 }, tdeBackups: 'source-profile' });
  account = await sandboxAccount(sb);
  backend = editorBackend(account, record);
  await writeChain(folder, sampleChain({ databaseName: 'Payroll', logs: 2, vlf: 67 }));
});
after(async () => {
  backend?.uploads.dispose();
  await sb?.stop();
});

/** The wizard's source connection: the stand-in as this machine reaches it. */
const source = () => ({ server: `127.0.0.1,${sb.info.sourceServer!.port}`, authentication: 'SqlAuthentication' as const, userName: sb.info.sourceServer!.user, encrypt: 'mandatory' as const, trustServerCertificate: true });
const withLogin = (r: MigrationRequest) => ({ ...r, targetLogin: { user: sb.info.targetServer!.user } });
const secrets = (targetPassword?: string): MigrationSecrets => ({ sqlPassword: sb.info.sourceServer!.password, ...(targetPassword !== undefined && { targetPassword }) });

function request(container: string, target: string): MigrationRequest {
  return {
    subscriptionId: sb.info.subscriptionId,
    targetInstanceId: sb.info.managedInstanceId,
    migrationServiceId: sb.info.migrationServiceId,
    mode: 'offline',
    source: source(),
    databases: [{ sourceDatabase: 'Payroll', targetDatabase: target, location: { kind: 'upload', folder, storageAccountId: sb.info.storageAccountId, container } }],
  };
}

const noSecrets = (text: string) => {
  for (const secret of [sb.info.sourceServer!.password, sb.info.targetServer!.password]) assert.ok(!text.includes(secret), 'no password is said');
};

const missing = new RegExp(`Payroll is encrypted with TDE certificate TDECert_Payroll \\(thumbprint ${THUMBPRINT}\\), which the managed instance does not hold`);

test('a TDE database: refused by both engines before its certificate is on the instance, started and restored after the editor uploads it', async () => {
  // With the instance's login: the instance is asked, the certificate is not there; nothing goes up.
  await assert.rejects(backend.wizard.starter.start(account, withLogin(request('tde-editor', 'Payroll')), secrets(sb.info.targetServer!.password), signal), (e: Error) => {
    assert.match(e.message, /Nothing was uploaded or started/);
    assert.match(e.message, missing);
    noSecrets(e.message);
    return true;
  });
  assert.deepEqual(await blobNames(sb, 'tde-editor'), [], 'nothing was uploaded');

  // Without a login for the instance, the certificate cannot be checked: refused, saying where to give one.
  await assert.rejects(backend.wizard.starter.start(account, request('tde-editor', 'Payroll'), secrets(), signal), (e: Error) => {
    assert.match(e.message, new RegExp(`Payroll is encrypted with TDE \\(certificate TDECert_Payroll, thumbprint ${THUMBPRINT}\\), and whether the managed instance holds that certificate could not be checked: no login for the instance was given: give the instance's login .* on the wizard's Server objects step`));
    return true;
  });

  // The Log Replay Service takes the same check.
  const { migrationServiceId: _none, ...rest } = withLogin(request('tde-editor-lrs', 'PayrollReplay'));
  const lrs: LogReplayRequest = { ...rest, access: 'sas', databases: rest.databases as LogReplayRequest['databases'] };
  await assert.rejects(backend.wizard.logReplay!.start(account, lrs, secrets(sb.info.targetServer!.password), signal), (e: Error) => {
    assert.match(e.message, missing);
    return true;
  });
  assert.deepEqual(await blobNames(sb, 'tde-editor-lrs'), [], 'nothing was uploaded');

  // The upload, as the dashboard's command and the wizard's step do it: planned, then through ARM.
  const pair: ServerPair = { account, instanceId: sb.info.managedInstanceId, source: source(), sourceSecret: sb.info.sourceServer!.password, instanceLogin: { user: sb.info.targetServer!.user, password: sb.info.targetServer!.password } };
  const planned = await planTdeCertificates(pair, ['Payroll'], signal);
  assert.deepEqual(planned.plan.items.map((i) => [i.certificate, i.thumbprint, i.databases, i.action]), [['TDECert_Payroll', THUMBPRINT, ['Payroll'], 'upload']]);
  const uploaded = await uploadTdeCertificates(pair, planned.plan, signal);
  assert.equal(uploaded.failed, false, JSON.stringify(uploaded.results));
  assert.deepEqual(uploaded.results.map((r) => r.status), ['uploaded']);
  assert.deepEqual((await planTdeCertificates(pair, ['Payroll'], signal)).plan.items.map((i) => i.action), ['on-target'], 'the instance lists it in master now');

  // After: the check passes, the chain goes up, the migration starts and the database is restored.
  const [started] = await backend.wizard.starter.start(account, withLogin(request('tde-editor', 'Payroll')), secrets(sb.info.targetServer!.password), signal);
  assert.ok(started?.id, JSON.stringify(started));
  const done = await waitFor('Payroll restored', async () => {
    const m = (await backend.feed.list(signal)).find((x) => x.id.toLowerCase() === started.id!.toLowerCase());
    assert.notEqual(m?.properties?.migrationStatus, 'Failed', JSON.stringify(m?.properties?.migrationFailureError));
    return m?.properties?.migrationStatus === 'Succeeded' ? m : undefined;
  }, 60_000, 200);
  assert.equal(done.properties?.migrationStatus, 'Succeeded');
  noSecrets(record.lines.join('\n'));
});
