/** Scan Backup Folder...: reads backup headers locally and shows each database's restore plan. */
import * as vscode from 'vscode';
import { basename } from 'node:path';
import { formatScan, planRestores, scanPaths } from '../../core/backup';
import type { ReportDocuments } from './reportDocuments';

export async function scanBackupFolder(log: { info(message: string): void }, reports: ReportDocuments, uri?: vscode.Uri): Promise<void> {
  const target =
    uri ??
    (
      await vscode.window.showOpenDialog({
        canSelectFolders: true,
        canSelectFiles: true,
        canSelectMany: false,
        openLabel: vscode.l10n.t('Scan'),
        title: vscode.l10n.t('Scan a folder of SQL Server backups'),
      })
    )?.[0];
  if (!target) return;
  const readings = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Reading backup headers'), cancellable: true },
    (progress, token) => {
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort());
      let last = 0;
      return scanPaths([target.fsPath], {
        signal: controller.signal,
        onProgress: (done, total) => {
          progress.report({ increment: ((done - last) / total) * 100, message: `${done} / ${total}` });
          last = done;
        },
      });
    },
  );
  const plans = planRestores(readings);
  const report = reports.add(`Scan of ${basename(target.fsPath) || 'backups'}.txt`, formatScan(readings, plans, target.fsPath));
  const doc = await vscode.workspace.openTextDocument(report);
  await vscode.window.showTextDocument(doc, { preview: true });
  const ready = plans.filter((p) => p.ready).length;
  log.info(`Scanned ${readings.length} files under ${target.fsPath}: ${ready} of ${plans.length} databases ready`);
}
