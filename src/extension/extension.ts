/**
 * The VS Code face. Activation stays small: one context object, the Migrations view, and
 * commands that load their code on first use.
 */
import * as vscode from 'vscode';
import * as l10n from '@vscode/l10n';
import { registerCommands } from './commands';
import { Ctx } from './ctx';
import { Dashboard } from './dashboard/dashboard';
import { registerTools } from './tools/register';

export function activate(context: vscode.ExtensionContext): void {
  if (vscode.l10n.bundle) l10n.config({ contents: vscode.l10n.bundle });
  try {
    const ctx = new Ctx(context);
    const dashboard = new Dashboard(ctx);
    ctx.subscriptions.push(dashboard);
    registerCommands(ctx, dashboard);
    // The chat agent's tools, where this editor has the API (not VS Code 1.82 or Azure Data Studio).
    ctx.subscriptions.push(...registerTools(vscode, { feed: ctx.backend.feed, operations: ctx.backend.operations, rules: ctx.backend.rules, log: ctx.log, redactor: ctx.redactor, afterChange: () => void dashboard.refresh() }));
  } catch (e) {
    // VS Code only logs a failed activation; tell the user.
    void vscode.window.showErrorMessage(l10n.t('Azure SQL Migration could not start: {0}', (e as Error).message));
    throw e;
  }
}

export function deactivate(): void {}
