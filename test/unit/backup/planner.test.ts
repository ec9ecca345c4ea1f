import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseStopAt, planRestores, type DatabasePlan } from '../../../src/core/backup';
import { sampleChain } from '../../../sandbox/backups/sampleChain';
import { writeSyntheticBackup } from '../../../sandbox/backups/syntheticBackup';
import { inFolder, names, readAll } from '../../support/synthetic';

const planNames = (p: DatabasePlan) => p.plan.map((s) => names(s.files).join('+'));
const ignored = (p: DatabasePlan) => Object.fromEntries(p.ignored.map((i) => [names([i.path])[0], i.code]));

describe('restore-chain planner', () => {
  test('full, then the latest differential on it, then the logs that continue the chain', async () => {
    const files = inFolder('Sales', sampleChain({ databaseName: 'Sales', logs: 5, differentialAfterLog: 2 }));
    const [plan] = planRestores(await readAll(files));
    assert.equal(plan!.ready, true);
    assert.deepEqual(planNames(plan!), ['Sales_FULL.bak', 'Sales_DIFF_002.bak', 'Sales_LOG_003.trn', 'Sales_LOG_004.trn', 'Sales_LOG_005.trn']);
    assert.deepEqual(ignored(plan!), { 'Sales_LOG_001.trn': 'superseded', 'Sales_LOG_002.trn': 'superseded' });
    assert.match(plan!.ignored[0]!.reason, /already in the differential backup Sales_DIFF_002\.bak/);
    assert.deepEqual(plan!.problems, []);
    assert.equal(plan!.restoresTo!.lsn, plan!.plan.at(-1)!.lastLsn);
  });

  test('a missing log backup is an LSN gap: the range is named and later logs are left out', async () => {
    const chain = sampleChain({ databaseName: 'Sales', logs: 5 });
    const missing = chain.find((f) => f.fileName === 'Sales_LOG_003.trn')!;
    const [plan] = planRestores(await readAll(inFolder('Sales', chain.filter((f) => f !== missing))));
    assert.equal(plan!.ready, false);
    assert.deepEqual(planNames(plan!), ['Sales_FULL.bak', 'Sales_LOG_001.trn', 'Sales_LOG_002.trn']);
    assert.deepEqual(ignored(plan!), { 'Sales_LOG_004.trn': 'lsn-gap', 'Sales_LOG_005.trn': 'lsn-gap' });
    const range = `${missing.spec.firstLsn} to ${missing.spec.lastLsn}`;
    assert.ok(plan!.problems.some((p) => p.includes(`LSN gap: no usable log backup covers LSN ${range}`)), plan!.problems.join('\n'));
  });

  test('stripes: a set is used only with all its stripes; an older complete full is chosen otherwise', async () => {
    const older = sampleChain({ databaseName: 'HR', logs: 0, stripes: 2, start: new Date('2026-10-01T00:00:00Z') });
    const familyGuid = older[0]!.spec.familyGuid;
    const newer = sampleChain({ databaseName: 'HR', logs: 2, stripes: 2, familyGuid, start: new Date('2026-11-01T00:00:00Z'), vlf: 60 });
    const lost = newer.find((f) => f.fileName === 'HR_FULL_2of2.bak')!;
    const files = [...inFolder('old', older), ...inFolder('new', newer.filter((f) => f !== lost))];
    const [plan] = planRestores(await readAll(files));
    assert.deepEqual(planNames(plan!), ['HR_FULL_1of2.bak+HR_FULL_2of2.bak']);
    assert.equal(plan!.plan[0]!.files[0], '/backups/old/HR_FULL_1of2.bak');
    const byPath = Object.fromEntries(plan!.ignored.map((i) => [i.path, i]));
    assert.equal(byPath['/backups/new/HR_FULL_1of2.bak']!.code, 'missing-stripe');
    assert.match(byPath['/backups/new/HR_FULL_1of2.bak']!.reason, /missing stripe 2 of 2/);
    assert.ok(plan!.problems.some((p) => /newest full backup .* is missing stripe 2 of 2; planning from an older full backup/.test(p)));
    // The new logs start after the new (incomplete) full: nothing continues the old full's chain.
    assert.equal(byPath['/backups/new/HR_LOG_001_1of2.trn']!.code, 'lsn-gap');
    assert.equal(plan!.ready, false);
  });

  test('the same backup twice: one is a duplicate', async () => {
    const chain = sampleChain({ databaseName: 'Sales', logs: 1 });
    const files = [...inFolder('Sales', chain), { path: '/backups/Sales/copy of Sales_LOG_001.trn', bytes: chain[1]!.bytes }];
    const [plan] = planRestores(await readAll(files));
    assert.equal(plan!.ready, true);
    assert.deepEqual(ignored(plan!), { 'Sales_LOG_001.trn': 'duplicate' });
    assert.deepEqual(planNames(plan!), ['Sales_FULL.bak', 'copy of Sales_LOG_001.trn']);
  });

  test('two databases in one folder: each is planned, and each names the other as another database', async () => {
    const files = [...inFolder('mixed', sampleChain({ databaseName: 'Sales', logs: 1 })), ...inFolder('mixed', sampleChain({ databaseName: 'HR', logs: 1 }))];
    const plans = planRestores(await readAll(files));
    assert.deepEqual(plans.map((p) => p.name), ['HR', 'Sales']);
    for (const p of plans) {
      assert.equal(p.ready, true);
      assert.equal(p.ignored.length, 2);
      assert.ok(p.ignored.every((i) => i.code === 'other-database'));
      assert.ok(p.warnings.some((w) => w.includes('one database per folder')));
    }
    const [only] = planRestores(await readAll(files), { database: 'sales' });
    assert.equal(only!.name, 'Sales');
    assert.equal(planRestores(await readAll(files), { database: 'sales' }).length, 1);
  });

  test('a database named that is not there: not ready, and the names found are listed', async () => {
    const files = inFolder('Sales', sampleChain({ databaseName: 'Sales', logs: 1 }));
    const [plan] = planRestores(await readAll(files), { database: 'Payroll' });
    assert.equal(plan!.ready, false);
    assert.match(plan!.problems[0]!, /no backup of database Payroll among the 2 files scanned \(found: Sales\)/);
  });

  test('same name, different family GUID: two lineages, never mixed', async () => {
    const a = sampleChain({ databaseName: 'App', logs: 2 });
    const b = sampleChain({ databaseName: 'App', logs: 2, vlf: 41 });
    const plans = planRestores(await readAll([...inFolder('a', a), ...inFolder('b', b)]));
    assert.equal(plans.length, 2);
    assert.ok(plans.every((p) => p.ready && p.plan.length === 3 && p.plan.every((s) => s.files[0]!.startsWith(p.plan[0]!.files[0]!.slice(0, 11)))));
  });

  test('SIMPLE recovery: not ready for an online migration, ready for an offline one', async () => {
    const files = inFolder('Cfg', sampleChain({ databaseName: 'Cfg', recoveryModel: 'SIMPLE' }));
    const [online] = planRestores(await readAll(files));
    assert.equal(online!.ready, false);
    assert.match(online!.problems.join(), /SIMPLE recovery model: .* online migration is impossible/);
    const [offline] = planRestores(await readAll(files), { mode: 'offline' });
    assert.equal(offline!.ready, true);
    assert.match(offline!.warnings.join(), /SIMPLE recovery model/);
  });

  test('--stop-at: the plan ends with the log backup that contains the point', async () => {
    // Logs every 5 minutes from 09:05 (each finishes 2 s after it starts); server at UTC+1.
    const chain = sampleChain({ databaseName: 'Sales', logs: 5, utcOffsetMinutes: 60, start: new Date('2026-11-01T08:00:00Z') });
    const readings = await readAll(inFolder('Sales', chain));
    const [local] = planRestores(readings, { stopAt: parseStopAt('2026-11-01T09:12:00') }); // server time = 08:12Z
    assert.deepEqual(planNames(local!), ['Sales_FULL.bak', 'Sales_LOG_001.trn', 'Sales_LOG_002.trn', 'Sales_LOG_003.trn']);
    assert.deepEqual(ignored(local!), { 'Sales_LOG_004.trn': 'after-stop-at', 'Sales_LOG_005.trn': 'after-stop-at' });
    assert.equal(local!.ready, true);
    const [zoned] = planRestores(readings, { stopAt: parseStopAt('2026-11-01T08:12:00Z') });
    assert.deepEqual(planNames(zoned!), planNames(local!));
    const [tooLate] = planRestores(readings, { stopAt: parseStopAt('2026-11-01T12:00:00Z') });
    assert.equal(tooLate!.ready, false);
    assert.match(tooLate!.problems.join(), /after the newest restorable backup/);
    const [tooEarly] = planRestores(readings, { stopAt: parseStopAt('2026-11-01T07:00:00Z') });
    assert.equal(tooEarly!.ready, false);
    assert.match(tooEarly!.problems.join(), /no full backup finished before --stop-at/);
  });

  test('--stop-at parsing: local, UTC and offsets; nonsense is refused', () => {
    assert.deepEqual(parseStopAt('2026-11-01T09:12'), { local: { year: 2026, month: 11, day: 1, hour: 9, minute: 12, second: 0 } });
    assert.deepEqual(parseStopAt('2026-11-01T09:12:30+02:00'), { instant: new Date('2026-11-01T07:12:30Z') });
    assert.deepEqual(parseStopAt('2026-11-01 09:12:30Z'), { instant: new Date('2026-11-01T09:12:30Z') });
    assert.throws(() => parseStopAt('yesterday'), /ISO 8601/);
    assert.throws(() => parseStopAt('2026-13-01T09:12'), /not a valid date/);
  });

  test('empty log backups: one at the end of the chain is kept (and marked), earlier ones are superseded', async () => {
    const chain = sampleChain({ databaseName: 'Sales', logs: 2 });
    const last = chain.at(-1)!.spec;
    const empty = (name: string, at: bigint, minutes: number) => ({
      path: `/backups/Sales/${name}`,
      bytes: writeSyntheticBackup({ ...last, backupSetId: undefined, firstLsn: at, lastLsn: at, start: new Date(last.start.getTime() + minutes * 60_000), finish: undefined }),
    });
    const files = [...inFolder('Sales', chain), empty('early_empty.trn', chain[0]!.spec.lastLsn - 1n, -30), empty('final_empty.trn', last.lastLsn, 5)];
    const [plan] = planRestores(await readAll(files));
    assert.deepEqual(planNames(plan!), ['Sales_FULL.bak', 'Sales_LOG_001.trn', 'Sales_LOG_002.trn', 'final_empty.trn']);
    assert.equal(plan!.plan.at(-1)!.empty, true);
    assert.deepEqual(ignored(plan!), { 'early_empty.trn': 'superseded' });
  });

  test('no full backup: nothing can be restored, and every file says why', async () => {
    const chain = sampleChain({ databaseName: 'Sales', logs: 2 }).slice(1);
    const [plan] = planRestores(await readAll(inFolder('Sales', chain)));
    assert.equal(plan!.ready, false);
    assert.deepEqual(plan!.plan, []);
    assert.match(plan!.problems.join(), /no complete full backup of Sales/);
    assert.deepEqual(Object.values(ignored(plan!)), ['no-base', 'no-base']);
  });

  test('differentials: one on an older full is superseded; one whose full is absent has no base', async () => {
    const first = sampleChain({ databaseName: 'Sales', logs: 1, differentialAfterLog: 1 });
    const familyGuid = first[0]!.spec.familyGuid;
    const second = sampleChain({ databaseName: 'Sales', logs: 1, differentialAfterLog: 1, familyGuid, vlf: 50, start: new Date('2026-11-02T09:00:00Z') });
    const [plan] = planRestores(await readAll([...inFolder('one', first), ...inFolder('two', second)]));
    assert.deepEqual(plan!.plan.map((s) => s.files[0]), ['/backups/two/Sales_FULL.bak', '/backups/two/Sales_DIFF_001.bak']);
    const byPath = Object.fromEntries(plan!.ignored.map((i) => [i.path, i]));
    assert.equal(byPath['/backups/one/Sales_DIFF_001.bak']!.code, 'superseded');
    assert.match(byPath['/backups/one/Sales_DIFF_001.bak']!.reason, /based on the older full backup Sales_FULL\.bak/);

    const orphan = planRestores(await readAll(inFolder('two', second.filter((f) => !f.fileName.includes('FULL')))));
    assert.equal(orphan[0]!.ignored.find((i) => i.path.endsWith('DIFF_001.bak'))!.code, 'no-base');
  });

  test('unreadable neighbours: garbage, truncated and appended-set files are listed with their reasons', async () => {
    const chain = sampleChain({ databaseName: 'Sales', logs: 3 });
    const log3 = chain.find((f) => f.fileName === 'Sales_LOG_003.trn')!;
    const files = [
      ...inFolder('Sales', chain.filter((f) => f !== log3)),
      { path: '/backups/Sales/Sales_LOG_003.trn', bytes: log3.bytes.subarray(0, log3.bytes.length - 3000) },
      { path: '/backups/Sales/notes.txt', bytes: new TextEncoder().encode('not a backup') },
      { path: '/backups/Sales/both.bak', bytes: writeSyntheticBackup([chain[0]!.spec, chain[1]!.spec]) },
      { path: '/backups/Elsewhere/stray.bin', bytes: new Uint8Array(10) },
    ];
    const [plan] = planRestores(await readAll(files));
    assert.deepEqual(ignored(plan!), {
      'Sales_LOG_003.trn': 'truncated',
      'notes.txt': 'not-a-backup',
      'both.bak': 'multiple-backup-sets',
    });
    assert.equal(plan!.ready, true);
    assert.deepEqual(planNames(plan!), ['Sales_FULL.bak', 'Sales_LOG_001.trn', 'Sales_LOG_002.trn']);
  });

  test('backups without checksums: a warning, not a blocker', async () => {
    const [plan] = planRestores(await readAll(inFolder('Sales', sampleChain({ databaseName: 'Sales', logs: 1, hasChecksums: false }))));
    assert.equal(plan!.ready, true);
    assert.match(plan!.warnings.join(), /no checksum: all 2 backups in the plan were taken without WITH CHECKSUM/);
  });
});
