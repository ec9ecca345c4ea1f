/**
 * Whole simulated migrations driven over plain HTTP: the migration service reads real backup
 * headers from Azurite and moves files and sets through their states on a fast clock.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { sampleChain } from '../../../sandbox/backups/sampleChain';
import { startSandbox, type Sandbox } from '../../../sandbox/sandbox';
import { real, realOnly } from '../../support/realBackups';
import { arm, blobMigration, FAST, filesOf, getMigration, migrationPath, upload, waitFor, waitOperation } from './support';

let sb: Sandbox;
before(async () => {
  sb = await startSandbox({ clockSpeed: 40, timings: FAST, pageSize: 2 });
});
after(() => sb?.stop());

const status = (db: string, want: string) => waitFor(`${db} ${want}`, async () => {
  const p = await getMigration(sb, db);
  if (p.migrationStatus === 'Failed' && want !== 'Failed') throw new Error(`failed: ${JSON.stringify(p.migrationFailureError)}`);
  return p.migrationStatus === want ? p : undefined;
});

/** upload full, start, Restored, upload logs, ReadyForCutover, cutover refused while pending, cutover, Succeeded, listed. */
async function onlineMigration(db: string, source: string, containerName: string, full: { fileName: string; bytes: Uint8Array }[], logs: { fileName: string; bytes: Uint8Array }[]) {
  await upload(sb, containerName, full);
  const put = await arm(sb, 'PUT', migrationPath(sb, db), blobMigration(sb, { source, container: containerName }));
  assert.equal(put.status, 201, JSON.stringify(put.body));
  assert.equal(put.body.properties.provisioningState, 'Provisioning');
  assert.equal(JSON.stringify(put.body).includes(sb.azurite.accounts[0]!.key1), false, 'the account key is never echoed');
  assert.equal(JSON.stringify(put.body).includes('password'), false, 'the SQL password is never echoed');
  const created = await waitOperation(sb, put);
  assert.equal(created.status, 'Succeeded');

  const fullRestored = await waitFor('full restored', async () => {
    const p = await getMigration(sb, db);
    return p.migrationStatusDetails?.isFullBackupRestored ? p : undefined;
  });
  for (const f of full) assert.equal(filesOf(fullRestored).get(f.fileName)?.status, 'Restored', f.fileName);
  assert.equal(fullRestored.migrationStatusDetails.fullBackupSetInfo.backupType, 'Database');
  assert.equal(fullRestored.migrationStatusDetails.fullBackupSetInfo.isBackupRestored, true);

  // Logs arrive; the first cutover attempt comes while some are still pending (the clock slows
  // down meanwhile, so that the restores cannot finish first on a busy machine).
  sb.setClockSpeed(1);
  await upload(sb, containerName, logs);
  const pending = await waitFor('logs seen', async () => {
    const p = await getMigration(sb, db);
    return p.migrationStatusDetails.pendingLogBackupsCount > 0 ? p : undefined;
  });
  const early = await arm(sb, 'POST', `${migrationPath(sb, db)}/cutover`, { migrationOperationId: pending.migrationOperationId });
  assert.equal(early.status, 400);
  assert.equal(early.body.error.code, 'MigrationNotReadyForCutoverError');
  assert.match(early.body.error.message, /pending/);
  sb.setClockSpeed(40);

  const ready = await status(db, 'ReadyForCutover');
  const d = ready.migrationStatusDetails;
  assert.equal(d.pendingLogBackupsCount, 0);
  assert.equal(d.lastRestoredFilename, logs[logs.length - 1]!.fileName);
  assert.equal(d.lastRestoredBackupSetInfo.backupType, 'TransactionLog');
  for (const f of [...full, ...logs]) assert.equal(filesOf(ready).get(f.fileName)?.status, 'Restored', f.fileName);

  const wrongOp = await arm(sb, 'POST', `${migrationPath(sb, db)}/cutover`, { migrationOperationId: '00000000-0000-0000-0000-000000000000' });
  assert.equal(wrongOp.body.error.code, 'OperationIdNotFound');
  const cut = await arm(sb, 'POST', `${migrationPath(sb, db)}/cutover`, { migrationOperationId: ready.migrationOperationId });
  assert.equal(cut.status, 202);
  assert.equal((await getMigration(sb, db)).migrationStatus, 'Completing');
  assert.equal((await waitOperation(sb, cut)).status, 'Succeeded');
  const done = await getMigration(sb, db);
  assert.equal(done.migrationStatus, 'Succeeded');
  assert.ok(done.endedOn);

  const dbs = await arm(sb, 'GET', `${sb.info.managedInstanceId}/databases`, undefined, '2022-05-01-preview');
  const names: string[] = [];
  for (let page = dbs; ; ) {
    names.push(...page.body.value.map((x: { name: string }) => x.name));
    if (!page.body.nextLink) break;
    page = await arm(sb, 'GET', page.body.nextLink);
  }
  assert.ok(names.includes(db), `${db} listed among ${names.join(', ')}`);
  const again = await arm(sb, 'PUT', migrationPath(sb, db), blobMigration(sb, { source, container: containerName }));
  assert.equal(again.status, 409, 'a database already on the target is refused');
  assert.equal(again.body.error.code, 'ResourceAlreadyExists');
}

test('online migration with synthetic backups: full, logs, cutover refused while pending, cutover, database listed', async () => {
  const chain = sampleChain({ databaseName: 'Sales', logs: 3 });
  await onlineMigration('Sales', 'Sales', 'sales', chain.slice(0, 1), chain.slice(1));
});

test('online migration with real SQL Server backups', realOnly, async () => {
  const files = ['RestoreTimeClean.bak', 'RestoreTimeClean_1.trn', 'RestoreTimeClean_2.trn', 'RestoreTimeClean_3.trn'].map((f) => ({
    fileName: f,
    bytes: readFileSync(real('RestoreTimeClean', f)),
  }));
  await onlineMigration('RestoreTimeCleanMI', 'RestoreTimeClean', 'restoretimeclean', files.slice(0, 1), files.slice(1));
});

test('striped full, a non-backup file and a superseded log: invalid and ignored files carry their reasons', async () => {
  const chain = sampleChain({ databaseName: 'Striped', logs: 2, stripes: 2 });
  await upload(sb, 'striped', [...chain, { fileName: 'readme.txt', bytes: Buffer.from('not a backup') }]);
  const put = await arm(sb, 'PUT', migrationPath(sb, 'Striped'), blobMigration(sb, { source: 'Striped', container: 'striped' }));
  assert.equal(put.status, 201);
  const p = await status('Striped', 'ReadyForCutover');
  assert.deepEqual(p.migrationStatusDetails.invalidFiles, ['readme.txt']);
  const full = p.migrationStatusDetails.fullBackupSetInfo;
  assert.equal(full.familyCount, 2);
  assert.deepEqual(full.listOfBackupFiles.map((f: any) => f.familySequenceNumber), [1, 2]);
  assert.ok(filesOf(p).size >= 6);
});

test('several databases in one container block the restore (restoreBlockingReason), as the real service hangs', async () => {
  await upload(sb, 'mixed', [...sampleChain({ databaseName: 'Alpha', logs: 1 }), ...sampleChain({ databaseName: 'Beta', logs: 1, vlf: 90 })]);
  await arm(sb, 'PUT', migrationPath(sb, 'Alpha'), blobMigration(sb, { source: 'Alpha', container: 'mixed' }));
  const p = await waitFor('blocked', async () => {
    const x = await getMigration(sb, 'Alpha');
    return x.migrationStatusDetails?.restoreBlockingReason ? x : undefined;
  });
  assert.match(p.migrationStatusDetails.restoreBlockingReason, /2 databases \(Alpha, Beta\)/);
  assert.equal(p.migrationStatus, 'InProgress');
  assert.equal(p.migrationStatusDetails.isFullBackupRestored, false);
  const cut = await arm(sb, 'POST', `${migrationPath(sb, 'Alpha')}/cutover`, { migrationOperationId: p.migrationOperationId });
  assert.equal(cut.body.error.code, 'MigrationNotReadyForCutoverError');
  // Cancel: Canceling, then Canceled; then it can be deleted.
  const del = await arm(sb, 'DELETE', migrationPath(sb, 'Alpha'));
  assert.equal(del.body.error.code, 'DeleteMigrationNotAllowedMigrationInProgress');
  const cancel = await arm(sb, 'POST', `${migrationPath(sb, 'Alpha')}/cancel`, { migrationOperationId: p.migrationOperationId });
  assert.equal(cancel.status, 202);
  assert.equal((await getMigration(sb, 'Alpha')).migrationStatus, 'Canceling');
  assert.equal((await waitOperation(sb, cancel)).status, 'Succeeded');
  const canceled = await getMigration(sb, 'Alpha');
  assert.equal(canceled.migrationStatus, 'Canceled');
  const statuses = [...filesOf(canceled).values()].map((f) => `${f.fileName}:${f.status}`);
  assert.ok(statuses.every((s) => s.startsWith('Alpha') ? s.endsWith(':Canceled') : s.endsWith(':Ignored')), statuses.join(' '));
  const gone = await arm(sb, 'DELETE', migrationPath(sb, 'Alpha'));
  assert.equal(gone.status, 202);
  await waitOperation(sb, gone);
  assert.equal((await arm(sb, 'GET', migrationPath(sb, 'Alpha'))).status, 404);
});

test('offline migration restores up to lastBackupName and completes by itself; later logs are not restored', async () => {
  const chain = sampleChain({ databaseName: 'Offline', logs: 3 });
  await upload(sb, 'offline', chain);
  const missing = await arm(sb, 'PUT', migrationPath(sb, 'OfflineDb'), blobMigration(sb, { source: 'Offline', container: 'offline', offline: true }));
  assert.equal(missing.status, 400, 'offline from blob needs lastBackupName');
  const put = await arm(sb, 'PUT', migrationPath(sb, 'OfflineDb'), blobMigration(sb, { source: 'Offline', container: 'offline', offline: true, lastBackupName: chain[2]!.fileName }));
  assert.equal(put.status, 201);
  const p = await status('OfflineDb', 'Succeeded');
  const files = filesOf(p);
  assert.equal(files.get(chain[2]!.fileName).status, 'Restored');
  assert.notEqual(files.get(chain[3]!.fileName).status, 'Restored');
  assert.equal(p.migrationStatusDetails.lastRestoredFilename, chain[2]!.fileName);
  const cut = await arm(sb, 'POST', `${migrationPath(sb, 'OfflineDb')}/cutover`, { migrationOperationId: p.migrationOperationId });
  assert.equal(cut.body.error.code, 'CutoverNotAllowedMigrationCompleteError');
});

test('an injected restore failure fails the migration with migrationFailureError', async () => {
  const chain = sampleChain({ databaseName: 'Broken', logs: 2 });
  await upload(sb, 'broken', chain);
  sb.faults.failRestore({ fileName: chain[1]!.fileName, message: 'the log backup is damaged' });
  await arm(sb, 'PUT', migrationPath(sb, 'Broken'), blobMigration(sb, { source: 'Broken', container: 'broken' }));
  const p = await status('Broken', 'Failed');
  assert.match(p.migrationFailureError.message, new RegExp(`${chain[1]!.fileName}.*damaged`));
  assert.equal(p.migrationFailureError.code, 'RestoreFailed');
  assert.equal(p.migrationStatusDetails.isFullBackupRestored, true);
  sb.faults.clear();
});

test('a wrong account key or a missing container fails provisioning with a clear error', async () => {
  const bad = await arm(sb, 'PUT', migrationPath(sb, 'BadKey'), blobMigration(sb, { source: 'X', container: 'sales', accountKey: Buffer.from('wrong').toString('base64') }));
  assert.equal(bad.status, 201);
  const op = await waitOperation(sb, bad);
  assert.equal(op.status, 'Failed');
  assert.equal(op.error.code, 'StorageAuthenticationFailed');
  const p = await getMigration(sb, 'BadKey');
  assert.equal(p.provisioningState, 'Failed');
  assert.equal(p.migrationStatus, 'Failed');
  assert.ok(!JSON.stringify(p).includes(Buffer.from('wrong').toString('base64')));

  const nc = await arm(sb, 'PUT', migrationPath(sb, 'NoContainer'), blobMigration(sb, { source: 'X', container: 'does-not-exist' }));
  assert.equal((await waitOperation(sb, nc)).error.code, 'ContainerNotFound');
  const reserved = await arm(sb, 'PUT', migrationPath(sb, 'Reserved'), blobMigration(sb, { source: 'X', container: 'backup' }));
  assert.equal(reserved.body.error.code, 'InvalidContainerName');
});

test('listMigrations pages with absolute nextLinks and a GET of an earlier operation id still answers', async () => {
  const svc = sb.info.migrationServiceId;
  const seen: string[] = [];
  let page = await arm(sb, 'GET', `${svc}/listMigrations`);
  for (;;) {
    assert.equal(page.status, 200);
    assert.ok(page.body.value.length <= 2);
    seen.push(...page.body.value.map((m: { name: string }) => m.name));
    if (!page.body.nextLink) break;
    assert.match(page.body.nextLink, /^http:\/\/127\.0\.0\.1:\d+\//);
    page = await arm(sb, 'GET', page.body.nextLink);
  }
  assert.ok(seen.includes('Sales') && seen.includes('Broken'), seen.join(', '));
  // A new operation on a failed target keeps the old one readable.
  const old = await getMigration(sb, 'BadKey');
  const put = await arm(sb, 'PUT', migrationPath(sb, 'BadKey'), blobMigration(sb, { source: 'Sales', container: 'sales' }));
  assert.equal(put.status, 200);
  assert.notEqual(put.body.properties.migrationOperationId, old.migrationOperationId);
  const earlier = await arm(sb, 'GET', `${migrationPath(sb, 'BadKey')}?migrationOperationId=${old.migrationOperationId}`);
  assert.equal(earlier.body.properties.migrationStatus, 'Failed');
  const unknown = await arm(sb, 'GET', `${migrationPath(sb, 'BadKey')}?migrationOperationId=11111111-2222-3333-4444-555555555555`);
  assert.equal(unknown.body.error.code, 'OperationIdNotFound');
  await arm(sb, 'DELETE', `${migrationPath(sb, 'BadKey')}?force=true`);
});
