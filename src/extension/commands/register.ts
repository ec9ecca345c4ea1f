/**
 * Every command goes through here: a user who backs out sees nothing, any other failure
 * becomes one notification that says what to do next (with a button to the log), and the
 * details, redacted, go to the log.
 */
import * as vscode from 'vscode';
import * as l10n from '@vscode/l10n';
import { describeError, isCancellation } from '../errors';
import type { Ctx } from '../ctx';

export type CommandHandler = (...args: unknown[]) => Promise<unknown> | unknown;

export async function runReported(ctx: Ctx, doing: string, work: () => Promise<unknown> | unknown): Promise<void> {
  try {
    await work();
  } catch (e) {
    if (isCancellation(e)) {
      ctx.log.debug(`${doing}: cancelled`);
      return;
    }
    const report = describeError(e, doing);
    ctx.log.error(report.detail);
    const showLog = l10n.t('Show Log');
    const text = ctx.redactor.redact(`${report.message} ${report.next}`);
    void vscode.window.showErrorMessage(text, showLog).then((pick) => pick === showLog && ctx.log.show());
  }
}

export function registerCommand(ctx: Ctx, id: string, doing: string, handler: CommandHandler): void {
  ctx.subscriptions.push(vscode.commands.registerCommand(id, (...args: unknown[]) => runReported(ctx, doing, () => handler(...args))));
}
