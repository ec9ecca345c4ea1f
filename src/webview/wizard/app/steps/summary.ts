/** Step 6, the plan in one place, and what starting it did. */
import * as l10n from '@vscode/l10n';
import { html, nothing, type TemplateResult } from 'lit';
import type { WizardState } from '../../../../protocol/wizard';
import { opLine, unavailable, type StepView } from '../widgets';

function render(s: WizardState): TemplateResult {
  const cloud = s.account.clouds.find((c) => c.name === s.account.cloudName)?.displayName ?? s.account.cloudName;
  const mi = s.target.instances.find((i) => i.id === s.target.instanceId);
  const storage = s.backups.storageAccounts.find((a) => a.id === s.backups.storageAccountId);
  const svc = s.service.services.find((x) => x.id === s.service.serviceId);
  const where = { upload: l10n.t('Folders on this machine, uploaded by this extension'), blob: l10n.t('Blob containers'), share: l10n.t('Network shares, uploaded by the integration runtime') }[s.backups.location];
  const rows: [string, string][] = [
    [l10n.t('Cloud'), `${cloud}${s.account.signedIn ? ` (${s.account.signedIn})` : ''}`],
    [l10n.t('Source'), `${s.source.server}${s.source.userName ? ` (${s.source.userName})` : ''}`],
    [l10n.t('Target'), mi ? `${mi.name} · ${mi.location}` : '—'],
    [l10n.t('Mode'), s.backups.mode === 'online' ? l10n.t('Online') : l10n.t('Offline')],
    [l10n.t('Backups'), where],
    [l10n.t('Storage account'), storage?.name ?? '—'],
    [l10n.t('Migration service'), svc?.name ?? '—'],
  ];
  return html`
    <p class="lead">${l10n.t('Check the plan, then start. Online migrations keep restoring log backups until you complete the cutover.')}</p>
    ${unavailable(s, 'starter')}
    <dl class="summary">${rows.map(([term, detail]) => html`<dt>${term}</dt><dd>${detail}</dd>`)}</dl>
    <table class="list">
      <thead><tr><th>${l10n.t('Source database')}</th><th>${l10n.t('Target database')}</th><th>${l10n.t('Backups')}</th><th>${l10n.t('Chain')}</th></tr></thead>
      <tbody>${s.backups.databases.map((d) => html`<tr><td>${d.source}</td><td>${d.target}</td><td class="path">${s.backups.location === 'upload' ? `${d.folder} → ${d.container}` : s.backups.location === 'blob' ? d.container : d.folder}</td>
        <td>${d.check ? (d.check.ready ? html`<span class="ok">${l10n.t('ready')}</span>` : html`<span class="bad">${l10n.t('not ready')}</span>`) : html`<span class="muted">${l10n.t('checked by the service')}</span>`}</td></tr>`)}</tbody>
    </table>
    ${opLine(s.start.op)}
    ${s.start.results.length
      ? html`<ul class="tests">${s.start.results.map((r) => html`<li class=${r.error ? 'bad' : 'ok'}><vscode-icon name=${r.error ? 'error' : 'pass-filled'}></vscode-icon>
          ${r.error ? l10n.t('{0}: {1}', r.sourceDatabase, r.error) : l10n.t('{0} → {1} started', r.sourceDatabase, r.targetDatabase)}</li>`)}</ul>`
      : nothing}`;
}

export const summaryView: StepView = { title: () => l10n.t('Summary'), render };
