import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { sampleChain, writeChain } from '../../../sandbox/backups/sampleChain';
import { sqlmig } from '../../support/cli';
import { real, realOnly } from '../../support/realBackups';
import { tempDir } from '../../support/tmp';

const root = tempDir();
const sales = join(root, 'Sales');
const inventory = join(root, 'Inventory');

describe('sqlmig backups scan', () => {
  test('setup: a ready folder and a broken one', async () => {
    await writeChain(sales, sampleChain({ databaseName: 'Sales', logs: 3, differentialAfterLog: 1 }));
    const inv = sampleChain({ databaseName: 'Inventory', logs: 3, vlf: 50 }).filter((f) => !f.fileName.endsWith('LOG_002.trn'));
    await writeChain(inventory, inv);
    writeFileSync(join(inventory, 'notes.txt'), 'hello');
  });

  test('--json prints exactly one JSON document in the documented shape', async () => {
    const r = await sqlmig(['backups', 'scan', sales, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(doc), ['files', 'databases']);
    assert.equal(doc.files.length, 5);
    const full = doc.files.find((f: { path: string }) => f.path.endsWith('Sales_FULL.bak'));
    assert.equal(full.verdict, 'backup');
    for (const key of ['databaseName', 'serverName', 'backupType', 'firstLsn', 'lastLsn', 'checkpointLsn', 'databaseBackupLsn', 'backupSetId',
      'mediaSetId', 'familyCount', 'familySequenceNumber', 'backupStartDate', 'backupFinishDate', 'hasChecksums', 'softwareVersion',
      'databaseVersion', 'compatibilityLevel', 'recoveryModel', 'files']) {
      assert.ok(key in full.header, `header.${key}`);
    }
    assert.equal(full.header.backupType, 'Database');
    assert.match(full.header.firstLsn, /^\d+$/);
    assert.match(full.header.backupStartDate, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
    assert.deepEqual(Object.keys(full.header.files[0]).slice(0, 4), ['logicalName', 'physicalName', 'type', 'fileId']);
    const diff = doc.files.find((f: { path: string }) => f.path.endsWith('DIFF_001.bak'));
    assert.equal(diff.header.backupType, 'DifferentialDatabase');
    assert.match(diff.header.differentialBaseLsn, /^\d+$/);
    const [db] = doc.databases;
    assert.equal(db.name, 'Sales');
    assert.equal(db.ready, true);
    assert.deepEqual(db.plan.map((s: { backupType: string }) => s.backupType), ['Database', 'DifferentialDatabase', 'TransactionLog', 'TransactionLog']);
    assert.deepEqual(Object.keys(db.plan[0]).filter((k) => ['backupSetId', 'backupType', 'firstLsn', 'lastLsn', 'files'].includes(k)).length, 5);
    assert.deepEqual(db.ignored, [{ path: join(sales, 'Sales_LOG_001.trn'), code: 'superseded', reason: db.ignored[0].reason }]);
    assert.deepEqual(db.problems, []);
  });

  test('exit code 1 when a database is not ready; the table says why', async () => {
    const r = await sqlmig(['backups', 'scan', root], {}, root);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /Inventory on SQLSRC01, FULL recovery: NOT READY/);
    assert.match(r.stdout, /Sales on SQLSRC01, FULL recovery: READY/);
    assert.match(r.stdout, /Problem: LSN gap/);
    assert.match(r.stdout, /Inventory\/notes\.txt +not a SQL Server backup/);
    assert.match(r.stdout, /#\s+Type\s+First LSN\s+Last LSN\s+Finished\s+File/);
  });

  test('--database picks one; a name that is not there is a "no" with the names found', async () => {
    assert.equal((await sqlmig(['backups', 'scan', root, '--database', 'sales'])).code, 0);
    const missing = await sqlmig(['backups', 'scan', root, '--database', 'Payroll', '--json']);
    assert.equal(missing.code, 1);
    assert.match(JSON.parse(missing.stdout).databases[0].problems[0], /found: Inventory, Sales/);
  });

  test('--stop-at cuts the plan; a bad --stop-at is a usage error', async () => {
    const r = await sqlmig(['backups', 'scan', sales, '--stop-at', '2026-11-01T09:04:00Z', '--json']);
    assert.equal(r.code, 0);
    assert.deepEqual(JSON.parse(r.stdout).databases[0].plan.map((s: { backupType: string }) => s.backupType), ['Database', 'TransactionLog']);
    const bad = await sqlmig(['backups', 'scan', sales, '--stop-at', 'noon']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--stop-at wants an ISO 8601 date/);
  });

  test('usage errors exit 2 and say what to do', async () => {
    const none = await sqlmig(['backups', 'scan']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /name at least one backup file or folder/);
    const unknown = await sqlmig(['backups', 'scan', sales, '--frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Unknown option '--frobnicate'[\s\S]*sqlmig help backups scan/);
    const nothing = await sqlmig(['backups', 'frob']);
    assert.equal(nothing.code, 2);
    assert.match(nothing.stderr, /unknown command "backups frob"[\s\S]*backups scan/);
  });

  test('help: the overview, a command, and --help', async () => {
    const overview = await sqlmig(['help']);
    assert.equal(overview.code, 0);
    assert.match(overview.stdout, /backups scan +Read backup headers/);
    const one = await sqlmig(['help', 'backups', 'scan']);
    assert.match(one.stdout, /Usage: sqlmig backups scan <path>\.\.\./);
    assert.match(one.stdout, /Exit code: 0 when every database/);
    assert.equal((await sqlmig(['backups', 'scan', '--help'])).stdout, one.stdout);
  });

  test('a missing path is reported, not thrown', async () => {
    const r = await sqlmig(['backups', 'scan', join(root, 'nope'), '--json']);
    assert.equal(r.code, 1);
    assert.equal(JSON.parse(r.stdout).files[0].verdict, 'unreadable');
  });

  test('the real corpus through the CLI: RestoreTimeClean is ready', realOnly, async () => {
    const r = await sqlmig(['backups', 'scan', real('RestoreTimeClean'), '--json']);
    assert.equal(r.code, 0);
    const doc = JSON.parse(r.stdout);
    assert.equal(doc.databases[0].restoresTo.lsn, '25000000022000001');
    assert.equal(doc.files.length, 8);
  });

  test('the built sqlmig binary runs', { skip: existsSync('dist/cli.js') ? false : 'dist/cli.js not built (npm test builds it)' }, () => {
    const r = spawnSync(process.execPath, [resolve('dist/cli.js'), 'backups', 'scan', sales, '--json'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).databases[0].ready, true);
    const v = spawnSync(process.execPath, [resolve('dist/cli.js'), '--version'], { encoding: 'utf8' });
    assert.match(v.stdout.trim(), /^\d+\.\d+\.\d+$/);
  });
});
