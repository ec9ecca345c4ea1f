import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DmsClient, migrationRefFromId } from '../../../src/core/azure';
import { checkCutover, cutoverMany, onlyNotReady, type LocationView } from '../../../src/core/migration';
import { ScriptedHttp, testContext } from '../azure/scriptedHttp';
import { backupSet, migration, migrationId, readyDetails } from './fixtures';

test('ready: allowed, nothing overridden', () => {
  const c = checkCutover(migration('Sales', 'ReadyForCutover', { details: readyDetails() }));
  assert.deepEqual(c, { allowed: true, blockers: [], details: [], overridden: [], forced: false, warnings: [], migrationOperationId: 'op-Sales' });
});

test('refused while the full backup is not restored, whatever is overridden', () => {
  const m = migration('Sales', 'InProgress', { details: { isFullBackupRestored: false, migrationState: 'WaitForFullBackupUploadOperation', activeBackupSets: [] } });
  for (const overrides of [undefined, { 'not-ready': 'x', 'pending-backups': 'y', 'restore-blocked': 'z' }]) {
    const c = checkCutover(m, overrides ? { overrides } : {});
    assert.equal(c.allowed, false);
    assert.match(c.blockers.join('\n'), /full backup is not restored yet/);
  }
});

test('a listed backup not restored blocks, whatever its type, also one whose type is not known yet', () => {
  const details = readyDetails({
    activeBackupSets: [...readyDetails().activeBackupSets!, backupSet('TransactionLog', [['Sales_LOG_003.trn', 'Uploaded']]), { listOfBackupFiles: [{ fileName: 'Sales_TAIL.trn', status: 'Arrived' }] }],
    pendingLogBackupsCount: 1,
  });
  const m = migration('Sales', 'ReadyForCutover', { details });
  const refused = checkCutover(m);
  assert.equal(refused.allowed, false);
  assert.match(refused.blockers.join('\n'), /Sales_LOG_003\.trn \(log backup\) is uploaded, not restored yet/);
  assert.match(refused.blockers.join('\n'), /Sales_TAIL\.trn \(type not known yet\) is arrived, not restored yet/);
  const forced = checkCutover(m, { overrides: { 'pending-backups': 'the last log is lost; accepting 5 minutes of data loss' } });
  assert.equal(forced.allowed, true);
  assert.equal(forced.forced, true);
  assert.deepEqual(forced.overridden, ['pending-backups']);
  assert.throws(() => checkCutover(m, { overrides: { 'pending-backups': '  ' } }), /needs an explicit reason/);
});

test('the location is compared: a tail log there that the service has not listed yet blocks, naming the file', () => {
  const m = migration('Sales', 'ReadyForCutover', { details: readyDetails() });
  const location: LocationView = {
    where: 'the blob folder migrations/Sales/',
    backups: [
      { name: 'Sales_FULL.bak', database: 'Sales', backupType: 'Database', firstLsn: 1000n, lastLsn: 2000n },
      { name: 'Sales_LOG_002.trn', database: 'Sales', backupType: 'TransactionLog', firstLsn: 1000n, lastLsn: 2000n },
      { name: 'Sales_TAIL.trn', database: 'Sales', backupType: 'TransactionLog', firstLsn: 2000n, lastLsn: 2100n },
    ],
    inFlight: ['Sales_TAIL2.trn'],
  };
  const c = checkCutover(m, { location });
  assert.equal(c.allowed, false);
  assert.match(c.blockers.join('\n'), /Sales_TAIL\.trn in the blob folder migrations\/Sales\/ continues the chain past the last restored LSN 2000/);
  assert.match(c.blockers.join('\n'), /Sales_TAIL2\.trn is still being uploaded/);
  // A newer full with changes past the restore, and no log after it: those changes would be lost.
  const full2 = checkCutover(m, { location: { ...location, inFlight: [], backups: [...location.backups.slice(0, 2), { name: 'Sales_FULL2.bak', database: 'Sales', backupType: 'Database', firstLsn: 2050n, lastLsn: 2060n }] } });
  assert.match(full2.blockers.join('\n'), /Sales_FULL2\.bak .* holds changes past the last restored LSN 2000 .* that no restored log backup covers/);
  // Another database's backup in the folder is not this migration's tail.
  const other = checkCutover(m, { location: { ...location, inFlight: [], backups: [{ name: 'HR_LOG.trn', database: 'HR', backupType: 'TransactionLog', firstLsn: 1n, lastLsn: 9_000n }] } });
  assert.equal(other.allowed, true);
  // A share is read by the runtime, not from here: said, for the DBA to confirm, not a refusal.
  const share = checkCutover(m, { location: { where: 'the network share', backups: [], inFlight: [], unchecked: 'read by the runtime' } });
  assert.equal(share.allowed, true);
  assert.match(share.warnings[0]!, /not compared: read by the runtime/);
});

test('each check has its own override: overriding one never switches off another', () => {
  const m = migration('Sales', 'InProgress', { details: readyDetails({ restoreBlockingReason: 'LSN gap after Sales_LOG_002.trn', pendingLogBackupsCount: 1 }) });
  const c = checkCutover(m);
  assert.deepEqual([...new Set(c.details.map((d) => d.check))].sort(), ['not-ready', 'pending-backups', 'restore-blocked']);
  assert.equal(checkCutover(m, { overrides: { 'pending-backups': 'r' } }).allowed, false);
  assert.equal(checkCutover(m, { overrides: { 'pending-backups': 'r', 'not-ready': 'r' } }).allowed, false);
  const all = checkCutover(m, { overrides: { 'pending-backups': 'r', 'not-ready': 'r', 'restore-blocked': 'r' } });
  assert.equal(all.allowed, true);
  assert.deepEqual(all.overridden.sort(), ['not-ready', 'pending-backups', 'restore-blocked']);
});

test('InProgress with everything restored and nothing pending: only not-ready stands (the safe override)', () => {
  const c = checkCutover(migration('Sales', 'InProgress', { details: readyDetails() }));
  assert.equal(c.allowed, false);
  assert.equal(onlyNotReady(c), true);
  assert.match(c.blockers[0]!, /does not report ReadyForCutover yet \(it says InProgress\)/);
  assert.equal(onlyNotReady(checkCutover(migration('Sales', 'InProgress', { details: readyDetails({ pendingLogBackupsCount: 1 }) }))), false);
});

test('nothing overrides a cutover the service cannot do', () => {
  const overrides = { 'not-ready': 'x', 'pending-backups': 'y', 'restore-blocked': 'z' };
  for (const [m, why] of [
    [migration('S', 'ReadyForCutover', { offline: true, details: readyDetails() }), /offline migration/],
    [migration('S', 'Succeeded', { details: readyDetails() }), /the migration is Succeeded/],
    [migration('S', 'Completing', { details: readyDetails() }), /the migration is Completing/],
    [migration('S', 'ReadyForCutover', { opId: null, details: readyDetails() }), /no migration operation id/],
    [migration('S', 'ReadyForCutover'), /details were not read/],
  ] as const) {
    const c = checkCutover(m, { overrides });
    assert.equal(c.allowed, false);
    assert.match(c.blockers.join('\n'), why);
  }
});

test('bulk cutover reads each fresh, cuts over the ready ones, and reports completed only once the service says Succeeded', async () => {
  const states: Record<string, unknown> = {
    A: migration('A', 'ReadyForCutover', { details: readyDetails() }),
    B: migration('B', 'ReadyForCutover', { details: readyDetails({ pendingLogBackupsCount: 2 }) }),
    C: migration('C', 'Succeeded', { details: readyDetails() }),
    E: migration('E', 'ReadyForCutover', { details: readyDetails() }),
  };
  const after: Record<string, string[]> = { A: ['Completing', 'Succeeded'], E: ['Completing', 'Failed'], B: ['Succeeded'] };
  const cutOver: string[] = [];
  const http = new ScriptedHttp()
    .on('GET', /\/databaseMigrations\/[A-Z]$/, (req) => {
      const db = req.url.pathname.split('/').pop()!;
      const state = states[db] as ReturnType<typeof migration> | undefined;
      if (!state) return { status: 404, body: { error: { code: 'ResourceNotFound', message: 'gone' } } };
      if (cutOver.includes(`op-${db}`) && after[db]?.length) {
        const status = after[db]!.shift()!;
        const failure = status === 'Failed' ? { migrationFailureError: { code: 'CutoverFailed', message: 'the tail could not be applied' } } : {};
        states[db] = { ...state, properties: { ...state.properties, migrationStatus: status, ...failure } };
      }
      return { status: 200, body: states[db] };
    })
    .on('POST', /\/cutover$/, (req) => {
      cutOver.push((req.body as { migrationOperationId: string }).migrationOperationId);
      return { status: 200 };
    });
  const dms = new DmsClient(testContext(http), { pollIntervalMs: 1 });
  const refs = ['A', 'B', 'C', 'D', 'E'].map((d) => migrationRefFromId(migrationId(d)));
  const seen: string[] = [];
  const results = await cutoverMany(dms, refs, { pollIntervalMs: 1, onStatus: (ref, s) => seen.push(`${ref.targetDatabase}:${s}`) });
  assert.deepEqual(results.map((r) => [r.ref.targetDatabase, r.outcome]), [['A', 'completed'], ['B', 'refused'], ['C', 'refused'], ['D', 'failed'], ['E', 'failed']]);
  assert.match(results[3]!.error!, /ResourceNotFound/);
  assert.match(results[4]!.error!, /ended Failed: CutoverFailed: the tail could not be applied/);
  assert.ok(seen.includes('A:Completing') && seen.includes('A:Succeeded'));
  assert.deepEqual(cutOver, ['op-A', 'op-E'], 'only A and E were cut over, quoting their operation ids');

  const forced = await cutoverMany(dms, [refs[1]!], { overrides: { 'pending-backups': 'the last logs are not needed' }, pollIntervalMs: 1 });
  assert.equal(forced[0]!.outcome, 'completed');
  assert.equal(forced[0]!.forced, true);
  const noWait = await cutoverMany(dms, [migrationRefFromId(migrationId('F'))], { wait: false });
  assert.equal(noWait[0]!.outcome, 'failed', 'F does not exist');
});
