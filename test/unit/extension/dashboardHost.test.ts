/**
 * The Migrations view in the extension host on the real feed and the core's monitor, reading a
 * scripted migration service: the tree, the status bar, the notifications (the monitor's
 * changes), polling only while visible, and errors shown as a node (not a toast).
 */
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { fakeExtensionContext, installVscodeStub } from './vscodeStub';
import { migration, readySales, ScriptedMigrationService, SERVICE_ID } from './fixtures';
import type { ViewNode } from '../../../src/extension/dashboard/model';

const AZURE = { name: 'AzureCloud', displayName: 'Azure', armEndpoint: 'https://management.azure.com', armScope: 's', authorityHost: 'h', storageSuffix: 'x' };

test('the monitor drives the tree, the status bar and the notifications, while the view is visible', async () => {
  const record = installVscodeStub();
  const { Ctx } = await import('../../../src/extension/ctx');
  const { createBackend } = await import('../../../src/extension/services');
  const { MigrationFeedService } = await import('../../../src/extension/services/migrationFeed');
  const { Dashboard } = await import('../../../src/extension/dashboard/dashboard');

  const service = new ScriptedMigrationService([
    [migration('Sales', 'InProgress', { isFullBackupRestored: true }), migration('HR', 'InProgress')],
    [readySales(), migration('HR', 'Failed', {}, { migrationFailureError: { code: 'RestoreFailed', message: 'The log chain is broken.' } })],
    Object.assign(new Error('Operation returned an invalid status code 503'), { statusCode: 503 }),
  ]);
  const ctx = new Ctx(fakeExtensionContext(resolve('.')) as never, (env) => {
    const backend = createBackend(env);
    const registry = { list: () => [SERVICE_ID], add: async () => undefined };
    return { ...backend, feed: new MigrationFeedService({ accounts: env.accounts, registry, uploads: backend.uploads, log: env.log, migrationSource: () => service }) };
  });
  ctx.setAccount({ label: 'dba', cloud: AZURE });
  const dashboard = new Dashboard(ctx);
  const view = record.treeViews.get('sqlMigration.migrations')!;
  const labels = () => (view.provider.getChildren() as ViewNode[]).map((g) => `${g.label}: ${(view.provider.getChildren(g) as ViewNode[]).map((m) => m.label).join(',')}`);

  // Polling starts when the view becomes visible: the list, and no migration's files until it is opened.
  assert.equal(service.listCalls, 0);
  view.setVisible(true);
  await dashboard.refresh();
  assert.equal(service.listCalls, 1, 'becoming visible and Refresh share one refresh');
  assert.equal(service.getCalls, 0, 'no detail read for what is not shown in detail');
  assert.deepEqual(labels(), ['In progress: HR,Sales']);
  const status = record.statusBarItems[0]!;
  assert.equal(status.shown, true);
  assert.equal(status.text, '$(sync) 2');
  assert.equal(record.messages.length, 0); // the first refresh announces nothing

  await dashboard.refresh();
  assert.equal(service.getCalls, 2, 'both changed in the list: both are read');
  assert.deepEqual(labels(), ['Ready for cutover: Sales', 'Failed: HR']);
  assert.equal(status.text, '$(bell-dot) 1  $(error) 1');
  assert.equal(status.command, 'sqlMigration.completeCutover');
  assert.deepEqual(record.messages.map((m) => `${m.level}: ${m.text}`), [
    'info: Sales is ready for cutover.',
    'error: The migration of HR failed: The log chain is broken.',
  ]);
  const item = view.provider.getTreeItem((view.provider.getChildren(view.provider.getChildren()[0]) as ViewNode[])[0]!) as { contextValue: string; command: { command: string } };
  assert.equal(item.contextValue, 'migration;canCutover;canCancel');
  assert.equal(item.command.command, 'sqlMigration.showMigrationDetails');

  // A failed refresh becomes an error node that retries on click; no toast.
  await dashboard.refresh();
  const [error] = view.provider.getChildren() as ViewNode[];
  assert.match(error!.label, /Listing migrations failed: Operation returned an invalid status code 503/);
  assert.equal((view.provider.getTreeItem(error) as { command: { command: string } }).command.command, 'sqlMigration.refresh');
  assert.equal(record.messages.length, 2);
  assert.ok(record.logLines.some((l) => l.startsWith('error') && /HTTP 503/.test(l)));

  // Visible, the monitor refreshes by itself (here every few ms); hidden, it stops.
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const before = service.listCalls;
  ctx.backend.feed.setIntervalMs(2);
  for (let i = 0; i < 100 && service.listCalls < before + 3; i++) await pause(10);
  assert.ok(service.listCalls >= before + 3, 'it polls while visible');
  view.setVisible(false);
  await pause(10);
  const hidden = service.listCalls;
  await pause(100);
  assert.equal(service.listCalls, hidden, 'nothing polls while hidden');
  dashboard.dispose();
  for (const d of ctx.subscriptions) d.dispose();
});
