/**
 * Log Replay Service restores in the Migrations view: rows beside the migration service's under
 * the same headings, their files in the same states (with LRS's reasons), what the menus offer
 * (the core's rules), the host on the real feed with a scripted Microsoft.Sql (the list per
 * instance, restoreDetails only for what is shown in detail plus a sweep within ARM's budget),
 * the grouped notification, and the guarded Complete / Stop flow.
 */
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { test } from 'node:test';
import type { InstanceRef, ManagedDatabase, ManagedDatabaseRestoreDetails, RestoreRef } from '../../../src/core/azure/lrs/models';
import { LRS_TAGS } from '../../../src/core/azure/lrs/models';
import type { LrsMonitorSource } from '../../../src/core/migration/lrsMonitor';
import { lrsRestoreView, type LrsRestoreView } from '../../../src/core/migration/lrsStatus';
import { buildDashboard, type ViewNode } from '../../../src/extension/dashboard/model';
import { canComplete, canStop, isRestoreId, restoreRow } from '../../../src/extension/dashboard/lrsRows';
import { runRestoreAction, type RestoreFlowUi } from '../../../src/extension/dashboard/restoreFlow';
import { coreRules } from '../../../src/extension/dashboard/statusRules';
import type { RestoreOperations } from '../../../src/extension/services/restoreOperations';
import { migration, SERVICE_ID } from './fixtures';
import { fakeExtensionContext, installVscodeStub } from './vscodeStub';

const SUB = '00000000-1111-2222-3333-444444444444';
const MI: InstanceRef = { subscriptionId: SUB, resourceGroup: 'rg-sql', managedInstance: 'sqlmi-east' };
const MI_ID = `/subscriptions/${SUB}/resourceGroups/rg-sql/providers/Microsoft.Sql/managedInstances/sqlmi-east`;
const ref = (db: string): RestoreRef => ({ ...MI, targetDatabase: db });
const dbId = (db: string) => `${MI_ID}/databases/${db}`;

function database(name: string, status: string, mode: 'continuous' | 'autocomplete' = 'continuous'): ManagedDatabase {
  return { id: dbId(name), name, properties: { status, creationDate: new Date().toISOString() }, tags: { [LRS_TAGS.source]: name, [LRS_TAGS.mode]: mode, [LRS_TAGS.folder]: `lrs/${name}` } };
}

function details(status: string, sets: { full?: [string, string][]; log?: [string, string][] }, extra: Record<string, unknown> = {}): ManagedDatabaseRestoreDetails {
  const of = (list: [string, string][] | undefined) => list?.map(([firstStripeName, s]) => ({ firstStripeName, status: s, backupSizeMB: 1 }));
  const restored = [...(sets.full ?? []), ...(sets.log ?? [])].filter(([, s]) => s === 'Restored').map(([n]) => n);
  return { properties: { status, fullBackupSets: of(sets.full), logBackupSets: of(sets.log), ...(restored.length && { lastRestoredFileName: restored.at(-1) }), ...extra } };
}

const ready = () => lrsRestoreView(ref('Sales'), database('Sales', 'Restoring'), details('Restoring', { full: [['Sales.bak', 'Restored']], log: [['Sales_1.trn', 'Restored'], ['Sales_0.trn', 'Skipped']] }));
const restoring = () => lrsRestoreView(ref('HR'), database('HR', 'Restoring'), details('Restoring', { full: [['HR.bak', 'Restored']], log: [['HR_1.trn', 'Queued']] }));
const online = () => lrsRestoreView(ref('Ledger'), database('Ledger', 'Online', 'autocomplete'));

const children = (n: ViewNode) => n.children ?? [];
const find = (nodes: ViewNode[], label: string): ViewNode => {
  for (const n of nodes) {
    if (n.label === label) return n;
    const inner = n.kind === 'migration' || n.kind === 'group' || n.kind === 'backupSet' ? children(n) : [];
    const hit = inner.length ? (() => { try { return find(inner, label); } catch { return undefined; } })() : undefined;
    if (hit) return hit;
  }
  throw new Error(`no node ${label}`);
};

test('restores are rows beside migrations: the same headings, and grouped under the Log Replay Service by service', () => {
  const roots = buildDashboard([migration('Orders', 'InProgress')], coreRules, {}, [ready(), restoring(), online()].map(restoreRow));
  assert.deepEqual(roots.map((g) => `${g.label}: ${children(g).map((c) => c.label).join(',')}`), ['Ready for cutover: Sales', 'In progress: HR,Orders', 'Succeeded: Ledger']);
  const sales = find(roots, 'Sales');
  assert.match(sales.description!, /^ReadyForCutover · Log Replay · sqlmi-east$/);
  assert.equal(sales.contextValue, 'lrsRestore;canComplete;canStop');
  assert.equal(find(roots, 'HR').contextValue, 'lrsRestore;canStop');
  assert.equal(find(roots, 'Ledger').contextValue, 'lrsRestore;canValidate', 'an online database is neither completed nor stopped (stopping would delete it); it can be validated');

  const byService = buildDashboard([migration('Orders', 'InProgress', {}, { migrationService: SERVICE_ID })], coreRules, { groupBy: 'service' }, [ready()].map(restoreRow));
  assert.deepEqual(byService.map((g) => `${g.label}: ${children(g).map((c) => c.label).join(',')}`), ['dms1: Orders', 'Log Replay Service: Sales']);
  const filtered = buildDashboard([migration('Orders', 'InProgress')], coreRules, { filter: 'log replay' }, [ready(), restoring()].map(restoreRow));
  assert.deepEqual(filtered.flatMap((g) => children(g).map((c) => c.label)), ['Sales', 'HR']);
});

test("a restore's files are shown in the dashboard's states, a skipped one with LRS's reason", () => {
  const sales = buildDashboard([], coreRules, {}, [restoreRow(ready())])[0]!.children![0]!;
  const files = children(sales).flatMap((set) => children(set));
  assert.deepEqual(files.map((f) => `${f.label}: ${f.description?.split(' · ')[0]}`), ['Sales.bak: Restored', 'Sales_1.trn: Restored', 'Sales_0.trn: Ignored']);
  assert.match(files[2]!.tooltip!, /skipped by the Log Replay Service/);
  assert.deepEqual(files.map((f) => f.icon?.id), ['pass-filled', 'pass-filled', 'circle-slash']);
  const hr = buildDashboard([], coreRules, {}, [restoreRow(restoring())])[0]!.children![0]!;
  assert.equal(children(hr).flatMap((s) => children(s)).find((f) => f.label === 'HR_1.trn')!.description!.split(' · ')[0], 'Arrived');
  const unread = lrsRestoreView(ref('New'), database('New', 'Restoring'));
  assert.deepEqual(buildDashboard([], coreRules, {}, [restoreRow(unread)])[0]!.children![0]!.children!.map((c) => c.label), ['Reading the backup files...']);
});

test('the rules: completing needs the whole chain restored and a continuous restore; stopping needs one in progress', () => {
  assert.deepEqual(canComplete(ready()), { ok: true });
  assert.equal(canComplete(restoring()).ok, false);
  assert.equal(canComplete(online()).ok, false);
  assert.equal(canStop(online()).ok, false);
  assert.equal(canStop(restoring()).ok, true);
  assert.ok(isRestoreId(dbId('Sales')));
  assert.ok(!isRestoreId(`${MI_ID}/providers/Microsoft.DataMigration/databaseMigrations/Sales`));
});

/** Microsoft.Sql as the LRS monitor reads it: each list answers the next entry of the script. */
class ScriptedInstance implements LrsMonitorSource {
  listCalls = 0;
  detailCalls: string[] = [];
  constructor(private readonly script: { db: ManagedDatabase; details?: ManagedDatabaseRestoreDetails }[][]) {}
  private answer() {
    return this.script[Math.max(0, Math.min(this.listCalls - 1, this.script.length - 1))]!;
  }
  async listDatabases(): Promise<ManagedDatabase[]> {
    this.listCalls++;
    return this.answer().map((x) => x.db);
  }
  async getRestoreDetails(r: RestoreRef): Promise<ManagedDatabaseRestoreDetails> {
    this.detailCalls.push(r.targetDatabase);
    const hit = this.answer().find((x) => x.db.name === r.targetDatabase);
    if (!hit?.details) throw Object.assign(new Error('not found'), { statusCode: 404 });
    return hit.details;
  }
}

const AZURE = { name: 'AzureCloud', displayName: 'Azure', armEndpoint: 'https://management.azure.com', armScope: 's', authorityHost: 'h', storageSuffix: 'x' };

test('the view lists the restores of the instances the user works with, reads files only for what it shows, and tells one notification for many ready', async () => {
  const record = installVscodeStub();
  const { Ctx } = await import('../../../src/extension/ctx');
  const { createBackend } = await import('../../../src/extension/services');
  const { MigrationFeedService } = await import('../../../src/extension/services/migrationFeed');
  const { Dashboard } = await import('../../../src/extension/dashboard/dashboard');
  const { ScriptedMigrationService } = await import('./fixtures');

  const many = Array.from({ length: 30 }, (_, i) => `Db${String(i).padStart(2, '0')}`);
  const restoringAll = many.map((n) => ({ db: database(n, 'Restoring'), details: details('Restoring', { full: [[`${n}.bak`, 'Restored']], log: [[`${n}_1.trn`, 'Queued']] }) }));
  const readyAll = many.map((n) => ({ db: database(n, 'Restoring'), details: details('Restoring', { full: [[`${n}.bak`, 'Restored']], log: [[`${n}_1.trn`, 'Restored']] }) }));
  const instance = new ScriptedInstance([restoringAll, restoringAll, readyAll, readyAll]);
  const service = new ScriptedMigrationService([[]]);
  const ctx = new Ctx(fakeExtensionContext(resolve('.')) as never, (env) => {
    const backend = createBackend(env);
    const registry = { list: () => [SERVICE_ID], add: async () => undefined };
    const feed = new MigrationFeedService({ accounts: env.accounts, registry, uploads: backend.uploads, log: env.log, migrationSource: () => service, restoreSource: () => instance, instances: { list: () => [MI_ID] } });
    return { ...backend, feed };
  });
  ctx.setAccount({ label: 'dba', cloud: AZURE });
  const dashboard = new Dashboard(ctx);
  const view = record.treeViews.get('sqlMigration.migrations')!;
  const groups = () => view.provider.getChildren() as ViewNode[];

  view.setVisible(true);
  await dashboard.refresh();
  assert.equal(instance.listCalls, 1, 'one list of the instance per refresh');
  assert.equal(dashboard.currentRestores.length, 30);
  const firstReads = instance.detailCalls.length;
  assert.ok(firstReads >= 1 && firstReads <= 25, `a sweep within a quarter of the read allowance, not every restore (${firstReads})`);
  assert.equal(record.statusBarItems[0]!.text, '$(sync) 30');

  // Expanding one: its details are read (watched) every refresh from now on.
  const inProgress = groups().find((g) => g.label === 'In progress')!;
  const db29 = (view.provider.getChildren(inProgress) as ViewNode[]).find((n) => n.label === 'Db29')!;
  instance.detailCalls = [];
  view.expand(db29);
  await new Promise((r) => setTimeout(r, 20));
  assert.ok(instance.detailCalls.includes('Db29'), 'opening a restore reads its files');
  await dashboard.refresh();
  assert.ok(instance.detailCalls.filter((d) => d === 'Db29').length >= 2, 'an expanded restore is read every refresh');
  const files = (view.provider.getChildren(db29) as ViewNode[]).flatMap((s) => view.provider.getChildren(s) as ViewNode[]);
  assert.deepEqual(files.map((f) => f.label), ['Db29.bak', 'Db29_1.trn']);

  // All get ready: one notification (those the sweep read this refresh, or all), with an action that shows them.
  record.messages.length = 0;
  for (let i = 0; i < 40 && dashboard.currentRestores.some((v) => v.status !== 'ReadyForCutover'); i++) await dashboard.refresh();
  assert.ok(dashboard.currentRestores.every((v) => v.status === 'ReadyForCutover'));
  const infos = record.messages.filter((m) => m.level === 'info');
  assert.ok(infos.length < 30, `grouped: ${infos.length} notifications for 30 restores`);
  assert.ok(infos.some((m) => /migrations are ready for cutover/.test(m.text)), infos.map((m) => m.text).join('\n'));
  assert.equal(record.statusBarItems[0]!.text, '$(bell-dot) 30');
  assert.equal(record.statusBarItems[0]!.command, 'sqlMigration.completeRestore', 'only restores are ready: a click completes one');
  dashboard.dispose();
  ctx.backend.feed.dispose();
});

function fakeUi(confirm = true) {
  const said: string[] = [];
  const ui: RestoreFlowUi = {
    pickRestores: async (items) => items.map((i) => i.restore),
    confirm: async (message, detail) => (said.push(`confirm: ${message}\n${detail}`), confirm),
    progress: (_title, task) => task(() => undefined, new AbortController().signal),
    info: (m) => void said.push(`info: ${m}`),
    error: (m) => void said.push(`error: ${m}`),
    log: () => undefined,
  };
  return { ui, said };
}

test('Complete Restore: refused by the guard before any confirmation, naming what is not restored; completed after the confirmation', async () => {
  const calls: string[] = [];
  let blocker: string | undefined = 'Sales_2.trn in the blob folder lrs/Sales/ continues the chain past the last restored LSN';
  const ops: RestoreOperations = {
    guardComplete: async (v) => {
      calls.push(`guard ${v.ref.targetDatabase}`);
      if (blocker) throw new Error(blocker);
      return { restore: v, warnings: [] };
    },
    complete: async (v) => void calls.push(`complete ${v.ref.targetDatabase}`),
    stop: async (v) => void calls.push(`stop ${v.ref.targetDatabase}`),
  };
  const early = fakeUi();
  assert.deepEqual(await runRestoreAction('complete', [ready()], () => [], ops, early.ui), []);
  assert.deepEqual(calls, ['guard Sales']);
  assert.equal(early.said.length, 1);
  assert.match(early.said[0]!, /^error: Nothing was done\. Sales \(sqlmi-east\): Sales_2\.trn in the blob folder/);

  blocker = undefined;
  const done = fakeUi();
  const outcomes = await runRestoreAction('complete', undefined, () => [ready(), restoring()], ops, done.ui);
  assert.deepEqual(outcomes.map((o) => `${o.restore.ref.targetDatabase} ${o.ok}`), ['Sales true'], 'only the ready one is offered');
  assert.match(done.said[0]!, /^confirm: Complete the restore of 1 database \(cutover\)\?\nSales \(sqlmi-east\): last restored Sales_1\.trn\n\nBefore completing: stop all transactions/);
  assert.deepEqual(calls.slice(1), ['guard Sales', 'complete Sales']);

  const declined = fakeUi(false);
  assert.deepEqual(await runRestoreAction('complete', [ready()], () => [], ops, declined.ui), []);
  assert.ok(!calls.slice(3).includes('complete Sales'), 'nothing completes without the confirmation');
});

test('Stop Restore: confirmed, the database being restored is deleted; an online one is left out with the reason', async () => {
  const calls: string[] = [];
  const ops: RestoreOperations = {
    guardComplete: async () => assert.fail('no guard for a stop'),
    complete: async () => assert.fail('no completion'),
    stop: async (v) => void calls.push(`stop ${v.ref.targetDatabase}`),
  };
  const { ui, said } = fakeUi();
  await runRestoreAction('stop', [restoring(), online()], () => [], ops, ui);
  assert.deepEqual(calls, ['stop HR']);
  assert.match(said[0]!, /^confirm: Stop 1 restore\?\nHR \(sqlmi-east\)\n\nThe database being restored is deleted from the target/);
  assert.match(said[0]!, /Left out:\nLedger \(sqlmi-east\): the database is online/);
  assert.match(said[1]!, /^info: Stopped: HR \(sqlmi-east\)\./);
});

export type { LrsRestoreView };

test('Validate and Compare Baseline know a succeeded migration or restore: source database, target name, instance, the service\'s source login and certificate trust (never a password)', async () => {
  const { subjectOfMigration, subjectOfRestore } = await import('../../../src/extension/dashboard/validateSubject');
  const m = migration('SalesCopy', 'Succeeded', {}, { sourceDatabaseName: 'Sales', sourceSqlConnection: { dataSource: 'SQLSRC01', userName: 'migrator', authentication: 'SqlAuthentication', trustServerCertificate: true, password: 'never-shown' } });
  const s = subjectOfMigration(m)!;
  assert.deepEqual({ ...s, instanceId: s.instanceId.replace(/.*managedInstances\//, '') }, { label: 'SalesCopy', database: 'Sales', targetDatabase: 'SalesCopy', instanceId: s.instanceId.replace(/.*managedInstances\//, ''), sourceServer: 'SQLSRC01', sourceUser: 'migrator', sourceAuthentication: 'SqlAuthentication', sourceTrustServerCertificate: true, succeeded: true });
  assert.ok(!JSON.stringify(s).includes('never-shown'));
  assert.equal(subjectOfMigration(migration('X', 'InProgress'))!.succeeded, false);
  const r = subjectOfRestore(online());
  assert.deepEqual([r.database, r.targetDatabase, r.instanceId, r.succeeded], ['Ledger', 'Ledger', MI_ID, true]);
});

test('the instances the wizard restores to with the Log Replay Service are listed in the view from then on', async () => {
  const { createBackend } = await import('../../../src/extension/services');
  const { Redactor } = await import('../../../src/extension/redact');
  const added: string[] = [];
  const other = MI_ID.replace('sqlmi-east', 'sqlmi-west');
  const backend = createBackend({
    redactor: new Redactor(),
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    accounts: { current: async () => ({ label: 'dba', cloud: AZURE }) },
    registry: { list: () => [], add: async () => undefined },
    uploadJobs: { load: () => [], save: async () => undefined },
    uploadConcurrency: () => 1,
    signIn: { availability: { available: true }, signIn: async () => ({ label: 'dba', cloud: AZURE }) },
    instances: { list: () => [], add: async (_cloud, id) => void added.push(id) },
  });
  const location = { kind: 'blob' as const, storageAccountId: `/subscriptions/${SUB}/resourceGroups/rg-sql/providers/Microsoft.Storage/storageAccounts/st1`, container: 'lrs' };
  const request = {
    subscriptionId: SUB, targetInstanceId: MI_ID, mode: 'online' as const, access: 'sas' as const,
    source: { server: 'sql01', authentication: 'SqlAuthentication' as const, userName: 'migrator', encrypt: 'mandatory' as const, trustServerCertificate: false },
    databases: [{ sourceDatabase: 'Sales', targetDatabase: 'Sales', location }, { sourceDatabase: 'HR', targetDatabase: 'HR', targetInstanceId: other, location }],
  };
  // Not signed in for real here: the start itself fails, after the instances are known.
  await backend.wizard.logReplay!.start({ label: 'dba', cloud: AZURE }, request as never, {}, new AbortController().signal).catch(() => undefined);
  assert.deepEqual(added, [MI_ID, other]);
  backend.uploads.dispose();
});
