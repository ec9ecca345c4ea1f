/**
 * Plans and per-item results of logins, TDE certificates and server objects as text for people
 * (the dashboard command's document, the wizard's log): what would be done, then what was done,
 * skipped (why) or failed (the server's message). No `vscode` here.
 */
import * as l10n from '@vscode/l10n';
import type { ObjectResult } from '../../core/serverObjects/agent/apply';
import type { ServerObjectScript } from '../../core/serverObjects/agent/script';
import type { LoginPlan } from '../../core/serverObjects/logins/plan';
import type { LoginApplyOutcome } from '../../core/serverObjects/session';
import type { TdeCertificateResult, TdePlan } from '../../core/tde/plan';
import { table } from '../../core/text';

export function tdePlanText(plan: TdePlan, note?: string): string {
  const lines: string[] = [];
  if (!plan.items.length) lines.push(l10n.t('No database chosen is encrypted with TDE: nothing to do.'));
  else {
    lines.push(table([
      [l10n.t('Certificate'), l10n.t('Thumbprint'), l10n.t('Databases'), l10n.t('Action'), l10n.t('Why')],
      ...plan.items.map((i) => [i.certificate ?? '', i.thumbprint, i.databases.join(', '), i.action === 'upload' ? l10n.t('UPLOAD') : i.action === 'on-target' ? l10n.t('ON TARGET') : l10n.t('CANNOT'), i.reason ?? '']),
    ]));
  }
  if (note) lines.push(l10n.t('Note: {0}', note));
  return lines.join('\n');
}

export function tdeResultsText(results: readonly TdeCertificateResult[]): string {
  if (!results.length) return l10n.t('No database chosen is encrypted with TDE: nothing to do.');
  return table([
    [l10n.t('Certificate'), l10n.t('Thumbprint'), l10n.t('Databases'), l10n.t('Result'), l10n.t('Details')],
    ...results.map((r) => [r.certificate ?? '', r.thumbprint, r.databases.join(', '), r.status.toUpperCase(), r.reason ?? r.message ?? '']),
  ]);
}

export function loginPlanText(plan: LoginPlan): string {
  const lines = [table([
    [l10n.t('Login'), l10n.t('On the target'), l10n.t('Action'), l10n.t('Why / what follows')],
    ...plan.logins.map((l) => [
      l.source,
      l.action === 'create' ? `${l.target} (${l.targetKind})` : l.action === 'skip' ? l.target ?? '' : '',
      l.action === 'create' ? l10n.t('CREATE') : l.action === 'skip' ? l10n.t('SKIP') : l10n.t('EXCLUDED'),
      l.action === 'create' ? [...l.then.map((t) => t.what), ...l.notes].join('; ') : l.reason,
    ]),
  ])];
  for (const r of plan.roles) lines.push(l10n.t('server role {0}: {1}', r.name, r.action === 'create' ? l10n.t('CREATE') : l10n.t('exists')) + (r.then.length ? ` (${r.then.map((t) => t.what).join('; ')})` : ''));
  return lines.join('\n');
}

export function loginResultsText(o: Omit<LoginApplyOutcome, 'failed'>): string {
  const lines = [table([
    [l10n.t('Login'), l10n.t('On the target'), l10n.t('Result'), l10n.t('Details')],
    ...o.logins.map((l) => [
      l.source, l.target ?? '', l.status.toUpperCase(),
      [l.reason, l.message, ...l.then.map((t) => (t.ok ? t.what : l10n.t('{0} FAILED: {1}', t.what, t.message ?? ''))), ...l.notes].filter(Boolean).join('; '),
    ]),
  ])];
  for (const r of o.roles) lines.push(l10n.t('server role {0}: {1}', r.name, r.status) + (r.message ? ` (${r.message})` : '') + r.then.filter((t) => !t.ok).map((t) => `; ${l10n.t('{0} FAILED: {1}', t.what, t.message ?? '')}`).join(''));
  if (o.users.length) {
    lines.push('', table([[l10n.t('Database'), l10n.t('User'), l10n.t('Result'), l10n.t('Login / why')], ...o.users.map((u) => [u.database, u.user, u.status.toUpperCase(), [u.login, u.message].filter(Boolean).join(': ')])]));
  }
  if (o.notOnTarget.length) lines.push(l10n.t('Not on the instance (yet), users not mapped: {0}', o.notOnTarget.join(', ')));
  return lines.join('\n');
}

export function scriptSummaryText(script: ServerObjectScript): string {
  const lines = [l10n.t('{0} objects scripted, {1} items not supported.', script.objects.length, script.unsupported.length)];
  if (script.objects.length) lines.push(table([[l10n.t('Kind'), l10n.t('Name'), l10n.t('To fill in')], ...script.objects.map((o) => [o.kind, o.name, o.placeholders.join('; ')])]));
  if (script.unsupported.length) lines.push(table([[l10n.t('Not supported'), l10n.t('Name'), l10n.t('Why')], ...script.unsupported.map((u) => [u.kind, u.name, u.reason])]));
  for (const w of script.warnings) lines.push(l10n.t('Warning: {0}', w));
  return lines.join('\n');
}

export function objectResultsText(results: readonly ObjectResult[]): string {
  if (!results.length) return l10n.t('The script holds no object to apply.');
  return table([[l10n.t('Kind'), l10n.t('Name'), l10n.t('Result'), l10n.t('Why')], ...results.map((r) => [r.kind, r.name, r.status.toUpperCase(), r.reason ?? r.message ?? ''])]);
}
