import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseStopAt, planRestores, scanPaths, type DatabasePlan } from '../../../src/core/backup';
import { real, realOnly } from '../../support/realBackups';
import { names } from '../../support/synthetic';

const steps = (p: DatabasePlan) => p.plan.map((s) => names(s.files).join('+'));
const left = (p: DatabasePlan) => Object.fromEntries(p.ignored.map((i) => [names([i.path])[0], i.code]));
const plan = async (folders: string[][], options = {}) => planRestores(await scanPaths(folders.map((f) => real(...f))), options);

describe('restore plans for the real backup folders', () => {
  test('RestoreTimeClean: full, the differential, then the three logs after it', realOnly, async () => {
    const [p] = await plan([['RestoreTimeClean']]);
    assert.equal(p!.name, 'RestoreTimeClean');
    assert.equal(p!.ready, true);
    assert.deepEqual(steps(p!), ['RestoreTimeClean.bak', 'RestoreTimeClean2.bak', 'RestoreTimeClean2_1.trn', 'RestoreTimeClean2_2.trn', 'RestoreTimeClean2_3.trn']);
    assert.deepEqual(left(p!), { 'RestoreTimeClean_1.trn': 'superseded', 'RestoreTimeClean_2.trn': 'superseded', 'RestoreTimeClean_3.trn': 'superseded' });
    assert.equal(p!.restoresTo!.lsn, 25000000022000001n);
    assert.match(p!.warnings.join(), /no checksum/);
  });

  test('RestoreTimeClean to a point in time: before the differential, the log chain from the full', realOnly, async () => {
    const [early] = await plan([['RestoreTimeClean']], { stopAt: parseStopAt('2017-06-01T13:10:00') });
    assert.deepEqual(steps(early!), ['RestoreTimeClean.bak', 'RestoreTimeClean_1.trn', 'RestoreTimeClean_2.trn', 'RestoreTimeClean_3.trn']);
    assert.equal(left(early!)['RestoreTimeClean2.bak'], 'after-stop-at');
    const [later] = await plan([['RestoreTimeClean']], { stopAt: parseStopAt('2017-06-01T11:22:00Z') });
    assert.deepEqual(steps(later!), ['RestoreTimeClean.bak', 'RestoreTimeClean2.bak', 'RestoreTimeClean2_1.trn', 'RestoreTimeClean2_2.trn']);
    assert.equal(left(later!)['RestoreTimeClean2_3.trn'], 'after-stop-at');
  });

  test('DoubleDiffing: the later of two differentials on one full', realOnly, async () => {
    const [p] = await plan([['DoubleDiffing']]);
    assert.deepEqual(steps(p!), ['difftest-full.bak', 'difftest-diff2.bak']);
    assert.deepEqual(left(p!), { 'difftest-diff1.bak': 'superseded' });
    assert.equal(p!.ready, true);
  });

  test('OlaMsFilter/Simple: the second full and the log after it', realOnly, async () => {
    const [p] = await plan([['OlaMsFilter', 'Simple']]);
    assert.equal(p!.name, 'OlaMsFilterTest');
    assert.deepEqual(steps(p!), ['test_FULL_20160629_141320.bak', 'test_LOG_20160629_141330.trn']);
    assert.deepEqual(left(p!), { 'test_FULL_20160629_141300.bak': 'superseded', 'test_LOG_20160629_141310.trn': 'superseded' });
  });

  test('OlaMsFilter/complex: latest full, latest differential on it, and the empty log that ends the chain', realOnly, async () => {
    const [p] = await plan([['OlaMsFilter', 'complex']]);
    assert.deepEqual(steps(p!), ['test_FULL_20160629_142200.bak', 'test_DIFF_20160629_142800.bak', 'test_LOG_20160629_143000.trn']);
    assert.equal(p!.plan[2]!.empty, true);
    assert.equal(p!.ignored.length, 15);
    assert.ok(p!.ignored.every((i) => i.code === 'superseded'));
    assert.match(p!.ignored.find((i) => i.path.endsWith('test_DIFF_20160629_141600.bak'))!.reason, /based on the older full backup test_FULL_20160629_141300\.bak/);
  });

  test('both OlaMsFilter folders: two incarnations of OlaMsFilterTest, planned apart', realOnly, async () => {
    const plans = await plan([['OlaMsFilter']]);
    assert.equal(plans.length, 2);
    assert.ok(plans.every((p) => p.name === 'OlaMsFilterTest' && p.ready));
    assert.notEqual(plans[0]!.familyGuid, plans[1]!.familyGuid);
    assert.deepEqual(plans.map((p) => p.plan.length).sort(), [2, 3]);
  });

  test('RestoreTimeStripe with both stripe folders: every set restored from its two stripes', realOnly, async () => {
    const [p] = await plan([['sql2008-backups', 'RestoreTimeStripe', 'Stripe1'], ['sql2008-backups', 'RestoreTimeStripe', 'Stripe2']]);
    assert.equal(p!.ready, true);
    assert.deepEqual(steps(p!), [
      'RestoreTimeStripe2.bak+RestoreTimeStripe2a.bak',
      'restoretime_21.trn+restoretime_21a.trn',
      'RestoreTimeStripe_22.trn+RestoreTimeStripe_22a.trn',
      'RestoreTimeStripe_23.trn+RestoreTimeStripe_23a.trn',
    ]);
    assert.equal(p!.restoresTo!.lsn, 20000000024300001n);
    assert.equal(p!.ignored.length, 8);
  });

  test('RestoreTimeStripe with one stripe folder: every file misses stripe 2 of 2', realOnly, async () => {
    const [p] = await plan([['sql2008-backups', 'RestoreTimeStripe', 'Stripe1']]);
    assert.equal(p!.ready, false);
    assert.deepEqual(p!.plan, []);
    assert.equal(p!.ignored.length, 8);
    assert.ok(p!.ignored.every((i) => i.code === 'missing-stripe' && /missing stripe 2 of 2/.test(i.reason)));
    assert.match(p!.problems.join('\n'), /no complete full backup of RestoreTimeStripe/);
  });

  test('singlerestore: two databases in one folder, each with its full backup', realOnly, async () => {
    const plans = await plan([['singlerestore']], { mode: 'offline' });
    assert.deepEqual(plans.map((p) => [p.name, steps(p), p.ready]), [
      ['singlerestore', ['singlerestore.bak'], true],
      ['testlastbackup', ['testlastbackup.bak'], true],
    ]);
    assert.ok(plans.every((p) => p.ignored.length === 1 && p.ignored[0]!.code === 'other-database'));
    const online = await plan([['singlerestore']]);
    assert.deepEqual(online.map((p) => p.ready), [true, false]);
    assert.match(online[1]!.problems.join(), /SIMPLE recovery model/);
  });
});
