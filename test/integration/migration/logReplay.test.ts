/**
 * Whole restores with the Log Replay Service through the sqlmig CLI against the sandbox (fast
 * clock), as a DBA would run them: no migration service, no integration runtime. The same
 * scenarios as the migration service's (online.test.ts, nothingLost.test.ts): a real chain
 * online with a refused early completion, autocomplete, the managed identity, ten databases at
 * once; and every way LRS fails, each caught before anything starts with what to do.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { sampleChain, writeChain } from '../../../sandbox/backups/sampleChain';
import { writeSyntheticBackup } from '../../../sandbox/backups/syntheticBackup';
import type { Sandbox } from '../../../sandbox/sandbox';
import { sqlmig } from '../../support/cli';
import { real, realOnly } from '../../support/realBackups';
import { tempDir } from '../../support/tmp';
import { arm, container as blobContainer } from '../sandbox/support';
import { lrsFileState, lrsStartArgs, lrsStatus, restoreId, sasToken } from './lrsSupport';
import { azure, Background, cliSandbox, waitFor } from './support';

let sb: Sandbox;
const root = tempDir();
before(async () => {
  sb = await cliSandbox({
    profile: {
      managedInstances: [
        { resourceGroup: 'rg-sqlmig-sandbox', name: 'sqlmi-sandbox', identity: true },
        // No managed identity: reading storage with it fails.
        { resourceGroup: 'rg-sqlmig-sandbox', name: 'sqlmi-noidentity' },
      ],
    },
  });
});
after(() => sb?.stop());

const storage = () => ['--storage-account-id', sb.info.storageAccountId, ...azure(sb)];
const secretsIn = (out: { stdout: string; stderr: string }) => {
  const text = out.stdout + out.stderr;
  assert.ok(!text.includes(sb.azurite.accounts[0]!.key1), 'the account key is never printed');
  assert.doesNotMatch(text, /sig=|se=\d{4}-/, 'no SAS token is printed');
};

test('a real SQL Server chain online with LRS: full, start, logs in watch mode, an early completion refused naming the pending log, completed, online', realOnly, async () => {
  const dir = join(root, 'rtc');
  mkdirSync(dir);
  const add = (...names: string[]) => names.forEach((n) => copyFileSync(real('RestoreTimeClean', n), join(dir, n)));
  add('RestoreTimeClean.bak');
  const id = restoreId(sb, 'RtcLrs');

  const up = await sqlmig(['backups', 'upload', dir, '--database', 'RestoreTimeClean', '--container', 'lrs-real', ...storage()]);
  assert.equal(up.code, 0, up.stderr);
  const start = await sqlmig(lrsStartArgs(sb, 'lrs-real', ['RestoreTimeClean=RtcLrs']));
  assert.equal(start.code, 0, start.stdout + start.stderr);
  assert.match(start.stdout, /started {2}RestoreTimeClean -> RtcLrs {2}Restoring/);
  assert.match(start.stderr, /warning: a Log Replay Service restore runs at most 30 days: complete these by \d{4}-\d\d-\d\d/);
  secretsIn(start);

  const watch = new Background(['log-replay', 'status', ...azure(sb), '--restore', id, '--watch', '--interval', '0.1']);
  await watch.line(/RtcLrs .*RestoreTimeClean\.bak .*Restored/, 'the full backup restored');
  const uploader = new Background(['backups', 'upload', dir, '--watch', '--interval', '0.1', '--database', 'RestoreTimeClean', '--container', 'lrs-real', ...storage()]);
  add('RestoreTimeClean_1.trn', 'RestoreTimeClean_2.trn');
  await watch.line(/RestoreTimeClean_2\.trn .*Restored/, 'the second log backup restored');
  await watch.line(/RtcLrs +(\S+ -> )?ReadyForCutover/, 'ready to complete');
  await watch.line(/once the tail-log backup is restored too: sqlmig log-replay complete --restore/, 'the hint');
  await waitFor('ready with both logs', async () => ((await lrsStatus(sb, 'RtcLrs')).status === 'ReadyForCutover' ? true : undefined));

  // The last log backup: uploaded, and the service has not picked it up (its clock nearly stopped).
  sb.setClockSpeed(0.01);
  add('RestoreTimeClean_3.trn');
  await waitFor('the tail log in the folder', async () => (uploader.lines.some((l) => /upload {2}RestoreTimeClean\/RestoreTimeClean_3\.trn/.test(l)) ? true : undefined));
  const early = await sqlmig(['log-replay', 'complete', '--tail-log-taken', ...azure(sb), '--restore', id]);
  assert.equal(early.code, 1, early.stdout + early.stderr);
  assert.match(early.stdout, /REFUSED RtcLrs\n {2}- RestoreTimeClean_3\.trn in the blob folder lrs-real\/RestoreTimeClean\/ continues the chain past the last restored LSN \d+ \(log backup, LSN \d+ to \d+\); the Log Replay Service has not picked it up yet/);
  sb.setClockSpeed(40);

  await watch.line(/RestoreTimeClean_3\.trn .*Restored/, 'the last log backup restored');
  const done = await sqlmig(['log-replay', 'complete', '--tail-log-taken', ...azure(sb), '--restore', id]);
  assert.equal(done.code, 0, done.stdout + done.stderr);
  assert.match(done.stdout, /^completed RtcLrs: Succeeded, the database is online$/m);
  const watched = await watch.done;
  assert.equal(watched.code, 0, watch.lines.join('\n'));
  assert.match(watched.stdout, /RtcLrs +(ReadyForCutover|Completing) -> Succeeded/);
  await uploader.stop();
  secretsIn(watched);

  const s = await lrsStatus(sb, 'RtcLrs');
  assert.equal(s.status, 'Succeeded');
  assert.equal(s.databaseStatus, 'Online');
  for (const n of ['RestoreTimeClean.bak', 'RestoreTimeClean_1.trn', 'RestoreTimeClean_2.trn', 'RestoreTimeClean_3.trn']) assert.equal(lrsFileState(s, n), 'Restored', n);
});

test('continuous from local backups: the chain uploaded by log-replay start, a tail log uploaded a moment ago blocks the completion, then completed; stop refuses an online database', async () => {
  const dir = join(root, 'tail');
  const chain = sampleChain({ databaseName: 'Orders', logs: 2, vlf: 81, compressed: true });
  await writeChain(dir, chain.slice(0, 2));
  const start = await sqlmig(lrsStartArgs(sb, 'lrs-tail', ['Orders'], ['--local', `Orders=${dir}`]));
  assert.equal(start.code, 0, start.stdout + start.stderr);
  assert.match(start.stdout, /Orders: 2 backup file\(s\) uploaded to lrs-tail\/Orders\//);
  secretsIn(start);
  await waitFor('ready to complete', async () => ((await lrsStatus(sb, 'Orders')).status === 'ReadyForCutover' ? true : undefined));
  sb.setClockSpeed(0.01);
  writeFileSync(join(dir, chain[2]!.fileName), chain[2]!.bytes);
  const up = await sqlmig(['backups', 'upload', dir, '--database', 'Orders', '--container', 'lrs-tail', ...storage()]);
  assert.equal(up.code, 0, up.stderr);
  assert.equal(lrsFileState(await lrsStatus(sb, 'Orders'), chain[2]!.fileName), undefined, 'the service has not seen the tail log yet');
  const early = await sqlmig(['log-replay', 'complete', '--tail-log-taken', ...azure(sb), '--target', sb.info.managedInstanceId, '--database', 'Orders', '--json']);
  assert.equal(early.code, 1);
  const refused = JSON.parse(early.stdout).results[0];
  assert.equal(refused.outcome, 'refused');
  assert.match(refused.blockers.join('\n'), /Orders_LOG_002\.trn in the blob folder lrs-tail\/Orders\/ continues the chain past the last restored LSN/);
  sb.setClockSpeed(40);
  await waitFor('the tail log restored', async () => (lrsFileState(await lrsStatus(sb, 'Orders'), chain[2]!.fileName) === 'Restored' ? true : undefined));
  const done = await sqlmig(['log-replay', 'complete', '--tail-log-taken', ...azure(sb), '--target', sb.info.managedInstanceId, '--database', 'Orders', '--json']);
  assert.equal(done.code, 0, done.stdout + done.stderr);
  assert.equal(JSON.parse(done.stdout).results[0].status, 'Succeeded');
  const listed = await sqlmig(['log-replay', 'status', ...azure(sb), '--target', sb.info.managedInstanceId]);
  assert.match(listed.stdout, /Orders +Orders +Succeeded +continuous/);
  const stop = await sqlmig(['log-replay', 'stop', ...azure(sb), '--target', sb.info.managedInstanceId, '--database', 'Orders']);
  assert.equal(stop.code, 1);
  assert.match(stop.stdout, /REFUSED Orders\n {2}the database is online \(the restore completed\): stopping would delete it/);
});

test('autocomplete: the whole chain uploaded first, its last file named from the chain, the database online by itself; a completion is refused', async () => {
  const dir = join(root, 'auto');
  await writeChain(dir, sampleChain({ databaseName: 'Ledger', logs: 3, vlf: 82 }));
  const start = await sqlmig(lrsStartArgs(sb, 'lrs-auto', ['Ledger'], ['--mode', 'autocomplete', '--local', `Ledger=${dir}`]));
  assert.equal(start.code, 0, start.stdout + start.stderr);
  assert.match(start.stdout, /Ledger: 4 backup file\(s\) uploaded to lrs-auto\/Ledger\//);
  assert.match(start.stdout, /started {2}Ledger -> Ledger {2}Restoring {2}\(autocomplete up to Ledger_LOG_003\.trn\)/);
  const watch = await sqlmig(['log-replay', 'status', ...azure(sb), '--restore', restoreId(sb, 'Ledger'), '--watch', '--interval', '0.1', '--json']);
  assert.equal(watch.code, 0, watch.stdout + watch.stderr);
  const events = watch.stdout.trim().split('\n').map((l) => JSON.parse(l) as { event: string; status?: string; file?: string; state?: string });
  assert.ok(events.some((e) => e.event === 'File' && e.file === 'Ledger_LOG_003.trn' && e.state === 'Restored'), 'one JSON object per change, files included');
  assert.equal(events.at(-1)?.event, 'Succeeded');
  assert.ok(!events.some((e) => e.status === 'ReadyForCutover'), 'an autocomplete restore never waits for a completion');
  const s = await lrsStatus(sb, 'Ledger');
  assert.equal(s.mode, 'autocomplete');
  assert.equal(s.lastRestoredFile, 'Ledger_LOG_003.trn');
  const complete = await sqlmig(['log-replay', 'complete', '--tail-log-taken', ...azure(sb), '--restore', restoreId(sb, 'Ledger')]);
  assert.equal(complete.code, 1);
  assert.match(complete.stdout, /REFUSED Ledger\n {2}- this is an autocomplete restore: it completes by itself after its last backup is restored\n {2}- the restore is Succeeded/);
});

test('the managed identity reads the container, for LRS and for the migration service; an instance without one is refused with what to do', async () => {
  const dir = join(root, 'identity');
  await writeChain(dir, sampleChain({ databaseName: 'Vault', logs: 1, vlf: 83 }));
  const lrs = await sqlmig(lrsStartArgs(sb, 'lrs-identity', ['Vault'], ['--access', 'managed-identity', '--local', `Vault=${dir}`]), { SQLMIG_LRS_SAS: '' });
  assert.equal(lrs.code, 0, lrs.stdout + lrs.stderr);
  assert.match(lrs.stderr, /warning: the instance reads the container with its managed identity \([0-9a-f-]{36}\), which needs Storage Blob Data Reader on the storage account; .*az role assignment create --assignee [0-9a-f-]{36} --role "Storage Blob Data Reader"/);
  await waitFor('ready to complete', async () => ((await lrsStatus(sb, 'Vault')).status === 'ReadyForCutover' ? true : undefined));
  const done = await sqlmig(['log-replay', 'complete', '--tail-log-taken', ...azure(sb), '--restore', restoreId(sb, 'Vault')]);
  assert.equal(done.code, 0, done.stdout + done.stderr);

  const noIdentity = sb.info.managedInstanceId.replace(/sqlmi-sandbox$/, 'sqlmi-noidentity');
  const refused = await sqlmig(lrsStartArgs(sb, 'lrs-identity', ['Vault=Vault2'], ['--access', 'managed-identity', '--local', `Vault=${dir}`], noIdentity));
  assert.equal(refused.code, 2, refused.stdout + refused.stderr);
  assert.match(refused.stderr, /managed instance sqlmi-noidentity has no managed identity to read the container with: turn on its system-assigned identity \(az sql mi update --resource-group rg-sqlmig-sandbox --name sqlmi-noidentity --assign-identity\)/);

  // The migration service with authType ManagedIdentity: no key is sent, the instance's identity reads.
  const dms = (target: string, name: string) => [
    'migrate', 'start', ...azure(sb), '--service', sb.info.migrationServiceId, '--target', target, '--source-server', 'SQLSRC01', '--source-user', 'migrator',
    '--storage-account-id', sb.info.storageAccountId, '--container', 'dms-identity', '--local', `Vault=${dir}`, '--database', `Vault=${name}`, '--blob-auth', 'managed-identity',
  ];
  const started = await sqlmig(dms(sb.info.managedInstanceId, 'VaultDms'), { SQLMIG_SOURCE_PASSWORD: 'pw-identity' });
  assert.equal(started.code, 0, started.stdout + started.stderr);
  const migration = `${sb.info.managedInstanceId}/providers/Microsoft.DataMigration/databaseMigrations/VaultDms`;
  const status = async () => JSON.parse((await sqlmig(['migrate', 'status', ...azure(sb), '--migration', migration, '--json'])).stdout).migrations[0];
  const ready = await waitFor('ReadyForCutover', async () => {
    const m = await status();
    return m.status === 'ReadyForCutover' ? m : undefined;
  });
  assert.equal(ready.properties.backupConfiguration.sourceLocation.azureBlob.authType, 'ManagedIdentity');
  assert.equal(ready.properties.backupConfiguration.sourceLocation.azureBlob.accountKey, undefined);
  const noDms = await sqlmig(dms(noIdentity, 'VaultDms2'), { SQLMIG_SOURCE_PASSWORD: 'pw-identity' });
  assert.equal(noDms.code, 2);
  assert.match(noDms.stderr, /sqlmi-noidentity has no managed identity .*or read it with the account key \(--blob-auth account-key\)/);
});

test('the LRS rules are checked before anything starts: every problem printed with what to do, exit 2, nothing uploaded or created', async () => {
  const c = blobContainer(sb, 'lrs-rules');
  await c.createIfNotExists();
  const put = (name: string, bytes: Uint8Array) => c.getBlockBlobClient(name).uploadData(bytes);
  // A subfolder inside the database's folder.
  const nested = sampleChain({ databaseName: 'Nested', logs: 1, vlf: 84 });
  await put(`Nested/${nested[0]!.fileName}`, nested[0]!.bytes);
  await put(`Nested/old/${nested[1]!.fileName}`, nested[1]!.bytes);
  // Two databases in one folder.
  const mixed = sampleChain({ databaseName: 'Mixed', logs: 1, vlf: 85 });
  for (const f of mixed) await put(`Mixed/${f.fileName}`, f.bytes);
  await put('Mixed/HR_FULL.bak', sampleChain({ databaseName: 'HR', logs: 0, vlf: 86 })[0]!.bytes);
  const r = await sqlmig(lrsStartArgs(sb, 'lrs-rules', ['Nested', 'Mixed']));
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /Nested: the folder lrs-rules\/Nested holds more than Nested's backups; each database needs its own flat folder/);
  assert.match(r.stderr, /Nested: Nested\/old\/Nested_LOG_001\.trn sits in a subfolder: the database's folder must be flat .*move it out/);
  assert.match(r.stderr, /Mixed: Mixed\/HR_FULL\.bak is a backup of HR/);
  // The same rule for the migration service: one flat folder per database.
  const dms = await sqlmig(['migrate', 'start', ...azure(sb), '--service', sb.info.migrationServiceId, '--target', sb.info.managedInstanceId, '--source-server', 'SQLSRC01', '--source-user', 'migrator',
    '--storage-account-id', sb.info.storageAccountId, '--container', 'lrs-rules', '--database', 'Mixed', '--database', 'Nested'], { SQLMIG_SOURCE_PASSWORD: 'pw-rules' });
  assert.equal(dms.code, 2, dms.stdout + dms.stderr);
  assert.match(dms.stderr, /Mixed: Mixed\/HR_FULL\.bak is a backup of HR/);
  assert.match(dms.stderr, /Nested: Nested\/old\/Nested_LOG_001\.trn sits in a subfolder/);
  // Autocomplete named a last backup the folder's chain goes past.
  for (const f of sampleChain({ databaseName: 'Until', logs: 2, vlf: 96 })) await put(`Until/${f.fileName}`, f.bytes);
  const until = await sqlmig(lrsStartArgs(sb, 'lrs-rules', ['Until'], ['--mode', 'autocomplete', '--last-backup', 'Until=Until_LOG_001.trn']));
  assert.equal(until.code, 2, until.stdout + until.stderr);
  assert.match(until.stderr, /Until: Until_LOG_002\.trn in Until\/ continues the database past Until_LOG_001\.trn, the last backup of this autocomplete restore, and the Log Replay Service fails an autocomplete restore on a later backup/);

  // Recovery model, version, and the SAS token: checked on local backups before they go up.
  const bulk = join(root, 'rules', 'Bulk');
  await writeChain(bulk, sampleChain({ databaseName: 'Bulk', recoveryModel: 'BULK_LOGGED', logs: 1, vlf: 87 }));
  const old = join(root, 'rules', 'Old');
  await writeChain(old, sampleChain({ databaseName: 'Old', logs: 1, vlf: 88 }).map((f) => ({ ...f, bytes: writeSyntheticBackup({ ...f.spec, softwareVersion: [9, 0, 5000] }) })));
  const local = ['--local', `Bulk=${bulk}`, '--local', `Old=${old}`];
  const rules = await sqlmig(lrsStartArgs(sb, 'lrs-rules', ['Bulk', 'Old'], local), { SQLMIG_LRS_SAS: sasToken(sb, 'lrs-rules', 'r') });
  assert.equal(rules.code, 2, rules.stdout + rules.stderr);
  assert.match(rules.stderr, /the SAS token does not grant List \(sp=r\): the Log Replay Service needs Read and List; create a container SAS with Read and List only/);
  assert.match(rules.stderr, /Bulk: the database is in the BULK_LOGGED recovery model: the Log Replay Service restores databases in the FULL recovery model only; run ALTER DATABASE \[Bulk\] SET RECOVERY FULL/);
  assert.match(rules.stderr, /Old: the backups were written by SQL Server 2005: the Log Replay Service restores backups of SQL Server 2008 or later/);
  for (const [token, re] of [
    [sasToken(sb, 'lrs-rules', 'rlw'), /grants more than Read and List \(Write\)/],
    [sasToken(sb, 'lrs-rules', 'rl', 2), /expires on \S+, before the restore is expected to end \(\S+\): the Log Replay Service stops reading the container then/],
    ['sv=2022-11-02&sr=c&si=readpolicy&sig=abc', /uses a stored access policy \(si=readpolicy\)/],
  ] as const) {
    const x = await sqlmig(lrsStartArgs(sb, 'lrs-rules', ['Bulk'], ['--local', `Bulk=${bulk}`]), { SQLMIG_LRS_SAS: token });
    assert.equal(x.code, 2);
    assert.match(x.stderr, re);
    assert.ok(!x.stderr.includes('sig='), 'the token is never printed');
  }
  // A token that reads well but is for another container: tried as the service will use it.
  const good = join(root, 'rules', 'Good');
  await writeChain(good, sampleChain({ databaseName: 'Good', logs: 1, vlf: 89 }));
  const wrong = await sqlmig(lrsStartArgs(sb, 'lrs-rules', ['Good'], ['--local', `Good=${good}`]), { SQLMIG_LRS_SAS: sasToken(sb, 'another-container', 'rl') });
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /listing lrs-rules\/Good\/ with the SAS token failed \(HTTP 403 \w+\): the token must be for this container and grant List/);
  const names: string[] = [];
  for await (const b of c.listBlobsFlat()) names.push(b.name);
  assert.ok(!names.some((n) => /^(Bulk|Old|Good)\//.test(n)), 'nothing was uploaded');
  const databases = JSON.parse((await sqlmig(['targets', 'list', ...azure(sb), '--databases', '--json'])).stdout).subscriptions[0].managedInstances[0].databases;
  for (const n of ['Nested', 'Mixed', 'Until', 'Bulk', 'Old', 'Good']) assert.ok(!databases.includes(n), `no database ${n} was created`);
});

test('LRS fails late, as the real service does, when started without the checks: each failure in the service\'s words through log-replay status', async () => {
  const c = blobContainer(sb, 'lrs-late');
  await c.createIfNotExists();
  const put = (name: string, bytes: Uint8Array) => c.getBlockBlobClient(name).uploadData(bytes);
  const chainIn = async (folder: string, db: string, vlf: number, logs = 1) => {
    const chain = sampleChain({ databaseName: db, logs, vlf });
    for (const f of chain) await put(`${folder}/${f.fileName}`, f.bytes);
    return chain;
  };
  await chainIn('Nest', 'Nest', 90);
  await put('Nest/sub/extra.trn', sampleChain({ databaseName: 'Nest', logs: 0, vlf: 90 })[0]!.bytes);
  await chainIn('Two', 'Two', 91);
  await put('Two/Other_FULL.bak', sampleChain({ databaseName: 'Other', logs: 0, vlf: 92 })[0]!.bytes);
  await chainIn('NoList', 'NoList', 93);
  const after = await chainIn('After', 'After', 94, 2);
  await chainIn('Ident', 'Ident', 95);
  const mi = sb.info.managedInstanceId;
  const noIdentity = mi.replace(/sqlmi-sandbox$/, 'sqlmi-noidentity');
  const body = (folder: string, extra: Record<string, unknown> = {}, sas: string | undefined = sasToken(sb, 'lrs-late', 'rl')) => ({
    location: 'eastus',
    properties: { createMode: 'RestoreExternalBackup', collation: 'SQL_Latin1_General_CP1_CI_AS', storageContainerUri: `${sb.info.blobEndpoint}lrs-late/${folder}`, ...(sas && { storageContainerSasToken: sas }), ...extra },
  });
  const starts: [string, string, unknown, RegExp][] = [
    [mi, 'Nest', body('Nest'), /holds a subfolder \(Nest\/sub\/extra\.trn\): the Log Replay Service restores from one flat folder per database/],
    [mi, 'Two', body('Two'), /There are backups from multiple databases in the container folder\. Please make sure the container folder has backups from a single database\. \(Other, Two/],
    [mi, 'NoList', body('NoList', {}, sasToken(sb, 'lrs-late', 'r')), /Storage connection is broken\. Please verify and try again\. \(The SAS token grants "r": the Log Replay Service reads the container with a token that grants exactly Read and List/],
    [mi, 'After', body('After', { autoCompleteRestore: true, lastBackupName: after[1]!.fileName }), /Backup file 'After_LOG_002\.trn' continues the database past 'After_LOG_001\.trn', the last backup file of this autocomplete restore/],
    [noIdentity, 'Ident', body('Ident', { storageContainerIdentity: 'ManagedIdentity' }, undefined), /Managed identity is not set up properly\. Please verify and try again\./],
  ];
  for (const [target, db, b, re] of starts) {
    const res = await arm(sb, 'PUT', `${target}/databases/${db}`, b, '2025-01-01');
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const s = await waitFor(`${db} failed`, async () => {
      const st = await lrsStatus(sb, db, target);
      return st.status === 'Failed' ? st : undefined;
    });
    assert.match(s.problems.join('\n'), re, db);
    assert.match(s.problems[0]!, /^The restore failed: /);
  }
  // A failed restore is stopped (its database deleted) to start over.
  const stop = await sqlmig(['log-replay', 'stop', ...azure(sb), '--target', mi, '--database', 'Nest', '--database', 'Two', '--json']);
  assert.equal(stop.code, 0, stop.stdout + stop.stderr);
  assert.deepEqual(JSON.parse(stop.stdout).results.map((x: { outcome: string }) => x.outcome), ['stopped', 'stopped']);
  await waitFor('Nest gone', async () => ((await sqlmig(['log-replay', 'status', ...azure(sb), '--target', mi, '--database', 'Nest', '--json'])).stdout.includes('"NotFound"') ? true : undefined));
});

test('ten databases at once: uploaded and started together, watched together, completed together', async () => {
  const names = Array.from({ length: 10 }, (_, i) => `Shop${String(i + 1).padStart(2, '0')}`);
  const locals: string[] = [];
  for (const [i, name] of names.entries()) {
    const dir = join(root, 'ten', name);
    await writeChain(dir, sampleChain({ databaseName: name, logs: 2, vlf: 120 + i }));
    locals.push('--local', `${name}=${dir}`);
  }
  const start = await sqlmig(lrsStartArgs(sb, 'lrs-ten', names, [...locals, '--concurrency', '10']));
  assert.equal(start.code, 0, start.stdout + start.stderr);
  assert.match(start.stdout, /10 of 10 started/);
  const ids = names.map((n) => restoreId(sb, n));
  const watch = new Background(['log-replay', 'status', ...azure(sb), ...ids.flatMap((id) => ['--restore', id]), '--watch', '--interval', '0.1']);
  for (const n of names) await watch.line(new RegExp(`^\\S+ {2}${n} .*ReadyForCutover`), `${n} ready`);
  const listed = JSON.parse((await sqlmig(['log-replay', 'status', ...azure(sb), '--target', sb.info.managedInstanceId, '--json'])).stdout).instances[0].restores.map((r: { database: string }) => r.database);
  for (const n of names) assert.ok(listed.includes(n), `${n} listed on its instance`);
  const done = await sqlmig(['log-replay', 'complete', '--tail-log-taken', ...azure(sb), '--target', sb.info.managedInstanceId, ...names.flatMap((n) => ['--database', n]), '--concurrency', '10', '--json']);
  assert.equal(done.code, 0, done.stdout + done.stderr);
  assert.deepEqual(JSON.parse(done.stdout).results.map((r: { outcome: string }) => r.outcome), names.map(() => 'completed'));
  const watched = await watch.done;
  assert.equal(watched.code, 0, watch.lines.join('\n'));
  for (const n of names) assert.match(watched.stdout, new RegExp(`${n}: Succeeded`));
});

test('the 30-day limit: the deadline shown, then, on the sandbox clock a month later, the restore stopped and said so', async () => {
  const dir = join(root, 'month');
  await writeChain(dir, sampleChain({ databaseName: 'Month', logs: 1, vlf: 130 }));
  assert.equal((await sqlmig(lrsStartArgs(sb, 'lrs-month', ['Month'], ['--local', `Month=${dir}`]))).code, 0);
  const ready = await waitFor('ready', async () => {
    const s = await lrsStatus(sb, 'Month');
    return s.status === 'ReadyForCutover' ? s : undefined;
  });
  const started = Date.parse(ready.deadline!) - 30 * 86_400_000;
  assert.ok(Math.abs(started - sb.clock.now()) < 3_600_000, 'the deadline is 30 days after the start');
  // A month passes on the sandbox's clock (the warning before the deadline is the status's, against the real clock: unit tests).
  sb.advanceClock(31 * 86_400);
  const failed = await waitFor('stopped by the limit', async () => {
    const s = await lrsStatus(sb, 'Month');
    return s.status === 'Failed' ? s : undefined;
  });
  assert.match(failed.problems.join('\n'), /The restore has run for 30 days, the longest a Log Replay Service restore may run, and was stopped/);
  const complete = await sqlmig(['log-replay', 'complete', '--tail-log-taken', ...azure(sb), '--restore', restoreId(sb, 'Month')]);
  assert.equal(complete.code, 1);
  assert.match(complete.stdout, /REFUSED Month\n {2}- the restore is Failed/);
});
