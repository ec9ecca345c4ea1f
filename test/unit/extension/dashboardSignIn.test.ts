/** The Migrations view before anyone signed in: it offers the sign-in, and a sign-in refreshes it. */
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { fakeExtensionContext, installVscodeStub } from './vscodeStub';
import { readySales, ScriptedMigrationService, SERVICE_ID } from './fixtures';
import type { ViewNode } from '../../../src/extension/dashboard/model';

test('not signed in: the view offers to sign in instead of an error, and a sign-in refreshes it', async () => {
  const record = installVscodeStub();
  const { Ctx } = await import('../../../src/extension/ctx');
  const { createBackend } = await import('../../../src/extension/services');
  const { MigrationFeedService } = await import('../../../src/extension/services/migrationFeed');
  const { Dashboard } = await import('../../../src/extension/dashboard/dashboard');
  const service = new ScriptedMigrationService([[readySales()]]);
  const ctx = new Ctx(fakeExtensionContext(resolve('.')) as never, (env) => {
    const backend = createBackend(env);
    const registry = { list: () => [SERVICE_ID], add: async () => undefined };
    return { ...backend, feed: new MigrationFeedService({ accounts: env.accounts, registry, uploads: backend.uploads, log: env.log, migrationSource: () => service }) };
  });
  const dashboard = new Dashboard(ctx);
  const view = record.treeViews.get('sqlMigration.migrations')!;
  view.setVisible(true);
  await dashboard.refresh();
  const [node] = view.provider.getChildren() as ViewNode[];
  assert.equal(node!.label, 'Sign in to Azure to list your migrations');
  assert.equal((view.provider.getTreeItem(node!) as { command: { command: string } }).command.command, 'sqlMigration.signIn');
  assert.equal(record.messages.length, 0);
  assert.equal(service.listCalls, 0, 'nothing is read without an account');
  ctx.setAccount({ label: 'dba', cloud: { name: 'AzureCloud', displayName: 'Azure', armEndpoint: 'https://management.azure.com', armScope: 's', authorityHost: 'h', storageSuffix: 'x' } });
  await dashboard.refresh();
  assert.deepEqual((view.provider.getChildren() as ViewNode[]).map((g) => g.label), ['Ready for cutover']);
  assert.equal(service.listCalls, 1, 'the sign-in and Refresh share one refresh');
  dashboard.dispose();
  for (const d of ctx.subscriptions) d.dispose();
});
