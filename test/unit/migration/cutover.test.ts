import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DmsClient, migrationRefFromId } from '../../../src/core/azure';
import { checkCutover, cutoverMany } from '../../../src/core/migration';
import { ScriptedHttp, testContext } from '../azure/scriptedHttp';
import { backupSet, migration, migrationId, readyDetails } from './fixtures';

test('ready: allowed without force', () => {
  const c = checkCutover(migration('Sales', 'ReadyForCutover', { details: readyDetails() }));
  assert.deepEqual(c, { allowed: true, blockers: [], forced: false, migrationOperationId: 'op-Sales' });
});

test('refused while the full backup is not restored, even forced', () => {
  const m = migration('Sales', 'InProgress', { details: { isFullBackupRestored: false, migrationState: 'WaitForFullBackupUploadOperation', activeBackupSets: [] } });
  for (const force of [undefined, { reason: 'boss says so' }]) {
    const c = checkCutover(m, force);
    assert.equal(c.allowed, false);
    assert.match(c.blockers.join('\n'), /full backup is not restored yet/);
  }
});

test('refused while log backups are pending; forced with a reason it goes, and says so', () => {
  const details = readyDetails({
    activeBackupSets: [backupSet('TransactionLog', [['Sales_LOG_003.trn', 'Uploaded']])],
    pendingLogBackupsCount: 1,
  });
  const m = migration('Sales', 'ReadyForCutover', { details });
  const refused = checkCutover(m);
  assert.equal(refused.allowed, false);
  assert.match(refused.blockers[0]!, /1 log backup is not restored yet: take the last log backup/);
  const forced = checkCutover(m, { reason: 'last log lost; accepting 5 minutes of data loss' });
  assert.equal(forced.allowed, true);
  assert.equal(forced.forced, true);
  assert.throws(() => checkCutover(m, { reason: '  ' }), /needs an explicit reason/);
});

test('refused while the restore is blocked; InProgress is not ReadyForCutover', () => {
  const blocked = checkCutover(migration('Sales', 'ReadyForCutover', { details: readyDetails({ restoreBlockingReason: 'LSN gap after Sales_LOG_002.trn' }) }));
  assert.equal(blocked.allowed, false);
  assert.match(blocked.blockers[0]!, /restore is blocked: LSN gap/);
  const early = checkCutover(migration('Sales', 'InProgress', { details: readyDetails() }));
  assert.equal(early.allowed, false);
  assert.match(early.blockers[0]!, /does not report ReadyForCutover yet \(it says InProgress\)/);
});

test('nothing forces a cutover the service cannot do', () => {
  const force = { reason: 'try anyway' };
  for (const [m, why] of [
    [migration('S', 'ReadyForCutover', { offline: true, details: readyDetails() }), /offline migration/],
    [migration('S', 'Succeeded', { details: readyDetails() }), /the migration is Succeeded/],
    [migration('S', 'Completing', { details: readyDetails() }), /the migration is Completing/],
    [migration('S', 'ReadyForCutover', { opId: null, details: readyDetails() }), /no migration operation id/],
    [migration('S', 'ReadyForCutover'), /details were not read/],
  ] as const) {
    const c = checkCutover(m, force);
    assert.equal(c.allowed, false);
    assert.match(c.blockers.join('\n'), why);
  }
});

test('bulk cutover reads each migration fresh, cuts over the ready ones, refuses the others', async () => {
  const states: Record<string, unknown> = {
    A: migration('A', 'ReadyForCutover', { details: readyDetails() }),
    B: migration('B', 'ReadyForCutover', { details: readyDetails({ pendingLogBackupsCount: 2 }) }),
    C: migration('C', 'Succeeded', { details: readyDetails() }),
  };
  const cutOver: string[] = [];
  const http = new ScriptedHttp()
    .on('GET', /\/databaseMigrations\/[A-Z]$/, (req) => {
      const db = req.url.pathname.split('/').pop()!;
      assert.equal(req.url.searchParams.get('$expand'), 'MigrationStatusDetails');
      return states[db] ? { status: 200, body: states[db] } : { status: 404, body: { error: { code: 'ResourceNotFound', message: 'gone' } } };
    })
    .on('POST', /\/cutover$/, (req) => {
      cutOver.push((req.body as { migrationOperationId: string }).migrationOperationId);
      return { status: 200 };
    });
  const dms = new DmsClient(testContext(http), { pollIntervalMs: 1 });
  const refs = ['A', 'B', 'C', 'D'].map((d) => migrationRefFromId(migrationId(d)));
  const results = await cutoverMany(dms, refs);
  assert.deepEqual(results.map((r) => [r.ref.targetDatabase, r.outcome]), [['A', 'completed'], ['B', 'refused'], ['C', 'refused'], ['D', 'failed']]);
  assert.match(results[3]!.error!, /ResourceNotFound/);
  assert.deepEqual(cutOver, ['op-A'], 'only A was cut over, quoting its operation id');

  const forced = await cutoverMany(dms, [refs[1]!], { force: { reason: 'the last logs are not needed' } });
  assert.equal(forced[0]!.outcome, 'completed');
  assert.equal(forced[0]!.forced, true);
  assert.deepEqual(cutOver, ['op-A', 'op-B']);
});
