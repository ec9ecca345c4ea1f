/** Sign in to Azure and Select Cloud...: the cloud lives in settings, the sign-in in memory. */
import * as vscode from 'vscode';
import { basename } from 'node:path';
import * as l10n from '@vscode/l10n';
import { KNOWN_CLOUDS, loadCloudFile } from '../../core/azure/cloud';
import type { Ctx } from '../ctx';
import { UserCancelledError } from '../errors';

export async function signIn(ctx: Ctx): Promise<void> {
  const cloud = await ctx.currentCloud();
  const abort = new AbortController();
  const account = await ctx.backend.wizard.accounts.signIn(cloud, abort.signal);
  ctx.setAccount(account);
  ctx.log.info(`signed in to ${cloud.displayName} (${cloud.armEndpoint})`);
  void vscode.window.showInformationMessage(l10n.t('Signed in to {0} ({1}).', cloud.displayName, account.label));
}

export async function selectCloud(ctx: Ctx): Promise<void> {
  const current = ctx.config.settings.cloud;
  const custom = { label: l10n.t('Custom cloud from a file...'), description: l10n.t('an Azure Stack Hub, or the local sandbox'), name: 'custom' };
  const pick = await vscode.window.showQuickPick(
    [
      ...KNOWN_CLOUDS.map((c) => ({ label: c.displayName, description: c.name === current ? l10n.t('{0} (current)', c.name) : c.name, name: c.name })),
      custom,
    ],
    { placeHolder: l10n.t('Choose the cloud to migrate to') },
  );
  if (!pick) throw new UserCancelledError();
  if (pick.name !== 'custom') {
    await ctx.config.setCloud(pick.name);
    ctx.setAccount(undefined);
    void vscode.window.showInformationMessage(l10n.t('Using {0}. Sign in to continue.', pick.label));
    return;
  }
  const file = (await vscode.window.showOpenDialog({ canSelectMany: false, filters: { [l10n.t('Cloud file')]: ['json'] }, title: l10n.t('Choose a cloud file') }))?.[0];
  if (!file) throw new UserCancelledError();
  const cloud = await loadCloudFile(file.fsPath); // checked before it is saved
  ctx.redactor.add(cloud.accessToken);
  await ctx.config.setCloud('custom', file.fsPath);
  ctx.setAccount(undefined);
  void vscode.window.showInformationMessage(l10n.t('Using {0} from {1}.', cloud.displayName, basename(file.fsPath)));
}
