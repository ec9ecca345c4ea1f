/**
 * The Migrations view in the extension host, fed by a migration feed as the monitor will feed
 * it: the tree, the status bar, the notifications, and errors shown as a node (not a toast).
 */
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { fakeExtensionContext, installVscodeStub } from './vscodeStub';
import { migration, readySales } from './fixtures';
import type { DatabaseMigrationJson } from '../../../src/extension/dashboard/dmsShape';
import type { ViewNode } from '../../../src/extension/dashboard/model';

test('a feed plugged into the backend drives the tree, the status bar and the notifications', async () => {
  const record = installVscodeStub();
  const { Ctx } = await import('../../../src/extension/ctx');
  const { createBackend } = await import('../../../src/extension/services');
  const { Dashboard } = await import('../../../src/extension/dashboard/dashboard');

  const answers: (DatabaseMigrationJson[] | Error)[] = [
    [migration('Sales', 'InProgress', { isFullBackupRestored: true }), migration('HR', 'InProgress')],
    [readySales(), migration('HR', 'Failed', {}, { migrationFailureError: { code: 'RestoreFailed', message: 'The log chain is broken.' } })],
    Object.assign(new Error('Operation returned an invalid status code 503'), { statusCode: 503 }),
  ];
  let calls = 0;
  const ctx = new Ctx(fakeExtensionContext(resolve('.')) as never, (env) => ({
    ...createBackend(env),
    feed: {
      availability: { available: true },
      list: async () => {
        const a = answers[Math.min(calls++, answers.length - 1)]!;
        if (a instanceof Error) throw a;
        return a;
      },
    },
  }));
  const dashboard = new Dashboard(ctx);
  const view = record.treeViews.get('sqlMigration.migrations')!;
  const labels = () => (view.provider.getChildren() as ViewNode[]).map((g) => `${g.label}: ${(view.provider.getChildren(g) as ViewNode[]).map((m) => m.label).join(',')}`);

  // Polling starts when the view becomes visible.
  assert.equal(calls, 0);
  view.setVisible(true);
  await dashboard.refresh();
  assert.deepEqual(labels(), ['In progress: HR,Sales']);
  const status = record.statusBarItems[0]!;
  assert.equal(status.shown, true);
  assert.equal(status.text, '$(sync~spin) 2');
  assert.equal(record.messages.length, 0); // the first poll announces nothing

  await dashboard.refresh();
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

  // A failed poll becomes an error node that retries on click; no toast.
  await dashboard.refresh();
  const [error] = view.provider.getChildren() as ViewNode[];
  assert.match(error!.label, /Listing migrations failed: Operation returned an invalid status code 503/);
  assert.equal((view.provider.getTreeItem(error) as { command: { command: string } }).command.command, 'sqlMigration.refresh');
  assert.equal(record.messages.length, 2);
  assert.ok(record.logLines.some((l) => l.startsWith('error') && /HTTP 503/.test(l)));
  dashboard.dispose();
  for (const d of ctx.subscriptions) d.dispose();
});
