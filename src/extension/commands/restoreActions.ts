/** Complete Restore / Stop Restore as commands: VS Code's pickers, modals and progress around the restore flow. */
import * as vscode from 'vscode';
import type { LrsRestoreView } from '../../core/migration/lrsStatus';
import type { Ctx } from '../ctx';
import type { Dashboard } from '../dashboard/dashboard';
import type { ViewNode } from '../dashboard/model';
import { runRestoreAction, type RestoreAction, type RestoreFlowUi } from '../dashboard/restoreFlow';
import { vscodeFlowUi } from './migrationActions';

function isRestore(x: unknown): x is LrsRestoreView {
  return typeof x === 'object' && x !== null && typeof (x as LrsRestoreView).id === 'string' && typeof (x as LrsRestoreView).ref === 'object';
}

/** The restores a command was invoked on: the tree selection, one tree node, a restore, or none (pick). */
export function restoresFrom(dashboard: Dashboard, args: unknown[]): LrsRestoreView[] | undefined {
  const [first, many] = args;
  const items: unknown[] = Array.isArray(many) && many.length ? many : first !== undefined ? [first] : [];
  const out = items
    .map((n) => (isRestore(n) ? dashboard.findRestore(n.id) ?? n : typeof (n as ViewNode)?.migrationId === 'string' ? dashboard.findRestore((n as ViewNode).migrationId!) : undefined))
    .filter((v): v is LrsRestoreView => !!v);
  return out.length ? [...new Map(out.map((v) => [v.id.toLowerCase(), v])).values()] : undefined;
}

const vscodeRestoreUi = (ctx: Ctx): RestoreFlowUi => ({
  ...vscodeFlowUi(ctx),
  async pickRestores(items, placeHolder) {
    const picked = await vscode.window.showQuickPick(items.map((i) => ({ label: i.label, description: i.description, restore: i.restore })), { canPickMany: true, placeHolder, ignoreFocusOut: true });
    return picked?.map((p) => p.restore);
  },
});

export async function restoreAction(ctx: Ctx, dashboard: Dashboard, action: RestoreAction, args: unknown[]): Promise<void> {
  try {
    await runRestoreAction(action, restoresFrom(dashboard, args), () => dashboard.currentRestores, ctx.backend.restores, vscodeRestoreUi(ctx));
  } finally {
    void dashboard.refresh();
  }
}
