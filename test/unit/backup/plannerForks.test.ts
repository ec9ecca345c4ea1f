/**
 * Recovery forks and continued chains: the planner follows a database across a restore WITH
 * RECOVERY, leaves out what the restore abandoned, and, once a chain is under way, never re-bases it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatLsn, planRestores, type DatabasePlan } from '../../../src/core/backup';
import { forkedChain, sampleChain } from '../../../sandbox/backups/sampleChain';
import { inFolder, names, readAll } from '../../support/synthetic';

const planNames = (p: DatabasePlan) => p.plan.map((s) => names(s.files).join('+'));
const ignored = (p: DatabasePlan) => Object.fromEntries(p.ignored.map((i) => [names([i.path])[0], i.code]));

describe('recovery forks', () => {
  test('full; restore WITH RECOVERY; differential and logs on the new fork: full + differential + logs', async () => {
    const chain = forkedChain({ databaseName: 'Sales', logs: 2 });
    const readings = await readAll(inFolder('Sales', chain));
    const spanning = readings.find((r) => r.path.endsWith('LOG_B1.trn'))!.header!;
    assert.equal(spanning.firstRecoveryForkId, chain[0]!.spec.familyGuid, 'the first log after the restore starts on the old fork');
    assert.equal(spanning.recoveryForkId, chain[1]!.spec.recoveryForkId);
    assert.equal(spanning.forkPointLsn, chain[0]!.spec.lastLsn);
    const plans = planRestores(readings);
    assert.equal(plans.length, 1);
    const [plan] = plans;
    assert.deepEqual(plan!.problems, []);
    assert.equal(plan!.ready, true);
    assert.deepEqual(planNames(plan!), ['Sales_FULL.bak', 'Sales_DIFF_B.bak', 'Sales_LOG_B1.trn', 'Sales_LOG_B2.trn']);
    assert.equal(plan!.recoveryForkId, chain[1]!.spec.recoveryForkId);
  });

  test('a log of the old fork taken before the restore is left out: its records past the fork point were abandoned', async () => {
    const chain = forkedChain({ databaseName: 'Sales', logs: 2, differential: false, abandonedLog: true });
    const [plan] = planRestores(await readAll(inFolder('Sales', chain)));
    assert.equal(plan!.ready, true, plan!.problems.join('\n'));
    assert.deepEqual(planNames(plan!), ['Sales_FULL.bak', 'Sales_LOG_B1.trn', 'Sales_LOG_B2.trn']);
    assert.deepEqual(ignored(plan!), { 'Sales_LOG_A1.trn': 'other-fork' });
    const reason = plan!.ignored[0]!.reason;
    assert.match(reason, new RegExp(`past LSN ${formatLsn(chain[0]!.spec.lastLsn)}.*restored WITH RECOVERY`));
  });

  test('a chain that really breaks at the fork is refused with the LSNs', async () => {
    const chain = forkedChain({ databaseName: 'Sales', logs: 3, differential: false }).filter((f) => !f.fileName.includes('LOG_B1'));
    const [plan] = planRestores(await readAll(inFolder('Sales', chain)));
    assert.equal(plan!.ready, false);
    assert.deepEqual(planNames(plan!), ['Sales_FULL.bak']);
    assert.equal(plan!.problemDetails[0]!.code, 'lsn-gap');
    assert.match(plan!.problems[0]!, new RegExp(`LSN gap: no usable log backup covers LSN ${formatLsn(chain[0]!.spec.lastLsn)} to `));
  });

  test('the old fork went on after the restore (a restored copy elsewhere): two branches, each planned on its own', async () => {
    const chain = forkedChain({ databaseName: 'Sales', logs: 1, differential: false, oldForkContinues: true });
    const plans = planRestores(await readAll(inFolder('Sales', chain)));
    assert.equal(plans.length, 2);
    const byTip = new Map(plans.map((p) => [p.recoveryForkId, p]));
    const original = byTip.get(chain[0]!.spec.familyGuid)!;
    const copy = byTip.get(chain[1]!.spec.recoveryForkId!)!;
    assert.deepEqual(planNames(original), ['Sales_FULL.bak', 'Sales_LOG_A2.trn']);
    assert.deepEqual(planNames(copy), ['Sales_FULL.bak', 'Sales_LOG_B1.trn']);
    assert.equal(ignored(original)['Sales_LOG_B1.trn'], 'other-fork');
    assert.equal(ignored(copy)['Sales_LOG_A2.trn'], 'other-fork');
  });
});

describe('a chain under way is continued, never re-based', () => {
  // full1, log1 went up and restoring began; then log2, a new full2 and log3 appeared (log3 continues log2).
  async function grown() {
    const first = sampleChain({ databaseName: 'Sales', logs: 3 });
    const [full1, log1, log2, log3] = first;
    const full2spec = { ...full1!.spec, backupSetId: 'F2F2F2F2-0000-4000-8000-000000000002', firstLsn: log2!.spec.lastLsn, checkpointLsn: log2!.spec.lastLsn, lastLsn: log2!.spec.lastLsn + 500n, start: new Date(log2!.spec.start.getTime() + 60_000) };
    const { writeSyntheticBackup } = await import('../../../sandbox/backups/syntheticBackup');
    const full2 = { fileName: 'Sales_FULL2.bak', bytes: writeSyntheticBackup(full2spec), spec: full2spec };
    return { full1: full1!, log1: log1!, log2: log2!, log3: log3!, full2 };
  }

  test('without an anchor, the newest full wins and the logs before it are superseded (the hazard)', async () => {
    const g = await grown();
    const [plan] = planRestores(await readAll(inFolder('Sales', [g.full1, g.log1, g.log2, g.full2, g.log3])));
    assert.deepEqual(planNames(plan!), ['Sales_FULL2.bak', 'Sales_LOG_003.trn']);
  });

  test('with the chain in the location as anchor: every log that continues it is kept, the newer full is left out', async () => {
    const g = await grown();
    const anchor = { familyGuid: g.full1.spec.familyGuid, fullBackupSetId: g.full1.spec.backupSetId!, reachedLsn: g.log1.spec.lastLsn, where: 'the blob folder Sales/' };
    const [plan] = planRestores(await readAll(inFolder('Sales', [g.full1, g.log1, g.log2, g.full2, g.log3])), { continueChain: anchor });
    assert.equal(plan!.ready, true, plan!.problems.join('\n'));
    assert.deepEqual(planNames(plan!), ['Sales_LOG_002.trn', 'Sales_LOG_003.trn']);
    assert.deepEqual(ignored(plan!), { 'Sales_FULL.bak': 'in-chain', 'Sales_LOG_001.trn': 'in-chain', 'Sales_FULL2.bak': 'newer-full' });
    assert.match(plan!.ignored.find((i) => i.code === 'newer-full')!.reason, /a restore under way never changes its base/);
    assert.equal(plan!.restoresTo!.lsn, g.log3.spec.lastLsn);
  });

  test('the local folder no longer holds the full or the old logs: the chain still continues from the anchor', async () => {
    const g = await grown();
    const anchor = { familyGuid: g.full1.spec.familyGuid, fullBackupSetId: g.full1.spec.backupSetId!, reachedLsn: g.log2.spec.lastLsn, where: 'the restore' };
    const [plan] = planRestores(await readAll(inFolder('Sales', [g.log3])), { continueChain: anchor });
    assert.equal(plan!.ready, true, plan!.problems.join('\n'));
    assert.deepEqual(planNames(plan!), ['Sales_LOG_003.trn']);
  });

  test('nothing new continues the chain: ready, nothing to send; a log past a gap is still refused', async () => {
    const g = await grown();
    const anchor = { familyGuid: g.full1.spec.familyGuid, fullBackupSetId: g.full1.spec.backupSetId!, reachedLsn: g.log1.spec.lastLsn, where: 'the blob folder Sales/' };
    const [same] = planRestores(await readAll(inFolder('Sales', [g.full1, g.log1])), { continueChain: anchor });
    assert.equal(same!.ready, true);
    assert.deepEqual(same!.plan, []);
    const [gap] = planRestores(await readAll(inFolder('Sales', [g.full1, g.log1, g.log3])), { continueChain: anchor });
    assert.equal(gap!.ready, false);
    assert.equal(gap!.problemDetails[0]!.code, 'lsn-gap');
  });

  test('a differential on the chain\'s full is used only where the logs alone do not reach', async () => {
    const chain = sampleChain({ databaseName: 'Sales', logs: 4, differentialAfterLog: 2 });
    const full = chain.find((f) => f.fileName === 'Sales_FULL.bak')!;
    const anchor = { familyGuid: full.spec.familyGuid, fullBackupSetId: full.spec.backupSetId!, reachedLsn: full.spec.lastLsn, where: 'the restore' };
    const [withLogs] = planRestores(await readAll(inFolder('Sales', chain)), { continueChain: anchor });
    assert.deepEqual(planNames(withLogs!), ['Sales_LOG_001.trn', 'Sales_LOG_002.trn', 'Sales_LOG_003.trn', 'Sales_LOG_004.trn']);
    assert.equal(ignored(withLogs!)['Sales_DIFF_002.bak'], 'superseded');
    const withoutEarlyLogs = chain.filter((f) => !/LOG_00[12]/.test(f.fileName));
    const [bridged] = planRestores(await readAll(inFolder('Sales', withoutEarlyLogs)), { continueChain: anchor });
    assert.equal(bridged!.ready, true, bridged!.problems.join('\n'));
    assert.deepEqual(planNames(bridged!), ['Sales_DIFF_002.bak', 'Sales_LOG_003.trn', 'Sales_LOG_004.trn']);
  });
});
