/**
 * "Show Restores of a Managed Instance...": adds an instance whose Log Replay Service restores the
 * Migrations view lists (for restores started elsewhere: the CLI, the portal), beside the
 * instances the migrations target. Kept per cloud as an id (no secret).
 */
import * as vscode from 'vscode';
import * as l10n from '@vscode/l10n';
import type { Ctx } from '../ctx';
import type { Dashboard } from '../dashboard/dashboard';
import { UserCancelledError } from '../errors';

export async function watchInstance(ctx: Ctx, dashboard: Dashboard): Promise<void> {
  const signal = new AbortController().signal;
  const account = await ctx.current(signal);
  const w = ctx.backend.wizard;
  const subs = await w.subscriptions.list(account, signal);
  const sub = subs.length === 1 ? subs[0] : (await vscode.window.showQuickPick(subs.map((s) => ({ label: s.name, description: s.id, s })), { placeHolder: l10n.t('Select the subscription') }))?.s;
  if (!sub) throw new UserCancelledError();
  const instances = await w.targets.listManagedInstances(account, sub.id, signal);
  if (!instances.length) {
    void vscode.window.showInformationMessage(l10n.t('No managed instance in {0}.', sub.name));
    return;
  }
  const pick = await vscode.window.showQuickPick(instances.map((i) => ({ label: i.name, description: `${i.resourceGroup} · ${i.location}`, i })), { placeHolder: l10n.t('Select the managed instance whose Log Replay Service restores to list') });
  if (!pick) throw new UserCancelledError();
  await ctx.instances.add(account.cloud, pick.i.id);
  ctx.log.info(`restores: listing those of ${pick.i.id}`);
  await dashboard.refresh();
}
