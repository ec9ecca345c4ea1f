import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { DmsClient } from '../../../src/core/azure';
import { PlanError, startMigrations, toDmsRequest, validatePlan, type MigrationPlanInput } from '../../../src/core/migration';
import { ScriptedHttp, testContext } from '../azure/scriptedHttp';
import { DMS_ID, MI_ID, SA_ID } from './fixtures';

const password = randomBytes(12).toString('base64');
const accountKey = randomBytes(32).toString('base64');

function input(over: Partial<MigrationPlanInput> = {}): MigrationPlanInput {
  return {
    source: { dataSource: 'SQLSRC01', authentication: 'SqlAuthentication', userName: 'migrator', password },
    targetInstanceId: MI_ID,
    migrationServiceId: DMS_ID,
    mode: 'online',
    backup: { kind: 'blob', storageAccountId: SA_ID, accountKey, container: 'migration' },
    databases: [{ source: 'Sales' }, { source: 'Inventory', target: 'Stock' }],
    ...over,
  };
}

function problems(over: Partial<MigrationPlanInput>): string[] {
  try {
    validatePlan(input(over));
  } catch (e) {
    assert.ok(e instanceof PlanError);
    return e.problems;
  }
  return [];
}

test('a blob plan: one folder per database, one request per database, secrets listed', () => {
  const plan = validatePlan(input());
  assert.deepEqual(plan.planned.map((d) => [d.source, d.target, d.folder]), [['Sales', 'Sales', 'Sales'], ['Inventory', 'Stock', 'Inventory']]);
  const req = toDmsRequest(plan, plan.planned[1]!);
  assert.deepEqual(req.ref, { subscriptionId: plan.target.subscriptionId, resourceGroup: 'rg', managedInstance: 'mi1', targetDatabase: 'Stock' });
  const p = req.body.properties!;
  assert.equal(p.kind, 'SqlMi');
  assert.equal(p.scope, MI_ID);
  assert.equal(p.migrationService, DMS_ID);
  assert.equal(p.sourceDatabaseName, 'Inventory');
  assert.deepEqual(p.backupConfiguration, {
    sourceLocation: { azureBlob: { authType: 'AccountKey', storageAccountResourceId: SA_ID, accountKey, blobContainerName: 'migration/Inventory' } },
  });
  assert.deepEqual(p.offlineConfiguration, { offline: false });
  assert.deepEqual(req.secrets.sort(), [password, accountKey].sort());
  assert.equal(plan.planned[1]!.migrationId, `${MI_ID}/providers/Microsoft.DataMigration/databaseMigrations/Stock`);
});

test('a share plan sends the share and the storage account the runtime uploads to', () => {
  const sharePassword = randomBytes(9).toString('hex');
  const plan = validatePlan(input({ mode: 'offline', backup: { kind: 'share', path: '\\\\fs01.corp.local\\backups', userName: 'CORP\\svc', password: sharePassword, storageAccountId: SA_ID, accountKey } }));
  const req = toDmsRequest(plan, plan.planned[0]!);
  assert.deepEqual(req.body.properties!.backupConfiguration, {
    sourceLocation: { fileShare: { path: '\\\\fs01.corp.local\\backups', username: 'CORP\\svc', password: sharePassword } },
    targetLocation: { storageAccountResourceId: SA_ID, accountKey },
  });
  assert.deepEqual(req.body.properties!.offlineConfiguration, { offline: true });
  assert.ok(req.secrets.includes(sharePassword));
});

test('every problem is reported at once', () => {
  const found = problems({
    targetInstanceId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/x',
    mode: 'offline',
    backup: { kind: 'blob', storageAccountId: SA_ID, accountKey: '', container: 'backup' },
    databases: [{ source: 'Sales', folder: 'shared' }, { source: 'Sales' }, { source: 'HR', target: 'sales', folder: 'shared' }, { source: 'Pay', target: 'a/b', lastBackupName: 'x/y.trn' }],
    existingTargetDatabases: ['HRArchive', 'PAY'],
  });
  const text = found.join('\n');
  for (const want of [
    /target managed instance must be a Microsoft.Sql\/managedInstances resource id/,
    /storage account key is empty/,
    /"backup" is reserved/,
    /source database Sales is listed twice/,
    /would both be restored as sales/i,
    /would share the blob folder "shared"/,
    /needs the last backup file name/,
    /Pay: the target database name "a\/b" has "\/", which a migration's resource name cannot hold/,
    /last backup name is a file name, not a path/,
  ]) assert.match(text, want);
});

test('names already on the instance, share formats, online with a last backup, Windows logins', () => {
  assert.match(problems({ existingTargetDatabases: ['SALES'] }).join('\n'), /a database named Sales already exists on the target instance/);
  const share = problems({ backup: { kind: 'share', path: 'C:\\backups', userName: 'svc', password: '', storageAccountId: SA_ID, accountKey } }).join('\n');
  assert.match(share, /not a network path such as/);
  assert.match(share, /DOMAIN\\user/);
  assert.match(share, /share password is empty/);
  assert.match(problems({ databases: [{ source: 'Sales', lastBackupName: 'Sales_LOG_003.trn' }] }).join('\n'), /only for offline migrations/);
  assert.match(problems({ source: { dataSource: 'S', authentication: 'WindowsAuthentication', userName: 'bob', password: 'x' } }).join('\n'), /DOMAIN\\user/);
  assert.match(problems({ backup: { kind: 'upload', storageAccountId: SA_ID, accountKey, container: 'migration' } }).join('\n'), /upload mode needs the local folder/);
  assert.match(problems({ databases: [] }).join('\n'), /no database was chosen/);
});

test('the PlanError message lists the problems and never the secrets', () => {
  try {
    validatePlan(input({ databases: [{ source: 'Sales' }, { source: 'Sales' }] }));
    assert.fail('should throw');
  } catch (e) {
    assert.match((e as Error).message, /^the migration plan has a problem:\n {2}- source database Sales is listed twice/);
    assert.doesNotMatch((e as Error).message, new RegExp(password.replace(/[+/=]/g, '.')));
  }
});

test('start: N databases with bounded concurrency, a result for each, one failure does not stop the rest', async () => {
  const dbs = Array.from({ length: 10 }, (_, i) => ({ source: `Db${i}` }));
  let inFlight = 0;
  let peak = 0;
  const http = new ScriptedHttp().on('PUT', /\/databaseMigrations\/Db\d$/, (req) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    setTimeout(() => inFlight--, 5);
    const name = req.url.pathname.split('/').pop()!;
    if (name === 'Db3') return { status: 400, body: { error: { code: 'InvalidParameterValue', message: `bad key ${accountKey}` } } };
    return { status: 201, body: { id: req.url.pathname, properties: { kind: 'SqlMi', provisioningState: 'Succeeded', migrationStatus: 'InProgress', migrationOperationId: `op-${name}` } } };
  });
  // Each PUT resolves synchronously in the scripted client, so hold them to observe concurrency.
  const slow = { ...http, sendRequest: async (r: Parameters<ScriptedHttp['sendRequest']>[0]) => { const res = await http.sendRequest(r); await new Promise((ok) => setTimeout(ok, 10)); inFlight--; return res; } };
  const dms = new DmsClient({ ...testContext(http), httpClient: slow }, { pollIntervalMs: 1 });
  const seen: string[] = [];
  const results = await startMigrations(dms, validatePlan(input({ databases: dbs })), { concurrency: 3, onResult: (r) => seen.push(r.source) });
  assert.equal(results.length, 10);
  assert.equal(seen.length, 10);
  assert.ok(peak <= 3, `at most 3 at once, saw ${peak}`);
  assert.deepEqual(results.filter((r) => !r.ok).map((r) => r.source), ['Db3']);
  assert.match(results[3]!.error!, /InvalidParameterValue/);
  assert.doesNotMatch(results[3]!.error!, new RegExp(accountKey.replace(/[+/=]/g, '.')), 'the echoed key is cut out');
  assert.equal(results[0]!.migrationOperationId, 'op-Db0');
  assert.equal(results[0]!.status, 'InProgress');
});

test('the naming rules are the core\'s, the same the wizard shows: names the resource id cannot hold are refused', () => {
  for (const bad of ['Sales/2024', 'Sales.', 'Q&A', 'a#b', 'x:y']) {
    assert.ok(problems({ databases: [{ source: 'Sales', target: bad }] }).some((p) => p.startsWith(`Sales: the target database name "${bad}"`)), bad);
  }
  assert.ok(problems({ databases: Array.from({ length: 31 }, (_, i) => ({ source: `Db${i}` })), existingTargetDatabases: Array.from({ length: 70 }, (_, i) => `Old${i}`) }).some((p) => /31 databases beside the 70 already on the instance: a managed instance holds at most 100/.test(p)));
});
