/**
 * A Log Replay Service restore read as the dashboard and the CLI show a migration: our status
 * words, every backup file in our states with the reasons LRS gives, the 30-day limit; and the
 * same cutover guard as a migration's, the location telling the LSNs LRS does not report; many
 * completed at once, as a bulk cutover.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ManagedDatabase, ManagedDatabaseRestoreDetails, RestoreRef } from '../../../src/core/azure/lrs/models';
import { checkCutoverOf, type LocationView } from '../../../src/core/migration/cutover';
import { completeRestores } from '../../../src/core/migration/lrsOperations';
import { lrsBackupFiles, lrsCutoverSubject, lrsRestoreView, stopRefusal } from '../../../src/core/migration/lrsStatus';

const ref: RestoreRef = { subscriptionId: 's', resourceGroup: 'rg', managedInstance: 'mi', targetDatabase: 'Sales' };
const created = '2026-11-01T09:00:00Z';
const db = (status = 'Restoring', mode = 'continuous'): ManagedDatabase => ({
  name: 'Sales',
  tags: { 'sqlmig-lrs-source': 'Sales', 'sqlmig-lrs-mode': mode, 'sqlmig-lrs-folder': 'backups/Sales', 'sqlmig-lrs-storage-account': '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct' },
  properties: { status, creationDate: created },
});
const set = (name: string, status: string) => ({ status, firstStripeName: name, numberOfStripes: 1, backupSizeMB: 2 });
const details = (p: Partial<NonNullable<ManagedDatabaseRestoreDetails['properties']>> = {}): ManagedDatabaseRestoreDetails => ({
  properties: {
    status: 'Restoring',
    fullBackupSets: [set('Sales_FULL.bak', 'Restored')],
    logBackupSets: [set('Sales_LOG_001.trn', 'Restored')],
    lastRestoredFileName: 'Sales_LOG_001.trn',
    numberOfFilesQueued: 0,
    numberOfFilesRestoring: 0,
    ...p,
  },
});
const now = new Date('2026-11-02T09:00:00Z');

test('files in our states, with the reasons LRS gives for skipped and unrestorable ones', () => {
  const files = lrsBackupFiles(details({
    diffBackupSets: [set('Sales_DIFF.bak', 'Skipped')],
    logBackupSets: [set('Sales_LOG_001.trn', 'Restored'), set('Sales_LOG_002.trn', 'Restoring'), set('Sales_LOG_003.trn', 'Queued'), set('Sales_LOG_004.trn', 'Weird')],
    unrestorableFiles: [{ name: 'notes.txt' }, 'old.bak'],
    blockReason: 'the file is damaged',
    lastUploadedFileName: 'Sales_LOG_005.trn',
  }));
  const by = new Map(files.map((f) => [f.fileName, f]));
  assert.equal(by.get('Sales_FULL.bak')!.state, 'Restored');
  assert.equal(by.get('Sales_FULL.bak')!.backupType, 'Database');
  assert.equal(by.get('Sales_DIFF.bak')!.state, 'Ignored');
  assert.match(by.get('Sales_DIFF.bak')!.reason!, /skipped by the Log Replay Service: the restore does not need it/);
  assert.equal(by.get('Sales_LOG_002.trn')!.state, 'Restoring');
  assert.equal(by.get('Sales_LOG_003.trn')!.state, 'Arrived');
  assert.equal(by.get('Sales_LOG_004.trn')!.state, 'Unknown');
  assert.equal(by.get('Sales_LOG_004.trn')!.rawStatus, 'Weird');
  assert.match(by.get('notes.txt')!.reason!, /the Log Replay Service cannot restore it: the file is damaged/);
  assert.equal(by.get('old.bak')!.state, 'Ignored');
  assert.equal(by.get('Sales_LOG_005.trn')!.state, 'Arrived', 'uploaded, not planned yet');
});

test('status words: ReadyForCutover, InProgress, Completing, Succeeded, Failed with its reason; autocomplete never waits', () => {
  assert.equal(lrsRestoreView(ref, db(), details(), now).status, 'ReadyForCutover');
  assert.equal(lrsRestoreView(ref, db(), details({ numberOfFilesQueued: 1 }), now).status, 'InProgress');
  assert.equal(lrsRestoreView(ref, db(), details({ blockReason: 'LSN gap' }), now).status, 'InProgress');
  assert.equal(lrsRestoreView(ref, db('Restoring', 'autocomplete'), details(), now).status, 'InProgress');
  assert.equal(lrsRestoreView(ref, db(), undefined, now).status, 'InProgress', 'without details nothing is said ready');
  assert.equal(lrsRestoreView(ref, db(), details({ status: 'Completing' }), now).status, 'Completing');
  assert.equal(lrsRestoreView(ref, db('Online'), undefined, now).status, 'Succeeded');
  assert.equal(lrsRestoreView(ref, db('Creating'), undefined, now).status, 'Creating');
  const failed = lrsRestoreView(ref, db(), details({ status: 'Failed', blockReason: 'Managed identity is not set up properly.' }), now);
  assert.equal(failed.status, 'Failed');
  assert.deepEqual(failed.problems, ['The restore failed: Managed identity is not set up properly.']);
  const v = lrsRestoreView(ref, db(), details(), now);
  assert.equal(v.mode, 'continuous');
  assert.equal(v.folder, 'backups/Sales');
  assert.equal(v.deadline, '2026-12-01T09:00:00.000Z');
  assert.equal(lrsRestoreView(ref, { name: 'X', properties: { status: 'Restoring' } }, details({ type: 'LRSAutoComplete' }), now).mode, 'autocomplete');
});

test('the 30-day limit: said three days before, and once passed', () => {
  assert.deepEqual(lrsRestoreView(ref, db(), details(), now).problems, []);
  assert.match(lrsRestoreView(ref, db(), details(), new Date('2026-11-29T09:00:00Z')).problems[0]!, /reaches the 30-day limit of the Log Replay Service on 2026-12-01 09:00 UTC: complete it before then/);
  assert.match(lrsRestoreView(ref, db(), details(), new Date('2026-12-02T09:00:00Z')).problems[0]!, /has run 30 days, the longest the Log Replay Service allows/);
});

test('the cutover guard, with LRS as with DMS: nothing left unrestored, the location giving the LSNs', () => {
  const location: LocationView = {
    where: 'the blob folder backups/Sales/',
    backups: [
      { name: 'Sales_FULL.bak', database: 'Sales', backupType: 'Database', firstLsn: 100n, lastLsn: 120n },
      { name: 'Sales_LOG_001.trn', database: 'Sales', backupType: 'TransactionLog', firstLsn: 120n, lastLsn: 160n },
    ],
    inFlight: [],
  };
  const ready = lrsRestoreView(ref, db(), details(), now);
  assert.deepEqual(checkCutoverOf(lrsCutoverSubject(ready), { location }), { allowed: true, blockers: [], details: [], overridden: [], forced: false, warnings: [] });
  // A tail log in the folder the service has not picked up yet.
  const tail = { ...location, backups: [...location.backups, { name: 'Sales_LOG_002.trn', database: 'Sales', backupType: 'TransactionLog', firstLsn: 160n, lastLsn: 200n }] };
  const refused = checkCutoverOf(lrsCutoverSubject(ready), { location: tail });
  assert.equal(refused.allowed, false);
  assert.match(refused.blockers[0]!, /Sales_LOG_002\.trn in the blob folder backups\/Sales\/ continues the chain past the last restored LSN 160 \(log backup, LSN 160 to 200\); the Log Replay Service has not picked it up yet/);
  assert.equal(checkCutoverOf(lrsCutoverSubject(ready), { location: tail, overrides: { 'pending-backups': 'the tail is lost, accepted' } }).forced, true);
  // Queued files, counted or listed.
  const queued = checkCutoverOf(lrsCutoverSubject(lrsRestoreView(ref, db(), details({ logBackupSets: [set('Sales_LOG_001.trn', 'Restored'), set('Sales_LOG_002.trn', 'Queued')], numberOfFilesQueued: 1 }), now)));
  assert.deepEqual(queued.blockers, ['Sales_LOG_002.trn (log backup) is arrived, not restored yet', 'the restore is not ready to complete yet (it is InProgress)']);
  assert.match(checkCutoverOf(lrsCutoverSubject(lrsRestoreView(ref, db(), details({ numberOfFilesQueued: 2 }), now))).blockers.join('\n'), /the Log Replay Service reports 2 backup files pending restore/);
  // The last restored file not in the folder: what it holds past the restore cannot be compared.
  assert.match(checkCutoverOf(lrsCutoverSubject(ready), { location: { ...location, backups: [] } }).blockers[0]!, /Sales_LOG_001\.trn, the last file the Log Replay Service restored, is not in the blob folder/);
  // What the service itself cannot do.
  assert.match(checkCutoverOf(lrsCutoverSubject(lrsRestoreView(ref, db('Restoring', 'autocomplete'), details(), now))).blockers[0]!, /this is an autocomplete restore: it completes by itself/);
  assert.match(checkCutoverOf(lrsCutoverSubject(lrsRestoreView(ref, db(), details({ fullBackupSets: [set('Sales_FULL.bak', 'Restoring')], logBackupSets: [], lastRestoredFileName: undefined }), now))).blockers.join('\n'), /the full backup is not restored yet/);
  assert.equal(checkCutoverOf(lrsCutoverSubject(lrsRestoreView(ref, db(), undefined, now))).blockers[0], 'the restore details were not read');
  assert.match(checkCutoverOf(lrsCutoverSubject(lrsRestoreView(ref, db(), details({ status: 'Failed' }), now))).blockers[0]!, /the restore is Failed/);
});

test('stop: a restore in progress only; an online database is never deleted', () => {
  assert.equal(stopRefusal(lrsRestoreView(ref, db(), details(), now)), undefined);
  assert.match(stopRefusal(lrsRestoreView(ref, db('Online'), undefined, now))!, /the database is online \(the restore completed\): stopping would delete it/);
  assert.match(stopRefusal(lrsRestoreView(ref, db('Stopping'), undefined, now))!, /not restoring/);
});

test('completing 30 restores: all accepted at once by default, as a bulk cutover (the last is not down longer for being last)', async () => {
  const names = Array.from({ length: 30 }, (_, i) => `Db${i}`);
  let inFlight = 0;
  let most = 0;
  const online = new Set<string>();
  const lrs = {
    readDatabase: async (r: RestoreRef) => ({ ...db(online.has(r.targetDatabase) ? 'Online' : 'Restoring'), name: r.targetDatabase }),
    getRestoreDetails: async () => details(),
    // The service takes a while to accept each completion: all 30 must be in flight together.
    completeRestore: async (r: RestoreRef) => {
      most = Math.max(most, ++inFlight);
      await new Promise((res) => setTimeout(res, 20));
      inFlight--;
      online.add(r.targetDatabase);
    },
  };
  const results = await completeRestores(lrs as never, names.map((n) => ({ ...ref, targetDatabase: n })), { pollIntervalMs: 1 });
  assert.deepEqual(results.map((r) => r.outcome), names.map(() => 'completed'));
  assert.equal(most, 30, 'every completion was sent before the first one ended');
  online.clear();
  most = 0;
  await completeRestores(lrs as never, names.map((n) => ({ ...ref, targetDatabase: n })), { pollIntervalMs: 1, concurrency: 5 });
  assert.equal(most, 5, '--concurrency bounds them');
});
