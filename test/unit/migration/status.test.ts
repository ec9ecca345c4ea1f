import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  backupFiles,
  canCancel,
  canCutover,
  canDelete,
  canRestart,
  MIGRATION_STATUSES,
  migrationProblems,
  normalizeStatus,
  pendingLogBackups,
  statusOf,
} from '../../../src/core/migration';
import { backupSet, migration, readyDetails } from './fixtures';

// Every status the service reports, with what may be done (an online migration whose full backup
// is restored and has an operation id, so only the status decides).
const TABLE: Record<(typeof MIGRATION_STATUSES)[number], { cutover: boolean; cancel: boolean; del: boolean; restart: boolean }> = {
  Creating: { cutover: false, cancel: true, del: false, restart: false },
  InProgress: { cutover: true, cancel: true, del: false, restart: false },
  UploadingFullBackup: { cutover: false, cancel: true, del: false, restart: false },
  UploadingLogBackup: { cutover: true, cancel: true, del: false, restart: false },
  Restoring: { cutover: true, cancel: true, del: false, restart: false },
  ReadyForCutover: { cutover: true, cancel: true, del: false, restart: false },
  Completing: { cutover: false, cancel: false, del: false, restart: false },
  Succeeded: { cutover: false, cancel: false, del: true, restart: true },
  Failed: { cutover: false, cancel: false, del: true, restart: true },
  Canceling: { cutover: false, cancel: false, del: false, restart: false },
  Canceled: { cutover: false, cancel: false, del: true, restart: true },
  Retriable: { cutover: false, cancel: true, del: true, restart: true },
};

test('the predicates for every status the service reports', () => {
  assert.deepEqual(Object.keys(TABLE).sort(), [...MIGRATION_STATUSES].sort(), 'the table covers every status');
  for (const [status, want] of Object.entries(TABLE)) {
    const m = migration('Sales', status, { details: readyDetails() });
    assert.deepEqual(
      { cutover: canCutover(m), cancel: canCancel(m), del: canDelete(m), restart: canRestart(m) },
      want,
      status,
    );
    // Case from the wire does not matter.
    assert.equal(canDelete(migration('Sales', status.toUpperCase())), want.del, `${status} upper-case`);
  }
});

test('unknown statuses allow nothing', () => {
  const m = migration('Sales', 'SomethingNew', { details: readyDetails() });
  assert.equal(statusOf(m), 'SomethingNew');
  assert.deepEqual([canCutover(m), canCancel(m), canDelete(m), canRestart(m)], [false, false, false, false]);
});

test('cutover needs online, an operation id, a restored full backup, no blocking reason, and the details', () => {
  assert.equal(canCutover(migration('S', 'ReadyForCutover', { details: readyDetails() })), true);
  assert.equal(canCutover(migration('S', 'ReadyForCutover', { offline: true, details: readyDetails() })), false);
  assert.equal(canCutover(migration('S', 'ReadyForCutover', { opId: null, details: readyDetails() })), false);
  assert.equal(canCutover(migration('S', 'ReadyForCutover', { details: readyDetails({ isFullBackupRestored: false, lastRestoredFilename: undefined }) })), false);
  assert.equal(canCutover(migration('S', 'ReadyForCutover', { details: readyDetails({ restoreBlockingReason: 'Log backup missing' }) })), false);
  assert.equal(canCutover(migration('S', 'ReadyForCutover')), false, 'no details: no');
  assert.equal(canCancel(migration('S', 'InProgress', { opId: null })), false, 'cancel needs the operation id');
});

test('before migrationStatus is set, provisioningState decides', () => {
  assert.equal(statusOf(migration('S', undefined, { provisioningState: 'Provisioning' })), 'Creating');
  assert.equal(statusOf(migration('S', undefined, { provisioningState: 'Succeeded' })), 'InProgress');
  assert.equal(statusOf(migration('S', undefined, { provisioningState: 'Failed' })), 'Failed');
  assert.equal(normalizeStatus('cancelled'), 'Canceled');
  assert.equal(normalizeStatus('readyforcutover'), 'ReadyForCutover');
});

test('backup files: states, ignore reasons, invalid files; pending logs counted', () => {
  const m = migration('Sales', 'InProgress', {
    details: {
      isFullBackupRestored: true,
      fullBackupSetInfo: backupSet('Database', [['Sales_FULL.bak', 'Restored']], { isBackupRestored: true, backupFinishDate: '2026-11-01T09:00:00Z' }),
      activeBackupSets: [
        backupSet('Database', [['Sales_FULL.bak', 'Restored']], { isBackupRestored: true, backupFinishDate: '2026-11-01T09:00:00Z' }),
        backupSet('TransactionLog', [['Sales_LOG_001.trn', 'Restoring']], { backupFinishDate: '2026-11-01T09:05:00Z' }),
        backupSet('TransactionLog', [['Sales_LOG_002.trn', 'Uploaded']], { backupFinishDate: '2026-11-01T09:10:00Z' }),
        backupSet('TransactionLog', [['Old_LOG.trn', 'Arrived']], { ignoreReasons: ['LSN gap before this file'], backupFinishDate: '2026-11-01T08:00:00Z' }),
        backupSet('TransactionLog', [['Odd.trn', 'Teleporting']], { backupFinishDate: '2026-11-01T09:20:00Z' }),
      ],
      invalidFiles: ['notes.txt'],
    },
  });
  const files = backupFiles(m);
  assert.deepEqual(files.map((f) => [f.fileName, f.state]), [
    ['notes.txt', 'Ignored'],
    ['Old_LOG.trn', 'Ignored'],
    ['Sales_FULL.bak', 'Restored'],
    ['Sales_LOG_001.trn', 'Restoring'],
    ['Sales_LOG_002.trn', 'Uploaded'],
    ['Odd.trn', 'Unknown'],
  ]);
  assert.equal(files.find((f) => f.fileName === 'Old_LOG.trn')!.reason, 'LSN gap before this file');
  assert.equal(files.find((f) => f.fileName === 'Odd.trn')!.rawStatus, 'Teleporting');
  assert.equal(pendingLogBackups(m), 3);
  assert.equal(pendingLogBackups(migration('S', 'InProgress', { details: readyDetails({ pendingLogBackupsCount: 2 }) })), 2);
});

test('problems gathered from every field the service fills', () => {
  const m = migration('S', 'Failed', { details: readyDetails({ restoreBlockingReason: 'Missing log', fileUploadBlockingErrors: ['share unreachable'] }) });
  m.properties!.migrationFailureError = { code: 'RestoreFailed', message: 'memory-optimized filegroup not supported on General Purpose' };
  assert.deepEqual(migrationProblems(m), [
    'RestoreFailed: memory-optimized filegroup not supported on General Purpose',
    'Restore blocked: Missing log',
    'Upload blocked: share unreachable',
  ]);
});

test('withoutSecrets drops every password and key, keeps the rest', async () => {
  const { withoutSecrets } = await import('../../../src/core/migration');
  const m = migration('S', 'InProgress', { details: readyDetails() });
  m.properties!.sourceSqlConnection = { dataSource: 'SQLSRC01', userName: 'u', password: 'pw-secret-1' };
  m.properties!.backupConfiguration = {
    sourceLocation: { fileShare: { path: '\\\\fs\\b', username: 'D\\u', password: 'pw-secret-2' }, azureBlob: { blobContainerName: 'c', accountKey: 'key-secret-3' } },
    targetLocation: { storageAccountResourceId: 'sa', accountKey: 'key-secret-4' },
  };
  const clean = withoutSecrets(m);
  assert.doesNotMatch(JSON.stringify(clean), /secret/);
  assert.equal(clean.properties!.sourceSqlConnection!.dataSource, 'SQLSRC01');
  assert.equal(clean.properties!.backupConfiguration!.sourceLocation!.fileShare!.path, '\\\\fs\\b');
  assert.equal(clean.properties!.backupConfiguration!.targetLocation!.storageAccountResourceId, 'sa');
  assert.equal(clean.properties!.migrationStatusDetails!.isFullBackupRestored, true);
  assert.match(JSON.stringify(m), /pw-secret-1/, 'the original is not changed');
});
