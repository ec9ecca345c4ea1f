/**
 * The VS Code face. Activation stays small: commands load their code on first use.
 */
import * as vscode from 'vscode';

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Azure SQL Migration', { log: true });
  context.subscriptions.push(
    log,
    vscode.commands.registerCommand('sqlMigration.scanBackupFolder', async (uri?: vscode.Uri) => {
      const { scanBackupFolder } = await import('./commands/scanBackupFolder');
      await scanBackupFolder(log, uri);
    }),
  );
}

export function deactivate(): void {}
