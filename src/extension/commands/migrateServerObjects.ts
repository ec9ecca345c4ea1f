/**
 * "Logins, TDE Certificates and Server Objects..." on a migration or restore of the dashboard:
 * ask for what is not known (the source server and login, the instance's login; passwords for
 * this run only), pick what to do, show the plan (what would be done) in a document, confirm,
 * then show what was done per item. Agent jobs and other server objects open as a T-SQL script
 * to review and fill in; it is applied on request. The work is the core's (services/serverObjects.ts).
 */
import * as vscode from 'vscode';
import * as l10n from '@vscode/l10n';
import type { LoginMigration } from '../../core/serverObjects/session';
import type { TdePlan } from '../../core/tde/plan';
import type { Ctx } from '../ctx';
import type { Dashboard } from '../dashboard/dashboard';
import { subjectOfMigration, subjectOfRestore, type ValidateSubject } from '../dashboard/validateSubject';
import { UserCancelledError } from '../errors';
import * as so from '../services/serverObjects';
import { loginPlanText, loginResultsText, objectResultsText, scriptSummaryText, tdePlanText, tdeResultsText } from '../services/serverObjectsText';
import type { ReportDocuments } from './reportDocuments';
import { ask, askSource, subjectsOf } from './validateMigration';

type Part = 'logins' | 'remap' | 'tde' | 'objects';

const WINDOWS = new Set(['windows-user', 'windows-group']);

/** The migration or restore it runs on: the one it was invoked on, or one picked (any state: a TDE database's migration may not have started). */
async function pickSubject(dashboard: Dashboard, args: unknown[]): Promise<ValidateSubject> {
  const given = subjectsOf(dashboard, args[0]);
  if (given) return given;
  const all = [...dashboard.current.flatMap((m) => subjectOfMigration(m) ?? []), ...dashboard.currentRestores.map(subjectOfRestore)];
  if (!all.length) {
    void vscode.window.showInformationMessage(l10n.t('No migration to work on: start one first.'));
    throw new UserCancelledError();
  }
  const pick = await vscode.window.showQuickPick(all.map((s) => ({ label: s.label, description: s.instanceId.slice(s.instanceId.lastIndexOf('/') + 1), s })), { placeHolder: l10n.t('Select the migration whose logins, TDE certificate or server objects to move'), ignoreFocusOut: true });
  if (!pick) throw new UserCancelledError();
  return pick.s;
}

async function pickParts(s: ValidateSubject): Promise<Part[]> {
  const items: (vscode.QuickPickItem & { part: Part })[] = [
    { part: 'logins', label: l10n.t('$(person) Logins'), description: l10n.t('create the source\'s logins on the instance (what exists is skipped)'), picked: true },
    { part: 'remap', label: l10n.t('$(link) Map the users of {0}', s.targetDatabase), description: l10n.t('to the logins on the instance (Windows users to their Microsoft Entra logins)') },
    { part: 'tde', label: l10n.t('$(key) TDE certificate of {0}', s.database), description: l10n.t('upload it to the instance (needed before an encrypted database restores)') },
    { part: 'objects', label: l10n.t('$(server) Agent jobs and other server objects'), description: l10n.t('a T-SQL script to review, applied on request') },
  ];
  const picked = await vscode.window.showQuickPick(items, { canPickMany: true, placeHolder: l10n.t('What to move to {0}', s.instanceId.slice(s.instanceId.lastIndexOf('/') + 1)), ignoreFocusOut: true });
  if (!picked?.length) throw new UserCancelledError();
  return picked.map((p) => p.part);
}

function progress<T>(title: string, work: (signal: AbortSignal) => Promise<T>): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (_p, token) => {
    const abort = new AbortController();
    token.onCancellationRequested(() => abort.abort());
    return work(abort.signal);
  });
}

async function openDocument(content: string, language: string): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument({ content, language });
  await vscode.window.showTextDocument(doc, { preview: false });
  return doc;
}

const section = (title: string, body: string) => `## ${title}\n\n\`\`\`text\n${body}\n\`\`\`\n`;

/** The logins to move, from the plan without a mapping; a domain mapping when a Windows login is among them. */
async function chooseLogins(pair: so.ServerPair, signal: AbortSignal): Promise<{ names: string[]; mapping: string[] }> {
  const first = await progress(l10n.t('Reading the logins of the source and the instance'), (sig) => so.planLogins(pair, { mapping: [] }, sig));
  signal.throwIfAborted();
  const choices = first.plan.logins.filter((l) => l.action !== 'exclude');
  if (!choices.length) return { names: [], mapping: [] };
  const picked = await vscode.window.showQuickPick(
    choices.map((l) => ({ label: l.source, description: l.action === 'create' ? l10n.t('create as {0}', l.target) : l.reason, picked: l.action === 'create' || WINDOWS.has(l.sourceKind), login: l })),
    { canPickMany: true, placeHolder: l10n.t('The logins to create on the instance'), ignoreFocusOut: true },
  );
  if (!picked) throw new UserCancelledError();
  const names = picked.map((p) => p.login.source);
  const mapping = picked.some((p) => WINDOWS.has(p.login.sourceKind)) ? await askMapping() : [];
  return { names, mapping };
}

async function askMapping(): Promise<string[]> {
  const text = await vscode.window.showInputBox({
    prompt: l10n.t('Windows domains to Microsoft Entra domains, e.g. CONTOSO=contoso.com (several: separate with commas). Users become name@contoso.com; groups keep their name.'),
    placeHolder: 'CONTOSO=contoso.com',
    ignoreFocusOut: true,
  });
  if (text === undefined) throw new UserCancelledError();
  const entries = so.mappingEntries(text);
  await so.domainMapping(entries); // says now which entry is wrong
  return entries;
}

export async function migrateServerObjects(ctx: Ctx, dashboard: Dashboard, reports: ReportDocuments, args: unknown[]): Promise<void> {
  const s = await pickSubject(dashboard, args);
  const instance = s.instanceId.slice(s.instanceId.lastIndexOf('/') + 1);
  const parts = await pickParts(s);
  const { source, secret: sourceSecret } = await askSource(ctx, s, l10n.t('to read its logins, certificates and server objects'));
  // TDE certificates go up through Azure Resource Manager: the instance's login is needed for the rest only.
  let instanceLogin: so.ServerPair['instanceLogin'];
  if (parts.some((p) => p !== 'tde')) {
    const targetUser = await ask(l10n.t('A login on {0} (e.g. its admin)', instance), undefined);
    const password = await ask(l10n.t('The password of {0} on {1} (used for this run only, never saved)', targetUser, instance), undefined, true);
    ctx.redactor.add(password);
    instanceLogin = { user: targetUser, password };
  }
  const abort = new AbortController();
  const pair: so.ServerPair = {
    account: await ctx.current(abort.signal),
    instanceId: s.instanceId,
    source,
    sourceSecret,
    ...(instanceLogin && { instanceLogin }),
  };

  // What would be done, all of it, before anything is changed.
  const chosen = parts.includes('logins') ? await chooseLogins(pair, abort.signal) : undefined;
  const remapMapping = parts.includes('remap') && !chosen?.mapping.length ? await askMappingIfWindows(pair) : chosen?.mapping ?? [];
  const plans = await progress(l10n.t('Planning what to move to {0}', instance), async (signal) => ({
    tde: parts.includes('tde') ? await so.planTdeCertificates(pair, [s.database], signal) : undefined,
    logins: chosen?.names.length ? await so.planLogins(pair, { mapping: chosen.mapping, names: chosen.names }, signal) : undefined,
    script: parts.includes('objects') ? await so.scriptServerObjects(pair, signal) : undefined,
  }));
  const plan = [`# ${l10n.t('Logins, TDE certificates and server objects: {0} to {1}', s.database, instance)}`, ''];
  if (plans.tde) plan.push(section(l10n.t('TDE certificate (plan)'), tdePlanText(plans.tde.plan, plans.tde.note)));
  if (plans.logins) plan.push(section(l10n.t('Logins (plan)'), loginPlanText(plans.logins.plan)));
  if (parts.includes('remap')) plan.push(section(l10n.t('Users of {0} (plan)', s.targetDatabase), l10n.t('Map each user of {0} on the instance to its login (ALTER USER ... WITH LOGIN); SQL users find theirs by SID.', s.targetDatabase)));
  if (plans.script) plan.push(section(l10n.t('Agent jobs and other server objects (script opened for review)'), scriptSummaryText(plans.script.script)));
  await reports.show(l10n.t('Plan for {0}.md', instance), plan.join('\n'));
  const scriptDoc = plans.script && (await openDocument(plans.script.text, 'sql'));

  const toUpload = plans.tde?.plan.items.some((i) => i.action === 'upload');
  const toCreate = plans.logins?.plan.logins.some((l) => l.action === 'create');
  if (toUpload || toCreate || parts.includes('remap')) {
    const apply = l10n.t('Apply');
    const what = [toUpload && l10n.t('upload the TDE certificate'), toCreate && l10n.t('create the logins'), parts.includes('remap') && l10n.t('map the users of {0}', s.targetDatabase)].filter(Boolean).join(', ');
    const ok = await vscode.window.showWarningMessage(l10n.t('Apply the plan to {0}?', instance), { modal: true, detail: l10n.t('This will {0}, as the plan document lists. Nothing on the instance is dropped or changed.', what) }, apply);
    if (ok !== apply) throw new UserCancelledError();
    const results = await progress(l10n.t('Applying to {0}', instance), (signal) => applyPlans(pair, { tde: plans.tde?.plan, logins: plans.logins, mapping: chosen?.mapping ?? remapMapping, remap: parts.includes('remap') ? [s.targetDatabase] : [] }, signal));
    ctx.log.info(`server objects: ${s.database} to ${instance}:\n${results.text}`);
    await reports.show(l10n.t('Results for {0}.md', instance), [`# ${l10n.t('Results: {0} to {1}', s.database, instance)}`, '', results.text].join('\n'));
    if (results.failed) void vscode.window.showWarningMessage(l10n.t('Something was not moved to {0}: see the results.', instance));
  }

  if (scriptDoc && plans.script?.script.objects.length) {
    const apply = l10n.t('Apply Script to {0}', instance);
    const pick = await vscode.window.showInformationMessage(l10n.t('Review the server-objects script, fill in each <FILL IN: ...>, then apply it to {0} (object by object; what exists is skipped).', instance), apply);
    if (pick !== apply) return;
    const { results, failed } = await progress(l10n.t('Applying the server objects to {0}', instance), (signal) => so.applyServerObjectScript(pair, scriptDoc.getText(), signal));
    const text = objectResultsText(results);
    ctx.log.info(`server objects: script applied to ${instance}:\n${text}`);
    await reports.show(l10n.t('Server objects applied to {0}.md', instance), [`# ${l10n.t('Server objects applied to {0}', instance)}`, '', section(l10n.t('Results'), text)].join('\n'));
    if (failed) void vscode.window.showWarningMessage(l10n.t('Some server objects were not created on {0}: see the results.', instance));
  }
}

async function askMappingIfWindows(pair: so.ServerPair): Promise<string[]> {
  const migration = await progress(l10n.t('Reading the logins of the source'), (sig) => so.planLogins(pair, { mapping: [] }, sig));
  return migration.source.logins.some((l) => WINDOWS.has(l.kind)) ? askMapping() : [];
}

/** TDE first (the restore needs it), then the logins, then the users mapped to them: each part's results, and whether anything failed. */
async function applyPlans(pair: so.ServerPair, p: { tde?: TdePlan; logins?: LoginMigration; mapping: string[]; remap: string[] }, signal: AbortSignal): Promise<{ text: string; failed: boolean }> {
  const out: string[] = [];
  let failed = false;
  if (p.tde) {
    const r = await so.uploadTdeCertificates(pair, p.tde, signal);
    out.push(section(l10n.t('TDE certificate'), tdeResultsText(r.results)));
    failed ||= r.failed;
  }
  if (p.logins || p.remap.length) {
    const r = p.logins
      ? await so.applyLogins(pair, p.logins, { mapping: p.mapping, remapDatabases: p.remap }, signal)
      : await so.remapUsers(pair, { mapping: p.mapping, databases: p.remap }, signal);
    out.push(section(p.logins ? l10n.t('Logins') : l10n.t('Users'), loginResultsText(r)));
    failed ||= r.failed;
  }
  return { text: out.join('\n'), failed };
}
