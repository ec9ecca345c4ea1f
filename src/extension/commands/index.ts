/** Registers every command; each one loads its code on first use. */
import * as vscode from 'vscode';
import * as l10n from '@vscode/l10n';
import type { Ctx } from '../ctx';
import type { Dashboard } from '../dashboard/dashboard';
import { UserCancelledError } from '../errors';
import { COMMANDS, SCAN_SCHEME, WIZARD_PANEL } from './ids';
import { registerCommand, runReported } from './register';
import { ReportDocuments } from './reportDocuments';

export function registerCommands(ctx: Ctx, dashboard: Dashboard): void {
  const showMigrations = () => {
    void vscode.commands.executeCommand('workbench.view.extension.sqlMigration');
    void dashboard.refresh();
  };
  registerCommand(ctx, COMMANDS.migrate, l10n.t('Opening the migration wizard'), async () => {
    const { WizardPanel } = await import('../wizard/panel');
    await WizardPanel.show(ctx, showMigrations);
  });
  // After a window reload VS Code hands back an open wizard: it resumes from its saved state.
  ctx.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(WIZARD_PANEL, {
      deserializeWebviewPanel: (panel) =>
        runReported(ctx, l10n.t('Reopening the migration wizard'), async () => (await import('../wizard/panel')).WizardPanel.revive(ctx, panel, showMigrations)),
    }),
  );
  // Reports open read-only (nothing to save): documents of their own scheme.
  const reports = new ReportDocuments();
  ctx.subscriptions.push(vscode.workspace.registerTextDocumentContentProvider(SCAN_SCHEME, reports), reports);
  registerCommand(ctx, COMMANDS.scanBackupFolder, l10n.t('Scanning the backup folder'), async (uri) => {
    const { scanBackupFolder } = await import('./scanBackupFolder');
    await scanBackupFolder(ctx.log, reports, uri instanceof vscode.Uri ? uri : undefined);
  });
  for (const [id, action, doing] of [
    [COMMANDS.completeCutover, 'cutover', l10n.t('Completing the cutover')],
    [COMMANDS.cancelMigration, 'cancel', l10n.t('Canceling the migration')],
    [COMMANDS.deleteMigration, 'delete', l10n.t('Deleting the migration')],
  ] as const) {
    registerCommand(ctx, id, doing, async (...args) => {
      const { migrationAction } = await import('./migrationActions');
      await migrationAction(ctx, dashboard, action, args);
    });
  }
  for (const [id, action, doing] of [
    [COMMANDS.completeRestore, 'complete', l10n.t('Completing the restore')],
    [COMMANDS.stopRestore, 'stop', l10n.t('Stopping the restore')],
  ] as const) {
    registerCommand(ctx, id, doing, async (...args) => (await import('./restoreActions')).restoreAction(ctx, dashboard, action, args));
  }
  registerCommand(ctx, COMMANDS.validateMigration, l10n.t('Validating the migrated database'), async (...args) => (await import('./validateMigration')).validateMigration(ctx, dashboard, args));
  registerCommand(ctx, COMMANDS.migrateServerObjects, l10n.t('Moving logins, TDE certificates and server objects'), async (...args) => (await import('./migrateServerObjects')).migrateServerObjects(ctx, dashboard, reports, args));
  registerCommand(ctx, COMMANDS.watchInstance, l10n.t('Adding the managed instance'), async () => (await import('./watchInstance')).watchInstance(ctx, dashboard));
  registerCommand(ctx, COMMANDS.compareBaseline, l10n.t('Comparing with the baseline'), async (...args) => (await import('./validateMigration')).compareBaseline(ctx, dashboard, args));
  registerCommand(ctx, COMMANDS.refresh, l10n.t('Refreshing the migrations'), () => dashboard.refresh());
  registerCommand(ctx, COMMANDS.signIn, l10n.t('Signing in to Azure'), async () => (await import('./account')).signIn(ctx));
  registerCommand(ctx, COMMANDS.selectCloud, l10n.t('Selecting the cloud'), async () => (await import('./account')).selectCloud(ctx));
  registerCommand(ctx, COMMANDS.openSandboxGuide, l10n.t('Opening the sandbox guide'), async () => {
    const guide = vscode.Uri.joinPath(ctx.extensionUri, 'media', 'sandbox-guide.md');
    await vscode.commands.executeCommand('markdown.showPreview', guide);
  });
  registerCommand(ctx, COMMANDS.showMigrationDetails, l10n.t('Showing the migration details'), async (...args) => {
    const [{ migrationsFrom }, { showDetails }] = await Promise.all([import('./migrationActions'), import('../dashboard/detailsPanel')]);
    let m = migrationsFrom(dashboard, args)?.[0];
    if (!m) {
      const all = dashboard.current;
      if (all.length === 0) {
        void vscode.window.showInformationMessage(l10n.t('No migration to show.'));
        return;
      }
      const pick = await vscode.window.showQuickPick(all.map((x) => ({ label: x.name ?? x.id, description: x.properties?.migrationStatus ?? '', m: x })), { placeHolder: l10n.t('Select a migration') });
      if (!pick) throw new UserCancelledError();
      m = pick.m;
    }
    showDetails(ctx, dashboard, m);
  });
  registerCommand(ctx, COMMANDS.showLog, l10n.t('Showing the log'), () => ctx.log.show());
  // From the MSSQL extension's Object Explorer: the server node's connection (no password) goes to the wizard's source step.
  registerCommand(ctx, COMMANDS.migrateMssqlServer, l10n.t('Opening the migration wizard for the server'), async (node) => {
    const offered = ctx.mssql.offerFromObjectExplorer(node);
    ctx.log.info(`Object Explorer: ${offered.connection.server} handed to the migration wizard`);
    await vscode.commands.executeCommand(COMMANDS.migrate);
  });
}
