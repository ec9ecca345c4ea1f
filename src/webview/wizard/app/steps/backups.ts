/**
 * Step 4, mode and backups: online or offline, where the backups are, and each database's names,
 * folder and container. With many databases: answers for all of them at once (a parent folder,
 * a share root, one container), a filter, and the cards a page at a time.
 */
import * as l10n from '@vscode/l10n';
import { html, nothing, type TemplateResult } from 'lit';
import { guard } from 'lit/directives/guard.js';
import { repeat } from 'lit/directives/repeat.js';
import type { DatabaseBackup, WizardState } from '../../../../protocol/wizard';
import { invalidate, ui, type BackupsFilter } from '../ui';
import { send } from '../vscodeApi';
import { count, field, inputValue, isBusy, isChecked, opLine, picker, unavailable, type StepView } from '../widgets';
import { engineSection } from './engine';

type ChainCheck = NonNullable<DatabaseBackup['check']>;

const PAGE = 20;

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

function databaseCard(b: WizardState['backups'], checkOff: boolean, instance: string | undefined, d: DatabaseBackup, lrs: boolean): TemplateResult {
  const key = d.source.replace(/[^A-Za-z0-9_-]/g, '_');
  const patch = (p: { target?: string; folder?: string; container?: string; lastBackupName?: string }) => send({ type: 'backups.updateDatabase', source: d.source, patch: p });
  const stale = d.check && d.check.folder !== d.folder;
  return html`<div class="card" data-database=${d.source}>
    <h3>${d.source}${instance ? html` <span class="muted">→ ${instance}</span>` : nothing}</h3>
    <div class="form">
      ${field(`target-${key}`, l10n.t('Target database name'), html`<vscode-textfield id=${`target-${key}`} .value=${d.target} @change=${(e: Event) => patch({ target: inputValue(e).trim() })}></vscode-textfield>`)}
      ${b.location === 'upload'
        ? field(`folder-${key}`, l10n.t('Backup folder on this machine'), html`<div class="row tight">
            <vscode-textfield id=${`folder-${key}`} class="grow" .value=${d.folder} placeholder=${l10n.t('/path/to/backups/{0}', d.source)}
              @change=${(e: Event) => patch({ folder: inputValue(e).trim() })}></vscode-textfield>
            <vscode-button secondary @click=${() => send({ type: 'backups.browse', source: d.source })}>${l10n.t('Browse...')}</vscode-button>
            <vscode-button secondary class="check-button" ?disabled=${!d.folder || d.checkOp.status === 'busy' || checkOff}
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
            l10n.t('container or container/folder: each database gets its own folder (by default its name).'))
        : nothing}
      ${b.mode === 'offline' && b.location === 'blob' && !lrs
        ? field(`last-${key}`, l10n.t('Last backup file'), html`<vscode-textfield id=${`last-${key}`} .value=${d.lastBackupName} @change=${(e: Event) => patch({ lastBackupName: inputValue(e).trim() })}></vscode-textfield>`)
        : nothing}
    </div>
    ${opLine(d.checkOp.status === 'done' ? { status: 'idle' } : d.checkOp)}
    ${d.check && !stale ? chainCheck(d.check) : nothing}
  </div>`;
}

/** Answers for every database at once: what a thousand single entries would take. */
function bulkBar(s: WizardState): TemplateResult | typeof nothing {
  const b = s.backups;
  if (b.databases.length < 2) return nothing;
  const unchecked = b.databases.filter((d) => d.folder !== '' && (!d.check || d.check.folder !== d.folder)).length;
  const checking = b.databases.filter((d) => d.checkOp.status === 'busy').length;
  return html`<div class="card bulk" id="bulk">
    <h3>${l10n.t('For all {0} databases', count(b.databases.length))}</h3>
    ${b.location === 'upload'
      ? html`<div class="row">
          <vscode-button secondary id="browse-parent" ?disabled=${isBusy(b)} @click=${() => send({ type: 'backups.browseParent' })}>${l10n.t('Folders from a Parent Folder...')}</vscode-button>
          <vscode-button secondary id="check-all" ?disabled=${!unchecked || !s.capabilities.backupCheck.available} @click=${() => send({ type: 'backups.checkAll' })}>${l10n.t('Check All ({0})', count(unchecked))}</vscode-button>
          ${checking ? html`<span class="muted">${l10n.t('{0} being checked...', count(checking))}</span>` : nothing}
        </div>
        <p class="help">${l10n.t('A parent folder with one folder per database, named as the database: each database without a folder takes its own.')}</p>`
      : nothing}
    ${b.location === 'share'
      ? html`<div class="row">
          <vscode-textfield id="share-root" class="grow" placeholder="\\\\fileserver.contoso.com\\backups" .value=${ui.shareRoot} @input=${(e: Event) => (ui.shareRoot = inputValue(e))}></vscode-textfield>
          <vscode-button secondary id="use-share-root" @click=${() => ui.shareRoot.trim() && send({ type: 'backups.useShareRoot', root: ui.shareRoot.trim() })}>${l10n.t('Use for Each Database')}</vscode-button>
        </div>
        <p class="help">${l10n.t('Each database without a path takes root\\<its name>.')}</p>`
      : nothing}
    ${b.location !== 'share'
      ? html`<div class="row">
          <vscode-textfield id="one-container" class="grow" placeholder=${l10n.t('container name')} .value=${ui.oneContainer} @input=${(e: Event) => (ui.oneContainer = inputValue(e))}></vscode-textfield>
          <vscode-button secondary id="use-container" @click=${() => ui.oneContainer.trim() && send({ type: 'backups.useContainer', container: ui.oneContainer.trim() })}>${l10n.t('One Container, a Folder Each')}</vscode-button>
        </div>`
      : nothing}
  </div>`;
}

function render(s: WizardState): TemplateResult {
  const b = s.backups;
  const storageOff = !s.capabilities.storage.available;
  const withProblems = new Set(s.issues.flatMap((g) => g.databases ?? []));
  const name = ui.backupsFilter.trim().toLowerCase();
  const shown = b.databases.filter((d) => (!name || d.source.toLowerCase().includes(name)) && (ui.backupsShow === 'all' || (ui.backupsShow === 'problems') === withProblems.has(d.source)));
  const page = shown.slice(0, ui.backupsShown);
  const instanceName = new Map(s.target.instances.map((i) => [i.id, i.name]));
  const many = s.target.instanceIds.length > 1;
  const checkOff = !s.capabilities.backupCheck.available;
  const set = (f: () => void) => {
    f();
    ui.backupsShown = PAGE;
    invalidate();
  };
  return html`
    <p class="lead">${l10n.t('Choose how the databases move and where their backups are.')}</p>
    ${engineSection(s)}
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
          <vscode-radio name="location" value="share" label=${s.engine.kind === 'lrs' ? l10n.t('A network share (the Database Migration Service only)') : l10n.t('A network share (uploaded by the integration runtime)')} ?checked=${b.location === 'share'} ?disabled=${s.engine.kind === 'lrs'}
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
    <h3 class="section">${b.databases.length === 1 ? l10n.t('1 database') : l10n.t('{0} databases', count(b.databases.length))}${withProblems.size ? html` <span class="muted">${l10n.t('({0} need an answer)', count(withProblems.size))}</span>` : nothing}</h3>
    ${b.containers.length && b.location !== 'share' ? html`<p class="help">${l10n.t('Containers in this account: {0}', b.containers.join(', '))}</p>` : nothing}
    ${bulkBar(s)}
    ${b.databases.length > PAGE
      ? html`<div class="toolbar">
          <vscode-textfield id="backups-filter" class="grow" placeholder=${l10n.t('Filter by name')} .value=${ui.backupsFilter} @input=${(e: Event) => set(() => (ui.backupsFilter = inputValue(e)))}>
            <vscode-icon slot="content-before" name="filter"></vscode-icon>
          </vscode-textfield>
          <vscode-single-select id="backups-show" .value=${ui.backupsShow} aria-label=${l10n.t('Which databases')} @change=${(e: Event) => set(() => (ui.backupsShow = (inputValue(e) || 'all') as BackupsFilter))}>
            <vscode-option value="all">${l10n.t('All databases')}</vscode-option>
            <vscode-option value="problems">${l10n.t('Needing an answer')}</vscode-option>
            <vscode-option value="ok">${l10n.t('Complete')}</vscode-option>
          </vscode-single-select>
        </div>`
      : nothing}
    ${b.databases.length
      ? repeat(page, (d) => d.source, (d) => {
          const instance = many && d.instanceId ? instanceName.get(d.instanceId) : undefined;
          const lrs = s.engine.kind === 'lrs';
          return guard([d, b.location, b.mode, checkOff, instance, lrs], () => databaseCard(b, checkOff, instance, d, lrs));
        })
      : html`<p class="muted">${l10n.t('Select databases in the Source SQL Server step.')}</p>`}
    ${shown.length > page.length
      ? html`<div class="row"><vscode-button secondary id="more-databases" @click=${() => ((ui.backupsShown += PAGE), invalidate())}>
          ${l10n.t('Show {0} More ({1} not shown)', Math.min(PAGE, shown.length - page.length), count(shown.length - page.length))}</vscode-button></div>`
      : nothing}
    ${b.databases.length && !shown.length ? html`<p class="muted">${l10n.t('No database matches the filter.')}</p>` : nothing}`;
}

export const backupsView: StepView = { title: () => l10n.t('Mode and backups'), render };
