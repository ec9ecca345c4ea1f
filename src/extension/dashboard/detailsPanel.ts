/** One details view per migration, refreshed after every poll of the Migrations view. */
import * as vscode from 'vscode';
import { DETAILS_PANEL } from '../commands/ids';
import type { Ctx } from '../ctx';
import { newNonce, webviewShell } from '../webviewHtml';
import type { Dashboard } from './dashboard';
import { targetOf, type DatabaseMigrationJson } from './dmsShape';
import { detailsBody, DETAILS_STYLE } from './detailsView';

const open = new Map<string, vscode.WebviewPanel>();

function render(panel: vscode.WebviewPanel, m: DatabaseMigrationJson, dashboard: Dashboard): void {
  panel.title = targetOf(m).database;
  panel.webview.html = webviewShell({
    cspSource: panel.webview.cspSource,
    nonce: newNonce(),
    title: targetOf(m).database,
    lang: vscode.env.language,
    inlineStyle: DETAILS_STYLE,
    body: detailsBody(m, dashboard.observations.history(m.id), new Date()),
  });
}

export function showDetails(ctx: Ctx, dashboard: Dashboard, m: DatabaseMigrationJson): void {
  const existing = open.get(m.id);
  if (existing) {
    render(existing, dashboard.find(m.id) ?? m, dashboard);
    existing.reveal();
    return;
  }
  // No scripts and no local resources: the view is static HTML and SVG.
  const panel = vscode.window.createWebviewPanel(DETAILS_PANEL, targetOf(m).database, vscode.ViewColumn.Active, { enableScripts: false, localResourceRoots: [] });
  open.set(m.id, panel);
  // Its backup files are read every refresh while it is open (and now, if they never were).
  dashboard.setDetailsOpen(m.id, true);
  render(panel, m, dashboard);
  const sub = dashboard.onDidChange(() => {
    const fresh = dashboard.find(m.id);
    if (fresh) render(panel, fresh, dashboard);
  });
  panel.onDidDispose(() => {
    sub.dispose();
    open.delete(m.id);
    dashboard.setDetailsOpen(m.id, false);
  });
  ctx.subscriptions.push(panel);
}
