/**
 * Read-only documents for Scan Backup Folder reports: each report lives in memory under a
 * URI of its own scheme, so VS Code opens it read-only and never asks to save it.
 */
import * as vscode from 'vscode';
import { SCAN_SCHEME } from './ids';

export class ScanReports implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly reports = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  /** Keeps the report and returns its URI (scanning the same folder again replaces it). */
  add(folderName: string, text: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: SCAN_SCHEME, path: `/Scan of ${folderName.replace(/[\\/]/g, '_') || 'backups'}.txt` });
    this.reports.set(uri.toString(), text);
    this.changed.fire(uri);
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.reports.get(uri.toString()) ?? '';
  }

  dispose(): void {
    this.changed.dispose();
    this.reports.clear();
  }
}
