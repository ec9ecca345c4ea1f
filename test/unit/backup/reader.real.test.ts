import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FileSource, formatIsoWithOffset, listFiles, readBackup, readBackupFile } from '../../../src/core/backup';
import { real, REAL_BACKUPS, realOnly } from '../../support/realBackups';

describe('backup reader on real SQL Server backups', () => {
  test('every file decodes, and the fast path agrees with the full block walk', realOnly, async () => {
    const files = await listFiles([REAL_BACKUPS]);
    assert.ok(files.length >= 50, `${files.length} files`);
    for (const path of files) {
      const fast = await readBackupFile(path);
      const source = await FileSource.open(path);
      const walked = await readBackup(source, { walk: true });
      await source.close();
      assert.deepEqual(walked, fast, path);
      assert.equal(fast.compressed, path.includes('/compressed/') ? true : undefined, path);
      assert.ok(fast.verdict === 'backup' || fast.verdict === 'stripe', `${path}: ${fast.verdict} ${fast.reason ?? ''}`);
      const h = fast.header!;
      assert.ok(h.firstLsn <= h.lastLsn, path);
      assert.ok(h.backupFinishDate && h.backupFinishDate >= h.backupStartDate, path);
      assert.ok(h.files.length >= 2 && h.files.some((f) => f.type === 'L') && h.files.some((f) => f.type === 'D'), path);
      assert.match(h.softwareVersion, /^(10\.50|13\.0)\.\d+$/, path);
    }
  });

  test('a log backup: the LSNs, names and dates RESTORE HEADERONLY shows', realOnly, async () => {
    const r = await readBackupFile(real('RestoreTimeClean', 'RestoreTimeClean_1.trn'));
    const h = r.header!;
    assert.equal(r.verdict, 'backup');
    assert.equal(h.databaseName, 'RestoreTimeClean');
    assert.equal(h.serverName, 'SQL2008');
    assert.equal(h.machineName, 'SQL2008');
    assert.equal(h.backupType, 'TransactionLog');
    assert.equal(h.firstLsn, 25000000006200170n);
    assert.equal(h.lastLsn, 25000000015300001n);
    assert.equal(h.databaseBackupLsn, 25000000006200170n);
    assert.equal(h.softwareVersion, '10.50.1600');
    assert.equal(h.databaseVersion, 661);
    assert.equal(h.compatibilityLevel, 100);
    assert.equal(h.recoveryModel, 'FULL');
    assert.equal(h.hasChecksums, false);
    assert.equal(h.utcOffsetMinutes, 120);
    assert.equal(formatIsoWithOffset(h.backupStartDate, h.utcOffsetMinutes), '2017-06-01T13:04:13+02:00');
    assert.equal(h.backupStartDate.toISOString(), '2017-06-01T11:04:13.000Z');
    assert.equal(h.familyCount, 1);
    assert.deepEqual(h.files.map((f) => [f.logicalName, f.type]), [['RestoreTimeClean', 'D'], ['RestoreTimeClean_log', 'L']]);
  });

  test('a differential names its base full backup', realOnly, async () => {
    const full = (await readBackupFile(real('DoubleDiffing', 'difftest-full.bak'))).header!;
    for (const name of ['difftest-diff1.bak', 'difftest-diff2.bak']) {
      const diff = (await readBackupFile(real('DoubleDiffing', name))).header!;
      assert.equal(diff.backupType, 'DifferentialDatabase');
      assert.equal(diff.differentialBaseGuid, full.backupSetId);
      assert.equal(diff.differentialBaseLsn, full.checkpointLsn);
      assert.equal(diff.familyGuid, full.familyGuid);
    }
  });

  test('the two stripes of a striped set share the set and media set, one family each', realOnly, async () => {
    const a = (await readBackupFile(real('sql2008-backups', 'RestoreTimeStripe', 'Stripe1', 'RestoreTimeStripe.bak'))).header!;
    const b = (await readBackupFile(real('sql2008-backups', 'RestoreTimeStripe', 'Stripe2', 'RestoreTimeStripe1.bak'))).header!;
    assert.equal(a.backupSetId, b.backupSetId);
    assert.equal(a.mediaSetId, b.mediaSetId);
    assert.deepEqual([a.familyCount, a.familySequenceNumber, b.familyCount, b.familySequenceNumber], [2, 1, 2, 2]);
    assert.notEqual(a.mediaFamilyId, b.mediaFamilyId);
  });

  test('recovery models: SIMPLE where the database had it', realOnly, async () => {
    assert.equal((await readBackupFile(real('detachattach', 'detachattach.bak'))).header!.recoveryModel, 'SIMPLE');
    assert.equal((await readBackupFile(real('singlerestore', 'testlastbackup.bak'))).header!.recoveryModel, 'SIMPLE');
    assert.equal((await readBackupFile(real('singlerestore', 'singlerestore.bak'))).header!.recoveryModel, 'FULL');
  });

  test('the real compressed backup reads like any other, marked compressed', realOnly, async () => {
    const r = await readBackupFile(real('compressed', 'TutorialDB.bak'));
    assert.equal(r.verdict, 'backup', r.reason);
    assert.equal(r.compressed, true);
    assert.equal(r.header!.compressed, true);
    assert.equal(r.header!.databaseName, 'TutorialDB');
  });
});
