/**
 * A TDE database migrated in the right order, through the sqlmig CLI against the sandbox as a
 * user runs it (its source stand-in, its managed instance's SQL endpoint reached by the ARM host
 * name through the cloud file, the source profile's TDE databases marked): the start is refused
 * before the certificate is on the instance, naming the database and the thumbprint; "tde
 * apply" uploads it through ARM; then the migration starts and the database is restored. And the
 * simulated services' own rule, when the check is bypassed: the restore of the TDE backup fails
 * with SQL Server's error, in the migration service and in the Log Replay Service alike.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { sampleChain, writeChain } from '../../../sandbox/backups/sampleChain';
import type { Sandbox } from '../../../sandbox/sandbox';
import { startSourceServer } from '../../../sandbox/sourceServer';
import { sqlmig } from '../../support/cli';
import { tempDir } from '../../support/tmp';
import { blobNames } from '../sandbox/support';
import { azure, cliSandbox, status, waitFor } from './support';

/** The certificate of Payroll in the bundled source profile (sandbox/profiles/default.json). */
const THUMBPRINT = '0xFD1FBA5669CA279FE0BD19F7DF60772FCCFFA201';
const root = tempDir('sqlmig-tde-order-');
let sb: Sandbox;
let env: NodeJS.ProcessEnv;

before(async () => {
  sb = await cliSandbox({ sourceServer: startSourceServer, tdeBackups: 'source-profile' });
  env = { SQLMIG_SOURCE_PASSWORD: sb.info.sourceServer!.password, SQLMIG_TARGET_PASSWORD: sb.info.targetServer!.password };
  await writeChain(join(root, 'Payroll'), sampleChain({ databaseName: 'Payroll', logs: 2, vlf: 61 }));
});
after(() => sb?.stop());

/** An offline migration of Payroll from its local chain, uploaded to `container`. */
function start(container: string, target: string, extra: string[] = []): string[] {
  return [
    'migrate', 'start', ...azure(sb),
    '--service', sb.info.migrationServiceId,
    '--target', sb.info.managedInstanceId,
    '--source-server', 'SQLSRC01',
    '--source-user', sb.info.sourceServer!.user,
    '--storage-account-id', sb.info.storageAccountId,
    '--container', container,
    '--local', `Payroll=${join(root, 'Payroll')}`,
    '--database', `Payroll=${target}`,
    '--mode', 'offline',
    ...extra,
  ];
}

const noSecrets = (text: string) => {
  for (const secret of [sb.info.sourceServer!.password, sb.info.targetServer!.password]) assert.ok(!text.includes(secret), 'no password is printed');
};

test('bypassed with --accept tde-unverified: the migration service fails the restore of the TDE backup with SQL Server\'s error', async () => {
  const started = await sqlmig(start('tde-bypass', 'PayrollUnverified', ['--accept', 'tde-unverified', '--reason', 'testing the service\'s own rule']), env);
  assert.equal(started.code, 0, started.stdout + started.stderr);
  assert.match(started.stderr, /warning: Payroll is encrypted with TDE .*could not be checked.*\[tde-unverified: accepted\]/);
  assert.match(started.stderr, /accepted: tde-unverified \(testing the service's own rule\)/);
  const failed = await waitFor('the restore failed', async () => {
    const s = await status(sb, 'PayrollUnverified');
    return s.status === 'Failed' ? s : undefined;
  }, 60_000);
  assert.match(JSON.stringify(failed), new RegExp(`Restoring backup file 'Payroll_FULL\\.bak' failed: Msg 33111, Level 16: Cannot find server certificate with thumbprint '${THUMBPRINT}'`));
  assert.ok(failed.files.every((f) => f.state !== 'Restored'), 'nothing was restored');
});

test('the Log Replay Service: refused when the source is named; without it a warning, and the service fails the TDE backup\'s restore on the same engine', async () => {
  const lrs = ['log-replay', 'start', ...azure(sb), '--target', sb.info.managedInstanceId, '--storage-account-id', sb.info.storageAccountId,
    '--container', 'tde-lrs', '--local', `Payroll=${join(root, 'Payroll')}`, '--database', 'Payroll=PayrollReplay', '--mode', 'autocomplete'];
  const refused = await sqlmig([...lrs, '--source-server', 'SQLSRC01', '--source-user', sb.info.sourceServer!.user, '--target-user', sb.info.targetServer!.user], env);
  assert.equal(refused.code, 2, refused.stdout + refused.stderr);
  assert.match(refused.stderr, new RegExp(`Payroll is encrypted with TDE certificate TDECert_Payroll \\(thumbprint ${THUMBPRINT}\\), which the managed instance does not hold`));
  assert.deepEqual(await blobNames(sb, 'tde-lrs'), [], 'nothing was uploaded');

  const started = await sqlmig(lrs, env);
  assert.equal(started.code, 0, started.stdout + started.stderr);
  assert.match(started.stderr, /warning: TDE was not checked: no --source-server was given/);
  const failed = await waitFor('the LRS restore failed', async () => {
    const r = await sqlmig(['log-replay', 'status', ...azure(sb), '--restore', `${sb.info.managedInstanceId}/databases/PayrollReplay`, '--json']);
    return /Failed/.test(r.stdout) ? r.stdout : undefined;
  }, 60_000);
  assert.match(failed, new RegExp(`Cannot find server certificate with thumbprint '${THUMBPRINT}'`));
});

test('a TDE database: refused before its certificate is on the instance, started and restored after "tde apply"', async () => {
  // Before: the instance is asked, the certificate is not there; nothing is uploaded or started.
  const refused = await sqlmig(start('tde-order', 'Payroll', ['--target-user', sb.info.targetServer!.user]), env);
  assert.equal(refused.code, 2, refused.stdout + refused.stderr);
  assert.match(refused.stderr, /Nothing was uploaded or started: the plan has a problem/);
  assert.match(refused.stderr, new RegExp(`Payroll is encrypted with TDE certificate TDECert_Payroll \\(thumbprint ${THUMBPRINT}\\), which the managed instance does not hold.*sqlmig tde apply --database Payroll`));
  assert.doesNotMatch(refused.stderr, /can be accepted/, 'a certificate seen missing cannot be accepted');
  assert.deepEqual(await blobNames(sb, 'tde-order'), [], 'nothing was uploaded');
  noSecrets(refused.stdout + refused.stderr);

  // Without a login for the instance, the certificate cannot be checked: refused too, and the accept it can take is named.
  const unverified = await sqlmig(start('tde-order', 'Payroll'), env);
  assert.equal(unverified.code, 2, unverified.stdout + unverified.stderr);
  assert.match(unverified.stderr, new RegExp(`Payroll is encrypted with TDE \\(certificate TDECert_Payroll, thumbprint ${THUMBPRINT}\\), and whether the managed instance holds that certificate could not be checked: no login for the instance was given.*\\[tde-unverified: can be accepted with a reason\\]`));

  // The upload: the certificate and its key read from the source, a PFX in memory, through ARM.
  const applied = await sqlmig(['tde', 'apply', ...azure(sb), '--source-server', 'SQLSRC01', '--source-user', sb.info.sourceServer!.user, '--target', sb.info.managedInstanceId, '--database', 'Payroll'], env);
  assert.equal(applied.code, 0, applied.stdout + applied.stderr);
  assert.match(applied.stdout, new RegExp(`TDECert_Payroll +${THUMBPRINT} +Payroll +UPLOADED`));
  noSecrets(applied.stdout + applied.stderr);
  // The instance lists it in master, as "tde plan" reads it over its SQL endpoint.
  const plan = await sqlmig(['tde', 'plan', ...azure(sb), '--source-server', 'SQLSRC01', '--source-user', sb.info.sourceServer!.user, '--target', sb.info.managedInstanceId, '--target-user', sb.info.targetServer!.user, '--database', 'Payroll'], env);
  assert.equal(plan.code, 0, plan.stdout + plan.stderr);
  assert.match(plan.stdout, new RegExp(`TDECert_Payroll +${THUMBPRINT} +Payroll +ON TARGET`));

  // After: the check passes, the chain goes up, the migration starts and the database is restored.
  const started = await sqlmig(start('tde-order', 'Payroll', ['--target-user', sb.info.targetServer!.user]), env);
  assert.equal(started.code, 0, started.stdout + started.stderr);
  assert.match(started.stdout, /started {2}Payroll -> Payroll/);
  const done = await waitFor('Payroll restored', async () => {
    const s = await status(sb, 'Payroll');
    assert.notEqual(s.status, 'Failed', JSON.stringify(s.problems));
    return s.status === 'Succeeded' ? s : undefined;
  }, 60_000);
  assert.ok(done.files.every((f) => f.state === 'Restored'), JSON.stringify(done.files));
});
