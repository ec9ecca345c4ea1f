/**
 * The Migrations view at a thousand migrations, in the extension host on the real feed and the
 * core's monitor: one list per refresh and details only for what is opened or changed, a page
 * per group, rows redrawn only when they changed, exact status bar counts, one notification for
 * many migrations ready at once, and the host's work per refresh.
 */
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { test } from 'node:test';
import type { MigrationRef } from '../../../src/core/azure/dms/client';
import type { DatabaseMigration, DatabaseMigrationSqlMi } from '../../../src/core/azure/dms/models';
import type { MonitorSource } from '../../../src/core/migration/monitor';
import type { DatabaseMigrationJson } from '../../../src/extension/dashboard/dmsShape';
import type { ViewNode } from '../../../src/extension/dashboard/model';
import type { MigrationRules } from '../../../src/extension/dashboard/statusRules';
import { fakeExtensionContext, installVscodeStub } from './vscodeStub';
import { migration, SERVICE_ID } from './fixtures';

const AZURE = { name: 'AzureCloud', displayName: 'Azure', armEndpoint: 'https://management.azure.com', armScope: 's', authorityHost: 'h', storageSuffix: 'x' };

class ThousandMigrations implements MonitorSource {
  readonly all = new Map<string, DatabaseMigrationJson>();
  listCalls = 0;
  gets: string[] = [];

  constructor(count: number) {
    for (let i = 0; i < count; i++) {
      const name = `Db${String(i).padStart(4, '0')}`;
      const m = migration(name, i % 50 === 0 ? 'Failed' : 'InProgress', { isFullBackupRestored: true, pendingLogBackupsCount: 1 });
      this.all.set(name, { ...m, properties: { ...m.properties, migrationService: SERVICE_ID, scope: m.properties!.scope!.replace('mi-prod', `mi-${i % 4}`) } });
    }
  }

  set(names: string[], status: string): void {
    for (const n of names) {
      const m = this.all.get(n)!;
      this.all.set(n, { ...m, properties: { ...m.properties, migrationStatus: status } });
    }
  }

  async listMigrations(): Promise<DatabaseMigration[]> {
    this.listCalls++;
    return [...this.all.values()].map((m) => ({ ...m, properties: { ...m.properties, migrationStatusDetails: undefined } }) as DatabaseMigration);
  }

  async getMigration(ref: MigrationRef): Promise<DatabaseMigrationSqlMi> {
    this.gets.push(ref.targetDatabase);
    return this.all.get(ref.targetDatabase) as unknown as DatabaseMigrationSqlMi;
  }
}

/** The view on the real feed and monitor over 1,000 migrations; the rules count the rows they are asked about. */
const record = installVscodeStub();

async function thousandInTheView() {
  const { Ctx } = await import('../../../src/extension/ctx');
  const { createBackend } = await import('../../../src/extension/services');
  const { MigrationFeedService } = await import('../../../src/extension/services/migrationFeed');
  const { Dashboard } = await import('../../../src/extension/dashboard/dashboard');
  const { coreRules } = await import('../../../src/extension/dashboard/statusRules');

  const service = new ThousandMigrations(1000);
  const asked = { rules: 0 };
  const rules: MigrationRules = {
    canCutover: (m) => (asked.rules++, coreRules.canCutover(m)),
    canCancel: (m) => (asked.rules++, coreRules.canCancel(m)),
    canDelete: (m) => (asked.rules++, coreRules.canDelete(m)),
  };
  const ctx = new Ctx(fakeExtensionContext(resolve('.')) as never, (env) => {
    const backend = createBackend(env);
    return { ...backend, rules, feed: new MigrationFeedService({ accounts: env.accounts, registry: { list: () => [SERVICE_ID], add: async () => undefined }, uploads: backend.uploads, log: env.log, migrationSource: () => service }) };
  });
  ctx.setAccount({ label: 'dba', cloud: AZURE });
  const dashboard = new Dashboard(ctx);
  const view = record.treeViews.get('sqlMigration.migrations')!;
  const status = record.statusBarItems.at(-1)!;
  const provider = view.provider as { getChildren(n?: ViewNode): ViewNode[]; onDidChangeTreeData: (l: (e: unknown) => void) => unknown };
  const fired: unknown[] = [];
  provider.onDidChangeTreeData((e) => fired.push(e));
  const close = () => {
    dashboard.dispose();
    for (const d of ctx.subscriptions) d.dispose();
  };
  return { service, asked, dashboard, view, status, provider, fired, close };
}

test('1,000 migrations: lists only, a page per group, rows redrawn when they change, one notification for 30 ready, little host work', async () => {
  const { service, dashboard, view, status, provider, fired, close } = await thousandInTheView();
  const { INTERNAL_COMMANDS } = await import('../../../src/extension/commands/ids');
  try {
    view.setVisible(true);
    await dashboard.refresh();
    assert.equal(service.listCalls, 1);
    assert.deepEqual(service.gets, [], 'no detail read for a migration nobody opened');
    // The host's own work for a refresh (the core is loaded by now).
    const cpu0 = process.cpuUsage();
    await dashboard.refresh();
    const cpu = process.cpuUsage(cpu0);
    assert.ok((cpu.user + cpu.system) / 1000 < 200, `a refresh of 1,000 took ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms of CPU`);

    const roots = provider.getChildren();
    assert.equal(roots[0]!.id, 'options', 'a row to filter and group');
    const inProgress = roots.find((r) => r.id === 'group/inProgress')!;
    assert.equal(inProgress.description, '980');
    const rows = provider.getChildren(inProgress);
    assert.equal(rows.length, 201, 'a page of 200 and a row for more');
    assert.equal(rows[200]!.kind, 'more');
    assert.equal(status.text, '$(sync) 980  $(error) 20', 'the status bar counts every migration');

    // More of the group.
    await record.commands.get(INTERNAL_COMMANDS.showMore)!('group/inProgress');
    assert.equal(provider.getChildren(provider.getChildren().find((r) => r.id === 'group/inProgress')).length, 401);

    // Opening a migration reads its files (one GET), and watches it from then on.
    const db = rows[3]!;
    view.expand(db);
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(service.gets, ['Db0004']);
    fired.length = 0;
    await dashboard.refresh();
    assert.deepEqual(service.gets, ['Db0004', 'Db0004'], 'an expanded migration is read every refresh, the others are not');
    assert.deepEqual(fired, [], 'nothing changed: nothing redrawn');

    // 30 become ready at once: their rows move (the groups are redrawn), one notification says so.
    const ready = [...service.all.keys()].slice(100, 130);
    service.set(ready, 'ReadyForCutover');
    record.messages.length = 0;
    await dashboard.refresh();
    assert.equal(service.gets.length, 2 + 1 + 30, 'the watched one and the 30 whose summary changed');
    assert.deepEqual(record.messages.map((m) => m.text), ['30 migrations are ready for cutover: Db0100, Db0101, Db0102 and 27 more.']);
    assert.equal(status.text, '$(sync) 951  $(bell-dot) 30  $(error) 19');

    // One migration's status changes within its group: only its row is redrawn.
    service.set(['Db0201'], 'Restoring');
    fired.length = 0;
    await dashboard.refresh();
    assert.equal(fired.length, 1);
    assert.ok(Array.isArray(fired[0]) && (fired[0] as ViewNode[]).length === 1 && (fired[0] as ViewNode[])[0]!.id.endsWith('/Db0201'));
  } finally {
    close();
  }
});

test('1,000 migrations, a refresh where nothing changed: no row is built again, nothing is redrawn, the status bar is not set again', async () => {
  const { service, asked, dashboard, view, status, provider, fired, close } = await thousandInTheView();
  try {
    view.setVisible(true);
    await dashboard.refresh();
    const group = () => provider.getChildren().find((r) => r.id === 'group/inProgress')!;
    const shown = provider.getChildren(group());
    assert.ok(asked.rules >= 3 * 200, 'the first refresh builds the rows shown');
    // Each change of the status bar item is a message to the window: count them.
    const item = status as unknown as Record<string, unknown>;
    let sets = 0;
    for (const k of ['text', 'tooltip', 'command']) {
      let v = item[k];
      Object.defineProperty(item, k, { get: () => v, set: (x) => void ((v = x), sets++) });
    }

    asked.rules = 0;
    fired.length = 0;
    await dashboard.refresh();
    assert.equal(asked.rules, 0, 'no row built again');
    assert.deepEqual(fired, [], 'nothing redrawn');
    assert.equal(sets, 0, 'the status bar item is not set again');
    assert.ok(provider.getChildren(group()).every((n, i) => n === shown[i]), 'the very nodes shown');

    // One migration changes: only its row is built again (its three rules), and redrawn.
    service.set(['Db0201'], 'Restoring');
    await dashboard.refresh();
    assert.equal(asked.rules, 3);
    assert.deepEqual(fired.map((e) => (e as ViewNode[]).map((n) => n.label)), [['Db0201']]);
    assert.equal(sets, 0, 'the counts did not change');
  } finally {
    close();
  }
});
