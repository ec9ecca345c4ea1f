/** Complete Cutover / Cancel / Delete as commands: VS Code's pickers, modals and progress around the flow. */
import * as vscode from 'vscode';
import type { Ctx } from '../ctx';
import type { Dashboard } from '../dashboard/dashboard';
import type { DatabaseMigrationJson } from '../dashboard/dmsShape';
import type { ViewNode } from '../dashboard/model';
import { UserCancelledError } from '../errors';
import { runMigrationAction, type FlowUi, type MigrationAction } from '../cutover/flow';

function isMigration(x: unknown): x is DatabaseMigrationJson {
  return typeof x === 'object' && x !== null && typeof (x as DatabaseMigrationJson).id === 'string' && 'properties' in x;
}

/** The migrations a command was invoked on: the tree selection, one tree node, a migration, or none (pick). */
export function migrationsFrom(dashboard: Dashboard, args: unknown[]): DatabaseMigrationJson[] | undefined {
  const [first, many] = args;
  const items: unknown[] = Array.isArray(many) && many.length ? many : first !== undefined ? [first] : [];
  const out = items
    .map((n) => (isMigration(n) ? n : typeof (n as ViewNode)?.migrationId === 'string' ? dashboard.find((n as ViewNode).migrationId!) : undefined))
    .filter((m): m is DatabaseMigrationJson => !!m);
  return out.length ? [...new Map(out.map((m) => [m.id, m])).values()] : undefined;
}

export const vscodeFlowUi = (ctx: Ctx): FlowUi => ({
  async pickMany(items, placeHolder) {
    const picked = await vscode.window.showQuickPick(
      items.map((i) => ({ label: i.label, description: i.description, migration: i.migration })),
      { canPickMany: true, placeHolder, ignoreFocusOut: true },
    );
    return picked?.map((p) => p.migration);
  },
  async confirm(message, detail, button) {
    return (await vscode.window.showWarningMessage(message, { modal: true, detail }, button)) === button;
  },
  progress(title, task) {
    return Promise.resolve(
      vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        return task((message) => progress.report({ message }), abort.signal).then((r) => {
          if (abort.signal.aborted) throw new UserCancelledError();
          return r;
        });
      }),
    );
  },
  info(message) {
    void vscode.window.showInformationMessage(message);
  },
  error(message) {
    void vscode.window.showErrorMessage(ctx.redactor.redact(message));
  },
  log(message) {
    ctx.log.error(message);
  },
});

export async function migrationAction(ctx: Ctx, dashboard: Dashboard, action: MigrationAction, args: unknown[]): Promise<void> {
  const chosen = migrationsFrom(dashboard, args);
  const abort = new AbortController();
  try {
    await runMigrationAction(action, chosen, (s) => dashboard.list(s), ctx.backend.rules, ctx.backend.operations, vscodeFlowUi(ctx), abort.signal);
  } finally {
    void dashboard.refresh();
  }
}
