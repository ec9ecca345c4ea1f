/** The Migrations view before anyone signed in: it offers the sign-in, and a sign-in refreshes it. */
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { fakeExtensionContext, installVscodeStub } from './vscodeStub';
import { readySales } from './fixtures';
import type { ViewNode } from '../../../src/extension/dashboard/model';

test('not signed in: the view offers to sign in instead of an error, and a sign-in refreshes it', async () => {
  const record = installVscodeStub();
  const { Ctx } = await import('../../../src/extension/ctx');
  const { createBackend } = await import('../../../src/extension/services');
  const { Dashboard } = await import('../../../src/extension/dashboard/dashboard');
  const { NotSignedInError } = await import('../../../src/extension/errors');
  let signedIn = false;
  const ctx = new Ctx(fakeExtensionContext(resolve('.')) as never, (env) => ({
    ...createBackend(env),
    feed: {
      availability: { available: true },
      list: async () => {
        if (!signedIn) throw new NotSignedInError();
        return [readySales()];
      },
    },
  }));
  const dashboard = new Dashboard(ctx);
  const view = record.treeViews.get('sqlMigration.migrations')!;
  view.setVisible(true);
  await dashboard.refresh();
  const [node] = view.provider.getChildren() as ViewNode[];
  assert.equal(node!.label, 'Sign in to Azure to list your migrations');
  assert.equal((view.provider.getTreeItem(node!) as { command: { command: string } }).command.command, 'sqlMigration.signIn');
  assert.equal(record.messages.length, 0);
  signedIn = true;
  ctx.setAccount({ label: 'dba', cloud: { name: 'AzureCloud', displayName: 'Azure', armEndpoint: 'https://management.azure.com', armScope: 's', authorityHost: 'h', storageSuffix: 'x' } });
  await dashboard.refresh();
  assert.deepEqual((view.provider.getChildren() as ViewNode[]).map((g) => g.label), ['Ready for cutover']);
  dashboard.dispose();
  for (const d of ctx.subscriptions) d.dispose();
});
