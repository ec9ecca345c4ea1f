/**
 * Read-only documents for the reports commands open (Scan Backup Folder, the server-objects plan
 * and results): each lives in memory under a URI of its own scheme, so VS Code opens it
 * read-only and never asks to save it. Its name's extension sets the language.
 */
import * as vscode from 'vscode';
import { SCAN_SCHEME } from './ids';

export class ReportDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly reports = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  /** Keeps the report and returns its URI (a report of the same name replaces it). */
  add(fileName: string, text: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: SCAN_SCHEME, path: `/${fileName.replace(/[\\/]/g, '_')}` });
    this.reports.set(uri.toString(), text);
    this.changed.fire(uri);
    return uri;
  }

  /** Keeps the report and shows it. */
  async show(fileName: string, text: string): Promise<void> {
    const doc = await vscode.workspace.openTextDocument(this.add(fileName, text));
    await vscode.window.showTextDocument(doc, { preview: false });
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.reports.get(uri.toString()) ?? '';
  }

  dispose(): void {
    this.changed.dispose();
    this.reports.clear();
  }
}
