/** The last step, the plan in one place, and what starting it did. Thousands of databases: the table shows a screenful at a time. */
import * as l10n from '@vscode/l10n';
import { html, nothing, type TemplateResult } from 'lit';
import { guard } from 'lit/directives/guard.js';
import { readsBlobContainer, type DatabaseBackup, type WizardState } from '../../../../protocol/wizard';
import { count, opLine, unavailable, virtualBody, virtualScroller, type StepView } from '../widgets';
import { containerAccessName, engineName } from './engine';
import { serverObjectsSummary } from './serverObjects';

type Started = WizardState['start']['results'][number];

function render(s: WizardState): TemplateResult {
  const cloud = s.account.clouds.find((c) => c.name === s.account.cloudName)?.displayName ?? s.account.cloudName;
  const instanceName = new Map(s.target.instances.map((i) => [i.id, i.name]));
  const chosen = s.target.instanceIds.map((id) => s.target.instances.find((i) => i.id === id)).filter(Boolean);
  const storage = s.backups.storageAccounts.find((a) => a.id === s.backups.storageAccountId);
  const svc = s.service.services.find((x) => x.id === s.service.serviceId);
  const where = { upload: l10n.t('Folders on this machine, uploaded by this extension'), blob: l10n.t('Blob containers'), share: l10n.t('Network shares, uploaded by the integration runtime') }[s.backups.location];
  const rows: [string, string][] = [
    [l10n.t('Cloud'), `${cloud}${s.account.signedIn ? ` (${s.account.signedIn})` : ''}`],
    [l10n.t('Source'), `${s.source.server}${s.source.userName ? ` (${s.source.userName})` : ''}`],
    [chosen.length > 1 ? l10n.t('Targets') : l10n.t('Target'), chosen.length ? chosen.map((i) => `${i!.name} · ${i!.location}`).join('; ') : '—'],
    [l10n.t('Databases'), count(s.backups.databases.length)],
    [l10n.t('Mode'), s.backups.mode === 'online' ? l10n.t('Online') : l10n.t('Offline')],
    [l10n.t('Backups'), where],
    [l10n.t('Storage account'), storage?.name ?? '—'],
    [l10n.t('Engine'), engineName(s)],
    ...(s.engine.kind === 'lrs' ? [] : [[l10n.t('Migration service'), svc?.name ?? '—'] as [string, string]]),
    ...(readsBlobContainer(s) ? [[l10n.t('Container access'), containerAccessName(s)] as [string, string]] : []),
    [l10n.t('Besides the databases'), serverObjectsSummary(s).plan],
  ];
  const location = s.backups.location;
  const list = {
    id: 'summary-scroll',
    items: s.backups.databases,
    rowHeight: 28,
    height: 360,
    columns: 5,
    key: (d: DatabaseBackup) => d.source,
    row: (d: DatabaseBackup) => guard([d, location], () => html`<tr data-database=${d.source}><td>${d.source}</td><td>${d.target}</td><td>${d.instanceId ? instanceName.get(d.instanceId) ?? '' : ''}</td>
      <td class="path" title=${location === 'upload' ? `${d.folder} → ${d.container}` : location === 'blob' ? d.container : d.folder}>${location === 'upload' ? `${d.folder} → ${d.container}` : location === 'blob' ? d.container : d.folder}</td>
      <td>${d.check ? (d.check.ready ? html`<span class="ok">${l10n.t('ready')}</span>` : html`<span class="bad">${l10n.t('not ready')}</span>`) : html`<span class="muted">${l10n.t('checked by the service')}</span>`}</td></tr>`),
  };
  const failed = s.start.results.filter((r) => r.error);
  const started = s.start.results.length - failed.length;
  return html`
    <p class="lead">${l10n.t('Check the plan, then start. Online migrations keep restoring log backups until you complete the cutover.')}</p>
    ${unavailable(s, s.engine.kind === 'lrs' ? 'logReplay' : 'starter')}
    <dl class="summary">${rows.map(([term, detail]) => html`<dt>${term}</dt><dd>${detail}</dd>`)}</dl>
    ${virtualScroller(list, html`<table class="list virtual" id="plan">
      <thead><tr><th>${l10n.t('Source database')}</th><th>${l10n.t('Target database')}</th><th>${l10n.t('Instance')}</th><th>${l10n.t('Backups')}</th><th>${l10n.t('Chain')}</th></tr></thead>
      ${virtualBody(list)}
    </table>`)}
    ${opLine(s.start.op)}
    ${s.start.results.length > 1 ? html`<p class="help">${l10n.t('{0} started, {1} not started.', count(started), count(failed.length))}</p>` : nothing}
    ${s.start.results.length
      ? html`<ul class="tests">${[...failed, ...s.start.results.filter((r) => !r.error)].slice(0, 200).map((r: Started) => html`<li class=${r.error ? 'bad' : 'ok'}><vscode-icon name=${r.error ? 'error' : 'pass-filled'}></vscode-icon>
          ${r.error ? l10n.t('{0}: {1}', r.sourceDatabase, r.error) : l10n.t('{0} → {1} started', r.sourceDatabase, r.targetDatabase)}</li>`)}</ul>`
      : nothing}
    ${serverObjectsSummary(s).results}`;
}

export const summaryView: StepView = { title: () => l10n.t('Summary'), render };
