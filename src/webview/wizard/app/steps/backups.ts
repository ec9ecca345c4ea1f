/** Step 4, mode and backups: online or offline, where the backups are, and each database's names, folder and container. */
import * as l10n from '@vscode/l10n';
import { html, nothing, type TemplateResult } from 'lit';
import type { DatabaseBackup, WizardState } from '../../../../protocol/wizard';
import { send } from '../vscodeApi';
import { field, inputValue, isBusy, isChecked, opLine, picker, unavailable, type StepView } from '../widgets';

type ChainCheck = NonNullable<DatabaseBackup['check']>;

function chainCheck(c: ChainCheck): TemplateResult {
  const kinds = c.steps.map((st) => (st.backupType === 'Database' ? l10n.t('full') : st.backupType === 'DifferentialDatabase' ? l10n.t('differential') : st.backupType === 'TransactionLog' ? l10n.t('log') : st.backupType));
  const logs = kinds.filter((k) => k === l10n.t('log')).length;
  const last = c.steps[c.steps.length - 1];
  const summary = [kinds.filter((k) => k !== l10n.t('log')).join(' → '), logs ? l10n.t('{0} log backups', logs) : ''].filter(Boolean).join(' → ');
  return html`<div class="check ${c.ready ? 'check-ready' : 'check-not-ready'}" role="status">
    <p>
      <vscode-icon name=${c.ready ? 'pass-filled' : 'error'}></vscode-icon>
      ${c.ready ? l10n.t('Ready to restore: {0}', summary) : c.steps.length ? l10n.t('Not ready: {0}', summary) : l10n.t('Not ready')}
      ${last ? html`<span class="muted">${l10n.t('up to LSN {0}', last.lastLsn)}${last.finished ? ` (${last.finished})` : ''}</span>` : nothing}
    </p>
    ${c.problems.length ? html`<ul class="problems">${c.problems.map((p) => html`<li>${p}</li>`)}</ul>` : nothing}
    ${c.warnings.length ? html`<ul class="warnings">${c.warnings.map((w) => html`<li>${w}</li>`)}</ul>` : nothing}
    ${c.steps.length
      ? html`<details><summary>${l10n.t('Restore plan ({0} backups)', c.steps.length)}</summary>
          <table class="list compact"><thead><tr><th>${l10n.t('Type')}</th><th class="num">${l10n.t('First LSN')}</th><th class="num">${l10n.t('Last LSN')}</th><th>${l10n.t('Files')}</th></tr></thead>
          <tbody>${c.steps.map((st, i) => html`<tr><td>${kinds[i]}</td><td class="num">${st.firstLsn}</td><td class="num">${st.lastLsn}</td><td>${st.files.join(', ')}</td></tr>`)}</tbody></table>
        </details>`
      : nothing}
    ${c.ignored.length
      ? html`<details><summary>${c.ignored.length === 1 ? l10n.t('1 file left out') : l10n.t('{0} files left out', c.ignored.length)}</summary>
          <ul>${c.ignored.map((i) => html`<li><span class="path">${i.file}</span>: ${i.reason}</li>`)}</ul>
        </details>`
      : nothing}
  </div>`;
}

function databaseCard(s: WizardState, d: DatabaseBackup): TemplateResult {
  const b = s.backups;
  const key = d.source.replace(/[^A-Za-z0-9_-]/g, '_');
  const patch = (p: { target?: string; folder?: string; container?: string; lastBackupName?: string }) => send({ type: 'backups.updateDatabase', source: d.source, patch: p });
  const stale = d.check && d.check.folder !== d.folder;
  return html`<div class="card" data-database=${d.source}>
    <h3>${d.source}</h3>
    <div class="form">
      ${field(`target-${key}`, l10n.t('Target database name'), html`<vscode-textfield id=${`target-${key}`} .value=${d.target} @change=${(e: Event) => patch({ target: inputValue(e).trim() })}></vscode-textfield>`)}
      ${b.location === 'upload'
        ? field(`folder-${key}`, l10n.t('Backup folder on this machine'), html`<div class="row tight">
            <vscode-textfield id=${`folder-${key}`} class="grow" .value=${d.folder} placeholder=${l10n.t('/path/to/backups/{0}', d.source)}
              @change=${(e: Event) => patch({ folder: inputValue(e).trim() })}></vscode-textfield>
            <vscode-button secondary @click=${() => send({ type: 'backups.browse', source: d.source })}>${l10n.t('Browse...')}</vscode-button>
            <vscode-button secondary class="check-button" ?disabled=${!d.folder || d.checkOp.status === 'busy' || !s.capabilities.backupCheck.available}
              @click=${() => send({ type: 'backups.check', source: d.source })}>${l10n.t('Check Backups')}</vscode-button>
          </div>`, l10n.t('One folder per database: the migration service restores each database from its own folder.'), true)
        : nothing}
      ${b.location === 'share'
        ? field(`share-${key}`, l10n.t('Network share path'), html`<vscode-textfield id=${`share-${key}`} .value=${d.folder} placeholder="\\\\fileserver.contoso.com\\backups\\${d.source}"
            @change=${(e: Event) => patch({ folder: inputValue(e).trim() })}></vscode-textfield>`, l10n.t('The integration runtime reads this share and uploads the backups; one folder per database.'), true)
        : nothing}
      ${b.location !== 'share'
        ? field(`container-${key}`, b.location === 'upload' ? l10n.t('Upload to blob container') : l10n.t('Blob container with its backups'),
            html`<vscode-textfield id=${`container-${key}`} .value=${d.container} @change=${(e: Event) => patch({ container: inputValue(e).trim() })}></vscode-textfield>`,
            [l10n.t('container or container/folder: each database gets its own folder (by default its name).'), b.containers.length ? l10n.t('Containers in this account: {0}', b.containers.join(', ')) : ''].filter(Boolean).join(' '))
        : nothing}
      ${b.mode === 'offline' && b.location === 'blob'
        ? field(`last-${key}`, l10n.t('Last backup file'), html`<vscode-textfield id=${`last-${key}`} .value=${d.lastBackupName} @change=${(e: Event) => patch({ lastBackupName: inputValue(e).trim() })}></vscode-textfield>`)
        : nothing}
    </div>
    ${opLine(d.checkOp.status === 'done' ? { status: 'idle' } : d.checkOp)}
    ${d.check && !stale ? chainCheck(d.check) : nothing}
  </div>`;
}

function render(s: WizardState): TemplateResult {
  const b = s.backups;
  const storageOff = !s.capabilities.storage.available;
  return html`
    <p class="lead">${l10n.t('Choose how the databases move and where their backups are.')}</p>
    <div class="columns">
      <fieldset>
        <legend>${l10n.t('Mode')}</legend>
        <vscode-radio-group variant="vertical">
          <vscode-radio name="mode" value="online" label=${l10n.t('Online: restore backups as they arrive; you complete the cutover')} ?checked=${b.mode === 'online'}
            @change=${(e: Event) => isChecked(e) && send({ type: 'backups.update', patch: { mode: 'online' } })}></vscode-radio>
          <vscode-radio name="mode" value="offline" label=${l10n.t('Offline: restore once, up to the last backup, then bring the database online')} ?checked=${b.mode === 'offline'}
            @change=${(e: Event) => isChecked(e) && send({ type: 'backups.update', patch: { mode: 'offline' } })}></vscode-radio>
        </vscode-radio-group>
      </fieldset>
      <fieldset>
        <legend>${l10n.t('Backup location')}</legend>
        <vscode-radio-group variant="vertical">
          <vscode-radio name="location" value="upload" label=${l10n.t('A folder on this machine (uploaded by this extension)')} ?checked=${b.location === 'upload'}
            @change=${(e: Event) => isChecked(e) && send({ type: 'backups.update', patch: { location: 'upload' } })}></vscode-radio>
          <vscode-radio name="location" value="blob" label=${l10n.t('An Azure Storage blob container')} ?checked=${b.location === 'blob'}
            @change=${(e: Event) => isChecked(e) && send({ type: 'backups.update', patch: { location: 'blob' } })}></vscode-radio>
          <vscode-radio name="location" value="share" label=${l10n.t('A network share (uploaded by the integration runtime)')} ?checked=${b.location === 'share'}
            @change=${(e: Event) => isChecked(e) && send({ type: 'backups.update', patch: { location: 'share' } })}></vscode-radio>
        </vscode-radio-group>
      </fieldset>
    </div>
    ${unavailable(s, 'storage', ...(b.location === 'upload' ? (['backupCheck'] as const) : []))}
    <div class="form">
      ${field('storage', b.location === 'share' ? l10n.t('Storage account the runtime uploads to') : l10n.t('Storage account'), picker({
        id: 'storage', chosen: b.storageAccountId, items: b.storageAccounts, disabled: storageOff || isBusy(b),
        choose: l10n.t('Choose a storage account'), none: l10n.t('No storage accounts listed'),
        label: (a) => `${a.name} · ${a.location} · ${a.resourceGroup}`,
        onPick: (id) => send({ type: 'backups.update', patch: { storageAccountId: id } }),
      }))}
      ${b.location === 'share'
        ? html`${field('share-user', l10n.t('Share user (DOMAIN\\user)'), html`<vscode-textfield id="share-user" .value=${b.shareUserName} @change=${(e: Event) => send({ type: 'backups.update', patch: { shareUserName: inputValue(e).trim() } })}></vscode-textfield>`)}
            ${field('share-password', l10n.t('Share password'), html`<vscode-textfield id="share-password" type="password" autocomplete="off" placeholder=${b.sharePasswordEntered ? l10n.t('Entered (type to replace)') : ''}
              @change=${(e: Event) => send({ type: 'backups.sharePassword', value: inputValue(e) })}></vscode-textfield>`, l10n.t('Never saved; enter it again after reopening the wizard.'))}`
        : nothing}
    </div>
    ${opLine(b.op)}
    <h3 class="section">${b.databases.length === 1 ? l10n.t('1 database') : l10n.t('{0} databases', b.databases.length)}</h3>
    ${b.databases.length ? b.databases.map((d) => databaseCard(s, d)) : html`<p class="muted">${l10n.t('Select databases in the Source SQL Server step.')}</p>`}`;
}

export const backupsView: StepView = { title: () => l10n.t('Mode and backups'), render };
