/**
 * Nothing lost: scenarios through the sqlmig CLI against the sandbox where a backup could drop
 * out of a chain. A restarted upload never re-bases a chain under way; a plan with a problem
 * starts nothing; a chain across a recovery fork migrates whole.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { forkedChain, sampleChain, writeChain, type ChainFile } from '../../../sandbox/backups/sampleChain';
import { writeSyntheticBackup } from '../../../sandbox/backups/syntheticBackup';
import type { Sandbox } from '../../../sandbox/sandbox';
import { sqlmig } from '../../support/cli';
import { tempDir } from '../../support/tmp';
import { blobNames } from '../sandbox/support';
import { azure, Background, cliSandbox, fileState, migrationId, secrets, startArgs, status, waitFor } from './support';

let sb: Sandbox;
const root = tempDir();
before(async () => {
  sb = await cliSandbox();
});
after(() => sb?.stop());

const storage = () => ['--storage-account-id', sb.info.storageAccountId, ...azure(sb)];
const blobs = async (container: string, folder: string) => (await blobNames(sb, container, `${folder}/`)).map((n) => n.slice(folder.length + 1));
const put = (dir: string, ...files: ChainFile[]) => files.forEach((f) => writeFileSync(join(dir, f.fileName), f.bytes));

/** full1, log1 .. log3 of one chain, and a full2 taken between log2 and log3 (log3 continues log2). */
function grownChain(databaseName: string, vlf: number) {
  const [full1, log1, log2, log3] = sampleChain({ databaseName, logs: 3, vlf });
  const spec = { ...full1!.spec, backupSetId: undefined, firstLsn: log2!.spec.lastLsn, checkpointLsn: log2!.spec.lastLsn, lastLsn: log2!.spec.lastLsn + 500n, start: new Date(log2!.spec.start.getTime() + 60_000), finish: undefined };
  const full2: ChainFile = { fileName: `${databaseName}_FULL2.bak`, bytes: writeSyntheticBackup(spec), spec };
  return { full1: full1!, log1: log1!, log2: log2!, log3: log3!, full2 };
}

test('a chain under way is continued: re-running the upload and restarting the watch send every log, never the newer full; the cutover loses nothing', async () => {
  const dir = join(root, 'grown');
  const c = grownChain('Orders', 51);
  await writeChain(dir, [c.full1, c.log1]);
  const start = await sqlmig(startArgs(sb, 'grown', ['Orders'], ['--local', `Orders=${dir}`]), secrets());
  assert.equal(start.code, 0, start.stderr);
  await waitFor('log1 restored', async () => fileState(await status(sb, 'Orders'), c.log1.fileName) === 'Restored' || undefined);

  put(dir, c.log2, c.full2, c.log3);
  const again = await sqlmig(['backups', 'upload', dir, '--database', 'Orders', '--container', 'grown', ...storage()]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /continuing the chain already there/);
  assert.match(again.stdout, /upload {2}Orders\/Orders_LOG_002\.trn/);
  assert.match(again.stdout, /upload {2}Orders\/Orders_LOG_003\.trn/);
  assert.match(again.stdout, /skip {4}.*Orders_FULL2\.bak: a newer full backup, left out/);
  assert.deepEqual(await blobs('grown', 'Orders'), ['Orders_FULL.bak', 'Orders_LOG_001.trn', 'Orders_LOG_002.trn', 'Orders_LOG_003.trn']);

  // Restarting the watch finds nothing more to send, and still leaves the newer full out.
  const watch = new Background(['backups', 'upload', dir, '--watch', '--interval', '0.05', '--database', 'Orders', '--container', 'grown', ...storage()]);
  await watch.line(/continuing the chain already there/, 'the watch continues the chain');
  await watch.line(/Orders_FULL2\.bak: a newer full backup, left out/, 'the newer full is reported');
  const watched = await watch.stop();
  assert.doesNotMatch(watched.stdout, /upload {2}/, 'nothing is sent again');

  await waitFor('ReadyForCutover with log3 restored', async () => {
    const s = await status(sb, 'Orders');
    return (s.status === 'ReadyForCutover' && fileState(s, c.log3.fileName) === 'Restored') || undefined;
  });
  const cut = await sqlmig(['migrate', 'cutover', '--tail-log-taken', ...azure(sb), '--migration', migrationId(sb, 'Orders')]);
  assert.equal(cut.code, 0, cut.stdout + cut.stderr);
  await waitFor('Succeeded', async () => (await status(sb, 'Orders')).status === 'Succeeded' || undefined);
  const s = await status(sb, 'Orders');
  for (const f of [c.full1, c.log1, c.log2, c.log3]) assert.equal(fileState(s, f.fileName), 'Restored', f.fileName);
});

test('the sandbox service, once restoring, ignores a newer full: a log left out of the folder shows up as a gap', async () => {
  const dir = join(root, 'rebased');
  const c = grownChain('Stock', 53);
  await writeChain(dir, [c.full1, c.log1]);
  assert.equal((await sqlmig(startArgs(sb, 'rebased', ['Stock'], ['--local', `Stock=${dir}`]), secrets())).code, 0);
  await waitFor('log1 restored', async () => fileState(await status(sb, 'Stock'), c.log1.fileName) === 'Restored' || undefined);
  // What a re-based upload used to send: the new full and the log after it, without log2.
  put(dir, c.full2, c.log3);
  const rebased = await sqlmig(['backups', 'upload', join(dir, c.full2.fileName), join(dir, c.log3.fileName), '--database', 'Stock', '--container', 'rebased', '--new-base', ...storage()]);
  assert.equal(rebased.code, 0, rebased.stderr);
  const s = await waitFor('the gap reported', async () => {
    const st = await status(sb, 'Stock');
    return st.properties.migrationStatusDetails?.restoreBlockingReason ? st : undefined;
  });
  assert.match(s.properties.migrationStatusDetails.restoreBlockingReason, /LSN gap/);
  assert.equal(fileState(s, c.full2.fileName), 'Ignored');
  assert.match(s.files.find((f) => f.fileName === c.full2.fileName)!.reason!, /a restore under way never changes its base/);
  assert.notEqual(s.status, 'ReadyForCutover');
});

test('a plan with problems starts nothing: every problem printed, exit 2, no blob, no migration; an accepted gap starts', async () => {
  const simple = join(root, 'simple');
  await writeChain(simple, sampleChain({ databaseName: 'Simple', recoveryModel: 'SIMPLE', vlf: 55 }));
  const gappy = join(root, 'gappy');
  await writeChain(gappy, sampleChain({ databaseName: 'Gappy', logs: 3, vlf: 56 }).filter((f) => !f.fileName.includes('LOG_002')));
  const refused = await sqlmig(startArgs(sb, 'refused', ['Simple', 'Gappy'], ['--local', `Simple=${simple}`, '--local', `Gappy=${gappy}`]), secrets());
  assert.equal(refused.code, 2, refused.stdout + refused.stderr);
  assert.match(refused.stderr, /Nothing was uploaded or started: the backup chains have 2 problems/);
  assert.match(refused.stderr, /Simple: SIMPLE recovery model: the database makes no log backups, so an online migration is impossible/);
  assert.match(refused.stderr, /Gappy: LSN gap: no usable log backup covers LSN \d+ to \d+ .*\[lsn-gap: can be accepted with a reason\]/);
  assert.deepEqual(await blobs('refused', 'Simple'), []);
  assert.deepEqual(await blobs('refused', 'Gappy'), []);
  for (const db of ['Simple', 'Gappy']) {
    const st = await sqlmig(['migrate', 'status', ...azure(sb), '--migration', migrationId(sb, db)]);
    assert.notEqual(st.code, 0, `no migration ${db} was created`);
  }
  const noReason = await sqlmig(startArgs(sb, 'refused', ['Gappy'], ['--local', `Gappy=${gappy}`, '--accept', 'lsn-gap']), secrets());
  assert.equal(noReason.code, 2);
  assert.match(noReason.stderr, /--accept needs --reason/);
  const simpleAccepted = await sqlmig(startArgs(sb, 'refused', ['Simple'], ['--local', `Simple=${simple}`, '--accept', 'simple-recovery', '--reason', 'x']), secrets());
  assert.equal(simpleAccepted.code, 2);
  assert.match(simpleAccepted.stderr, /other problems cannot be accepted/);
  const accepted = await sqlmig(startArgs(sb, 'refused', ['Gappy'], ['--local', `Gappy=${gappy}`, '--accept', 'lsn-gap', '--reason', 'the missing log backup is being copied from the old server']), secrets());
  assert.equal(accepted.code, 0, accepted.stderr);
  assert.match(accepted.stderr, /accepted: lsn-gap \(the missing log backup is being copied from the old server\)/);
  assert.deepEqual(await blobs('refused', 'Gappy'), ['Gappy_FULL.bak', 'Gappy_LOG_001.trn']);
});

test('a chain across a recovery fork (full; restore WITH RECOVERY; differential and logs on the new fork) migrates as full + differential + logs', async () => {
  const dir = join(root, 'forked');
  const chain = forkedChain({ databaseName: 'Forked', logs: 2, abandonedLog: true, vlf: 57 });
  await writeChain(dir, chain);
  const start = await sqlmig(startArgs(sb, 'forked', ['Forked'], ['--local', `Forked=${dir}`]), secrets());
  assert.equal(start.code, 0, start.stderr);
  assert.match(start.stdout, /Forked: 4 backup file\(s\) uploaded/);
  assert.deepEqual(await blobs('forked', 'Forked'), ['Forked_DIFF_B.bak', 'Forked_FULL.bak', 'Forked_LOG_B1.trn', 'Forked_LOG_B2.trn']);
  await waitFor('ReadyForCutover', async () => (await status(sb, 'Forked')).status === 'ReadyForCutover' || undefined);
  const s = await status(sb, 'Forked');
  for (const f of ['Forked_FULL.bak', 'Forked_DIFF_B.bak', 'Forked_LOG_B1.trn', 'Forked_LOG_B2.trn']) assert.equal(fileState(s, f), 'Restored', f);
  const cut = await sqlmig(['migrate', 'cutover', '--tail-log-taken', ...azure(sb), '--migration', migrationId(sb, 'Forked')]);
  assert.equal(cut.code, 0, cut.stdout + cut.stderr);
});

test('compressed backups: a tail-log backup uploaded a moment ago blocks the cutover, named, before the service lists it; once restored, the cutover is reported when Succeeded', async () => {
  const dir = join(root, 'tail');
  const chain = sampleChain({ databaseName: 'Tail', logs: 2, vlf: 58, compressed: true }); // compressed: read by the service over ranged blob reads
  await writeChain(dir, chain.slice(0, 2));
  assert.equal((await sqlmig(startArgs(sb, 'tail', ['Tail'], ['--local', `Tail=${dir}`]), secrets())).code, 0);
  await waitFor('ReadyForCutover', async () => (await status(sb, 'Tail')).status === 'ReadyForCutover' || undefined);
  // The service looks at the folder only every few (simulated) minutes: almost never, at this speed.
  sb.setClockSpeed(0.01);
  put(dir, chain[2]!);
  const up = await sqlmig(['backups', 'upload', dir, '--database', 'Tail', '--container', 'tail', ...storage()]);
  assert.equal(up.code, 0, up.stderr);
  assert.equal(fileState(await status(sb, 'Tail'), chain[2]!.fileName), undefined, 'the service has not listed the tail log yet');
  const early = await sqlmig(['migrate', 'cutover', '--tail-log-taken', ...azure(sb), '--migration', migrationId(sb, 'Tail')]);
  assert.equal(early.code, 1, early.stdout + early.stderr);
  assert.match(early.stdout, /REFUSED Tail\n {2}- Tail_LOG_002\.trn in the blob folder tail\/Tail\/ continues the chain past the last restored LSN \d+/);
  sb.setClockSpeed(40);
  await waitFor('the tail log restored', async () => fileState(await status(sb, 'Tail'), chain[2]!.fileName) === 'Restored' || undefined);
  const cut = await sqlmig(['migrate', 'cutover', '--tail-log-taken', ...azure(sb), '--migration', migrationId(sb, 'Tail'), '--json']);
  assert.equal(cut.code, 0, cut.stdout + cut.stderr);
  const [result] = JSON.parse(cut.stdout).results;
  assert.equal(result.outcome, 'completed');
  assert.equal(result.status, 'Succeeded', 'reported done only once the service says Succeeded');
  assert.equal((await status(sb, 'Tail')).status, 'Succeeded');
});

test('a cutover is confirmed: without --tail-log-taken (and no terminal to ask) nothing is sent', async () => {
  const r = await sqlmig(['migrate', 'cutover', ...azure(sb), '--migration', migrationId(sb, 'Nobody')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--tail-log-taken/);
  const gone = await sqlmig(['migrate', 'cutover', '--tail-log-taken', '--force-reason', 'x', ...azure(sb), '--migration', migrationId(sb, 'Nobody')]);
  assert.equal(gone.code, 2);
  assert.match(gone.stderr, /each check has its own override now/);
});
