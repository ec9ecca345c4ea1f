/**
 * Validate and Compare Baseline (a succeeded migration or restore): ask in the editor for what
 * they do not know (the source server and login, the instance's login, the source's baseline
 * folder) and the passwords, which are used for this run only (never saved, never logged), run
 * the core's validation or baseline capture with progress, and open the HTML report in the editor.
 */
import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import * as l10n from '@vscode/l10n';
import type { Ctx } from '../ctx';
import type { Dashboard } from '../dashboard/dashboard';
import type { ViewNode } from '../dashboard/model';
import { subjectOfMigration, subjectOfRestore, type ValidateSubject } from '../dashboard/validateSubject';
import { ActionableError, UserCancelledError } from '../errors';
import type { SourceConnectionInfo } from '../services/types';
import { compareWithBaseline, targetAddress, validateMigrated, type ValidationTarget } from '../services/validation';

const REPORT_PANEL = 'sqlMigration.validationReport';

/** The migration or restore a command was invoked on (a tree node or an id), whatever its state. */
export function subjectsOf(dashboard: Dashboard, arg: unknown): ValidateSubject | undefined {
  const id = typeof (arg as ViewNode)?.migrationId === 'string' ? (arg as ViewNode).migrationId! : typeof (arg as { id?: unknown })?.id === 'string' ? (arg as { id: string }).id : undefined;
  if (!id) return undefined;
  const m = dashboard.find(id);
  if (m) return subjectOfMigration(m);
  const v = dashboard.findRestore(id);
  return v && subjectOfRestore(v);
}

/** An input box; backing out cancels the command. */
export async function ask(prompt: string, value: string | undefined, password = false): Promise<string> {
  const answer = await vscode.window.showInputBox({ prompt, ...(value && { value }), password, ignoreFocusOut: true });
  if (answer === undefined) throw new UserCancelledError();
  return answer.trim();
}

/**
 * The source of a migration as this machine reaches it: server and login (prefilled from what the
 * service was told), whether to trust its certificate (asked when the service was not told), and
 * the password, for this run only.
 */
export async function askSource(ctx: Ctx, s: ValidateSubject, why: string): Promise<{ source: SourceConnectionInfo; secret: string }> {
  const server = await ask(l10n.t('The source SQL Server of {0} (HOST or HOST,PORT), as this machine reaches it', s.database), s.sourceServer);
  const user = await ask(l10n.t('The login on {0}', server), s.sourceUser);
  let trust = s.sourceTrustServerCertificate;
  if (trust === undefined) {
    const yes = l10n.t('Trust the Server Certificate');
    const pick = await vscode.window.showQuickPick([l10n.t('Verify the Server Certificate'), yes], { placeHolder: l10n.t('{0}: verify its TLS certificate, or trust it as it is (a self-signed certificate)', server), ignoreFocusOut: true });
    if (!pick) throw new UserCancelledError();
    trust = pick === yes;
  }
  const secret = await ask(l10n.t('The password of {0} on {1} ({2}; used for this run only, never saved)', user, server, why), undefined, true);
  ctx.redactor.add(secret);
  const authentication = s.sourceAuthentication ?? (user.includes('\\') ? 'WindowsAuthentication' : 'SqlAuthentication');
  return { source: { server, authentication, userName: user, encrypt: 'mandatory', trustServerCertificate: trust }, secret };
}

/** The succeeded migration or restore a command runs on: the one it was invoked on, or picked. */
async function succeededSubject(dashboard: Dashboard, args: unknown[]): Promise<ValidateSubject | undefined> {
  let subject = subjectsOf(dashboard, args[0]);
  if (!subject) {
    const all = [...dashboard.current.flatMap((m) => subjectOfMigration(m) ?? []), ...dashboard.currentRestores.map(subjectOfRestore)].filter((s) => s.succeeded);
    if (!all.length) {
      void vscode.window.showInformationMessage(l10n.t('No migration has succeeded yet: validate after the cutover.'));
      return;
    }
    const pick = await vscode.window.showQuickPick(all.map((s) => ({ label: s.label, description: s.instanceId.slice(s.instanceId.lastIndexOf('/') + 1), s })), { placeHolder: l10n.t('Select the migrated database to validate') });
    if (!pick) throw new UserCancelledError();
    subject = pick.s;
  }
  if (!subject.succeeded) throw new ActionableError(l10n.t('{0} has not been migrated yet.', subject.label), l10n.t('Validate after the cutover, once the migration has succeeded.'));
  return subject;
}

/** A login on the instance and its password (for this run only), and where the instance answers (ARM). */
async function instanceLogin(ctx: Ctx, s: ValidateSubject, signal: AbortSignal): Promise<ValidationTarget> {
  const user = await ask(l10n.t('A login on the managed instance (e.g. its admin)'), undefined);
  const password = await ask(l10n.t('The password of {0} on the managed instance (used for this run only, never saved)', user), undefined, true);
  ctx.redactor.add(password);
  const address = await targetAddress(await ctx.current(signal), s.instanceId, signal);
  return { ...address, user, password };
}

function openReport(title: string, html: string): void {
  const panel = vscode.window.createWebviewPanel(REPORT_PANEL, title, vscode.ViewColumn.Active, { enableScripts: false, localResourceRoots: [] });
  panel.webview.html = html;
}

export async function validateMigration(ctx: Ctx, dashboard: Dashboard, args: unknown[]): Promise<void> {
  const subject = await succeededSubject(dashboard, args);
  if (!subject) return;
  const s = subject;
  const { source, secret: sourceSecret } = await askSource(ctx, s, l10n.t('for this validation'));
  const target = await instanceLogin(ctx, s, new AbortController().signal);
  const outcome = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: l10n.t('Validating {0}: source against target', s.label), cancellable: true }, async (_p, token) => {
    const abort = new AbortController();
    token.onCancellationRequested(() => abort.abort());
    return validateMigrated({
      source,
      sourceSecret,
      target,
      database: s.database,
      targetDatabase: s.targetDatabase,
    }, abort.signal);
  });
  ctx.log.info(`validation: ${outcome.summary}`);
  openReport(l10n.t('Validation: {0}', s.label), outcome.html);
  if (outcome.passed) void vscode.window.showInformationMessage(l10n.t('{0}: the validation passed.', s.label));
  else void vscode.window.showWarningMessage(l10n.t('{0}: the validation found differences; see the report.', s.label));
}

export async function compareBaseline(ctx: Ctx, dashboard: Dashboard, args: unknown[]): Promise<void> {
  const s = await succeededSubject(dashboard, args);
  if (!s) return;
  const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, title: l10n.t('The baseline captured on the source before the migration (sqlmig baseline capture)'), openLabel: l10n.t('Use Baseline') });
  const before = picked?.[0]?.fsPath;
  if (!before) throw new UserCancelledError();
  const minutes = Number(await ask(l10n.t('Minutes to capture the workload on the instance (the source baseline\'s length is best; cancel stops early and still compares)'), '10'));
  if (!Number.isFinite(minutes) || minutes <= 0) throw new ActionableError(l10n.t('"{0}" is not a number of minutes.', String(minutes)), l10n.t('Enter the minutes as a number, e.g. 10.'));
  const target = await instanceLogin(ctx, s, new AbortController().signal);
  const after = join(dirname(before), `${basename(before)}-${s.targetDatabase}-target-${new Date().toISOString().slice(0, 16).replace(/[:T]/g, '')}`);
  const outcome = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: l10n.t('Capturing the baseline of {0} on the instance', s.label), cancellable: true }, async (progress, token) => {
    const abort = new AbortController();
    token.onCancellationRequested(() => abort.abort());
    let last = 0;
    return compareWithBaseline({ target, beforeFolder: before, afterFolder: after, durationSec: Math.round(minutes * 60) }, abort.signal, (fraction) => {
      progress.report({ increment: Math.max(0, fraction - last) * 100 });
      last = fraction;
    });
  });
  ctx.log.info(`baseline: ${outcome.summary}; the target's baseline is in ${after}`);
  openReport(l10n.t('Baseline: {0}', s.label), outcome.html);
  void vscode.window.showInformationMessage(outcome.worse ? l10n.t('{0}: something got slower than the baseline; see the report.', s.label) : l10n.t('{0}: nothing got worse than the baseline.', s.label));
}
