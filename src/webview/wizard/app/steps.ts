/** One render function per wizard step. Every change is an intent to the host; nothing is kept here. */
import * as l10n from '@vscode/l10n';
import { html, nothing, type TemplateResult } from 'lit';
import type { AssessmentView, ChainCheckView, DatabaseBackup, WizardState } from '../protocol';
import { send } from './vscodeApi';
import { opLine, unavailable } from './view';

const value = (e: Event) => (e.target as unknown as { value: string }).value;
const checked = (e: Event) => (e.target as unknown as { checked: boolean }).checked;
const busy = (s: { op: { status: string } }) => s.op.status === 'busy';

function field(id: string, label: string, control: TemplateResult, help?: string, wide = false): TemplateResult {
  return html`<div class=${wide ? 'field wide' : 'field'}>
    <vscode-label for=${id}>${label}</vscode-label>
    ${control}
    ${help ? html`<p class="help">${help}</p>` : nothing}
  </div>`;
}

// ---- 1. Account --------------------------------------------------------------------------

export function accountStep(s: WizardState): TemplateResult {
  const a = s.account;
  const known = a.clouds.filter((c) => c.name !== 'custom');
  const custom = a.clouds.find((c) => c.name === 'custom');
  const off = !s.capabilities.accounts.available;
  return html`
    <p class="lead">${l10n.t('Choose the cloud that holds your target managed instance, then sign in.')}</p>
    ${unavailable(s, 'accounts')}
    <fieldset>
      <legend>${l10n.t('Cloud')}</legend>
      <vscode-radio-group variant="vertical">
        ${known.map((c) => html`<vscode-radio name="cloud" value=${c.name} label=${c.displayName} ?checked=${a.cloudName === c.name} ?disabled=${off}
          @change=${(e: Event) => checked(e) && send({ type: 'account.selectCloud', name: c.name })}></vscode-radio>`)}
        <vscode-radio name="cloud" value="custom" label=${custom ? l10n.t('Custom: {0}', custom.displayName) : l10n.t('Custom cloud from a file (Azure Stack Hub, local sandbox)')}
          ?checked=${a.cloudName === 'custom'} ?disabled=${off} @change=${(e: Event) => checked(e) && send({ type: 'account.selectCloud', name: 'custom' })}></vscode-radio>
      </vscode-radio-group>
    </fieldset>
    ${a.cloudName === 'custom'
      ? html`<div class="row">
          <span class=${a.customCloudFile ? 'path' : 'muted'}>${a.customCloudFile ?? l10n.t('No cloud file chosen')}</span>
          <vscode-button secondary id="choose-cloud-file" ?disabled=${busy(a) || off} @click=${() => send({ type: 'account.chooseCloudFile' })}>${l10n.t('Choose Cloud File...')}</vscode-button>
        </div>`
      : nothing}
    <div class="row">
      <vscode-button id="sign-in" ?disabled=${busy(a) || off || (a.cloudName === 'custom' && !a.customCloudFile)} @click=${() => send({ type: 'account.signIn' })}>
        ${a.signedIn ? l10n.t('Sign In Again') : l10n.t('Sign In')}
      </vscode-button>
      ${a.signedIn ? html`<span class="ok" id="signed-in"><vscode-icon name="pass-filled"></vscode-icon>${l10n.t('Signed in: {0}', a.signedIn)}</span>` : nothing}
    </div>
    ${opLine(a.op)}`;
}

// ---- 2. Source ---------------------------------------------------------------------------

export function sourceStep(s: WizardState): TemplateResult {
  const src = s.source;
  const off = !s.capabilities.source.available;
  const entra = src.authentication === 'EntraToken';
  const blocked = new Set(src.assessment.results.filter((r) => r.readiness === 'blocked').map((r) => r.database));
  const selectable = src.databases.filter((d) => !blocked.has(d.name));
  const allSelected = selectable.length > 0 && selectable.every((d) => src.selected.includes(d.name));
  return html`
    <p class="lead">${l10n.t('Connect to the SQL Server that holds the databases, select the ones to migrate, then assess them for Azure SQL Managed Instance.')}</p>
    ${unavailable(s, 'source')}
    <div class="form">
      ${field('server', l10n.t('Server'), html`<vscode-textfield id="server" placeholder="sqlhost.contoso.com,1433" .value=${src.server} ?disabled=${off}
        @change=${(e: Event) => send({ type: 'source.update', patch: { server: value(e).trim() } })}></vscode-textfield>`)}
      ${field('auth', l10n.t('Authentication'), html`<vscode-single-select id="auth" .value=${src.authentication} ?disabled=${off}
        @change=${(e: Event) => {
          const v = value(e);
          send({ type: 'source.update', patch: { authentication: v === 'WindowsAuthentication' || v === 'EntraToken' ? v : 'SqlAuthentication' } });
        }}>
          <vscode-option value="SqlAuthentication">${l10n.t('SQL Server authentication')}</vscode-option>
          <vscode-option value="WindowsAuthentication">${l10n.t('Windows authentication (NTLM)')}</vscode-option>
          <vscode-option value="EntraToken">${l10n.t('Microsoft Entra (your VS Code account; assessment only)')}</vscode-option>
        </vscode-single-select>`)}
      ${entra
        ? nothing
        : html`${field('user', src.authentication === 'SqlAuthentication' ? l10n.t('Login') : l10n.t('User (DOMAIN\\user)'), html`<vscode-textfield id="user" .value=${src.userName} ?disabled=${off}
            @change=${(e: Event) => send({ type: 'source.update', patch: { userName: value(e).trim() } })}></vscode-textfield>`)}
          ${field('password', l10n.t('Password'), html`<vscode-textfield id="password" type="password" autocomplete="off" ?disabled=${off}
            placeholder=${src.passwordEntered ? l10n.t('Entered (type to replace)') : ''}
            @change=${(e: Event) => send({ type: 'source.password', value: value(e) })}></vscode-textfield>`,
            l10n.t('Never saved with the wizard. Kept in memory until you close it, or in VS Code\'s secret storage if you ask below.'))}`}
      ${field('encrypt', l10n.t('Encryption'), html`<vscode-single-select id="encrypt" .value=${src.encrypt} ?disabled=${off}
        @change=${(e: Event) => {
          const v = value(e);
          send({ type: 'source.update', patch: { encrypt: v === 'optional' || v === 'strict' ? v : 'mandatory' } });
        }}>
          <vscode-option value="mandatory">${l10n.t('Mandatory (TLS after login negotiation)')}</vscode-option>
          <vscode-option value="optional">${l10n.t('Optional (only if the server requires it)')}</vscode-option>
          <vscode-option value="strict">${l10n.t('Strict (TDS 8.0, SQL Server 2022 and later)')}</vscode-option>
        </vscode-single-select>`)}
      <div class="checks">
        ${entra
          ? nothing
          : html`<vscode-checkbox id="remember" label=${l10n.t('Remember the password in VS Code\'s secret storage')} ?checked=${src.rememberPassword} ?disabled=${off}
              @change=${(e: Event) => send({ type: 'source.update', patch: { rememberPassword: checked(e) } })}></vscode-checkbox>`}
        <vscode-checkbox id="trust" label=${l10n.t('Trust the server certificate (skips the certificate check)')} ?checked=${src.trustServerCertificate} ?disabled=${off || src.encrypt === 'strict'}
          @change=${(e: Event) => send({ type: 'source.update', patch: { trustServerCertificate: checked(e) } })}></vscode-checkbox>
      </div>
    </div>
    <div class="row">
      <vscode-button id="connect" ?disabled=${off || busy(src) || !src.server} @click=${() => send({ type: 'source.connect' })}>${src.connected ? l10n.t('Connect Again') : l10n.t('Connect')}</vscode-button>
      ${src.connected ? html`<span class="ok" id="connected"><vscode-icon name="pass-filled"></vscode-icon>${l10n.t('Connected to {0} ({1})', src.connected.serverName, src.connected.version)}</span>` : nothing}
    </div>
    ${opLine(src.op)}
    ${src.databases.length ? databaseTable(s, blocked, allSelected, selectable.map((d) => d.name)) : nothing}
    ${src.databases.length ? assessmentPanel(s) : nothing}`;
}

function readinessCell(a: AssessmentView['results'][number] | undefined, stale: boolean): TemplateResult {
  if (!a) return html`<span class="muted">${l10n.t('not assessed')}</span>`;
  const detail = [...a.blockers, ...a.issues, ...a.warnings].join('\n');
  const badge =
    a.readiness === 'ready'
      ? html`<span class="ok readiness" title=${detail}><vscode-icon name="pass-filled"></vscode-icon>${l10n.t('Ready')}</span>`
      : a.readiness === 'issues'
        ? html`<span class="warn readiness" title=${detail}><vscode-icon name="warning"></vscode-icon>${l10n.t('{0} issues', a.issues.length)}</span>`
        : html`<span class="bad readiness" title=${detail}><vscode-icon name="error"></vscode-icon>${l10n.t('Blocked: {0}', a.blockers.length)}</span>`;
  return stale ? html`${badge} <span class="muted">${l10n.t('(assessed before; run again)')}</span>` : badge;
}

function databaseTable(s: WizardState, blocked: Set<string>, allSelected: boolean, selectable: string[]): TemplateResult {
  const src = s.source;
  const result = (name: string) => src.assessment.results.find((a) => a.database === name);
  return html`<table class="list" id="databases">
    <caption>${l10n.t('{0} of {1} databases selected', src.selected.length, src.databases.length)}</caption>
    <thead><tr>
      <th><vscode-checkbox aria-label=${l10n.t('Select all')} ?checked=${allSelected}
        @change=${(e: Event) => send({ type: 'source.select', names: checked(e) ? selectable : [] })}></vscode-checkbox></th>
      <th>${l10n.t('Database')}</th><th class="num">${l10n.t('Size')}</th><th>${l10n.t('Recovery model')}</th><th>${l10n.t('State')}</th><th>${l10n.t('Assessment')}</th>
    </tr></thead>
    <tbody>${src.databases.map((d) => {
      const on = src.selected.includes(d.name);
      const a = result(d.name);
      const isBlocked = blocked.has(d.name);
      return html`<tr data-database=${d.name} class=${isBlocked ? 'blocked' : ''}>
        <td><vscode-checkbox aria-label=${d.name} ?checked=${on} ?disabled=${isBlocked}
          title=${isBlocked ? l10n.t('Blocked: fix what the assessment reports, then assess again') : ''}
          @change=${(e: Event) => send({ type: 'source.select', names: checked(e) ? [...src.selected, d.name] : src.selected.filter((n) => n !== d.name) })}></vscode-checkbox></td>
        <td>${d.name}</td>
        <td class="num">${d.sizeMb !== undefined ? `${d.sizeMb.toLocaleString()} MB` : ''}</td>
        <td>${d.recoveryModel ?? ''}</td>
        <td>${d.state ?? ''}</td>
        <td>${readinessCell(a, Boolean(a) && src.assessment.mode !== undefined && src.assessment.mode !== s.backups.mode)}</td>
      </tr>`;
    })}</tbody>
  </table>`;
}

function assessmentPanel(s: WizardState): TemplateResult {
  const src = s.source;
  const a = src.assessment;
  const running = a.op.status === 'busy';
  const findings = a.results.filter((r) => r.readiness !== 'ready' || r.warnings.length);
  return html`<div class="card" id="assessment">
    <h3>${l10n.t('Assessment for Azure SQL Managed Instance')}</h3>
    <p class="help">${l10n.t('Checks the selected databases against the Managed Instance rules and the prerequisites of an {0} migration. Blocked databases cannot be selected.', s.backups.mode === 'online' ? l10n.t('online') : l10n.t('offline'))}</p>
    <div class="row">
      <vscode-button id="assess" ?disabled=${running || src.selected.length === 0 || busy(src)} @click=${() => send({ type: 'source.assess' })}>
        ${a.results.length ? l10n.t('Assess Again') : l10n.t('Run Assessment')}
      </vscode-button>
      ${running ? html`<vscode-button secondary id="cancel-assessment" @click=${() => send({ type: 'source.cancelAssessment' })}>${l10n.t('Cancel')}</vscode-button>` : nothing}
      ${a.reportAvailable && !running
        ? html`<vscode-button secondary id="open-report" @click=${() => send({ type: 'source.openReport' })}>${l10n.t('Open Report')}</vscode-button>
            <vscode-button secondary id="save-json" @click=${() => send({ type: 'source.saveReport', format: 'json' })}>${l10n.t('Save JSON...')}</vscode-button>
            <vscode-button secondary id="save-html" @click=${() => send({ type: 'source.saveReport', format: 'html' })}>${l10n.t('Save HTML...')}</vscode-button>
            <vscode-button secondary id="save-csv" @click=${() => send({ type: 'source.saveReport', format: 'csv' })}>${l10n.t('Save CSV...')}</vscode-button>`
        : nothing}
    </div>
    ${running && a.progress !== undefined ? html`<progress class="assessment-progress" max="1" .value=${a.progress} aria-label=${l10n.t('Assessment progress')}></progress>` : nothing}
    ${opLine(a.op)}
    ${a.instanceFindings.length ? html`<details><summary>${l10n.t('Server-wide findings ({0})', a.instanceFindings.length)}</summary><ul>${a.instanceFindings.map((f) => html`<li>${f}</li>`)}</ul></details>` : nothing}
    ${findings.map((r) => html`<details class="findings" data-database=${r.database} ?open=${r.readiness === 'blocked'}>
      <summary>${r.database}: ${r.readiness === 'blocked' ? l10n.t('blocked') : r.readiness === 'issues' ? l10n.t('issues to fix') : l10n.t('warnings')}</summary>
      ${r.blockers.length ? html`<ul class="problems">${r.blockers.map((b) => html`<li>${b}</li>`)}</ul>` : nothing}
      ${r.issues.length ? html`<ul class="issues-list">${r.issues.map((b) => html`<li>${b}</li>`)}</ul>` : nothing}
      ${r.warnings.length ? html`<ul class="warnings">${r.warnings.map((b) => html`<li>${b}</li>`)}</ul>` : nothing}
    </details>`)}
  </div>`;
}

// ---- 3. Target ---------------------------------------------------------------------------

export function targetStep(s: WizardState): TemplateResult {
  const t = s.target;
  const off = !s.capabilities.subscriptions.available || !s.capabilities.targets.available;
  const mi = t.instances.find((i) => i.id === t.instanceId);
  const conflicts = s.backups.databases.filter((d) => t.existingDatabases.some((e) => e.toLowerCase() === d.target.toLowerCase()));
  return html`
    <p class="lead">${l10n.t('Choose the Azure SQL Managed Instance the databases move to.')}</p>
    ${unavailable(s, 'subscriptions', 'targets')}
    <div class="form">
      ${field('subscription', l10n.t('Subscription'), html`<vscode-single-select id="subscription" .value=${t.subscriptionId ?? ''} ?disabled=${off || busy(t)}
        @change=${(e: Event) => value(e) && send({ type: 'target.selectSubscription', id: value(e) })}>
          <vscode-option value="">${t.subscriptions.length ? l10n.t('Choose a subscription') : l10n.t('No subscriptions listed')}</vscode-option>
          ${t.subscriptions.map((x) => html`<vscode-option value=${x.id} description=${x.id}>${x.name}</vscode-option>`)}
        </vscode-single-select>`)}
      ${field('instance', l10n.t('Managed instance'), html`<vscode-single-select id="instance" .value=${t.instanceId ?? ''} ?disabled=${off || busy(t) || !t.subscriptionId}
        @change=${(e: Event) => value(e) && send({ type: 'target.selectInstance', id: value(e) })}>
          <vscode-option value="">${t.instances.length ? l10n.t('Choose a managed instance') : l10n.t('No managed instances listed')}</vscode-option>
          ${t.instances.map((i) => html`<vscode-option value=${i.id}>${i.state === 'Ready' ? i.name : l10n.t('{0} ({1})', i.name, i.state)} · ${[i.tier, i.vCores !== undefined ? l10n.t('{0} vCores', i.vCores) : ''].filter(Boolean).join(' ')} · ${i.location} · ${i.resourceGroup}</vscode-option>`)}
        </vscode-single-select>`)}
    </div>
    ${opLine(t.op)}
    ${mi && mi.state !== 'Ready' ? html`<p class="op error" role="alert"><vscode-icon name="warning"></vscode-icon><span>${l10n.t('{0} is {1}: it cannot take migrations until it is Ready.', mi.name, mi.state)}</span></p>` : nothing}
    ${mi && t.existingDatabases.length
      ? html`<p class="help">${l10n.t('Databases already on {0}: {1}', mi.name, t.existingDatabases.join(', '))}</p>`
      : nothing}
    ${conflicts.length
      ? html`<p class="op error" role="alert"><vscode-icon name="warning"></vscode-icon><span>${l10n.t('Already on the target: {0}. Give them other target names in the next step.', conflicts.map((c) => c.target).join(', '))}</span></p>`
      : nothing}`;
}

// ---- 4. Mode and backups -----------------------------------------------------------------

function chainCheck(c: ChainCheckView): TemplateResult {
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
  const patch = (p: { target?: string; folder?: string; container?: string; lastBackupName?: string }) => send({ type: 'backups.database', source: d.source, patch: p });
  const stale = d.check && d.check.folder !== d.folder;
  return html`<div class="card" data-database=${d.source}>
    <h3>${d.source}</h3>
    <div class="form">
      ${field(`target-${key}`, l10n.t('Target database name'), html`<vscode-textfield id=${`target-${key}`} .value=${d.target} @change=${(e: Event) => patch({ target: value(e).trim() })}></vscode-textfield>`)}
      ${b.location === 'local'
        ? field(`folder-${key}`, l10n.t('Backup folder on this machine'), html`<div class="row tight">
            <vscode-textfield id=${`folder-${key}`} class="grow" .value=${d.folder} placeholder=${l10n.t('/path/to/backups/{0}', d.source)}
              @change=${(e: Event) => patch({ folder: value(e).trim() })}></vscode-textfield>
            <vscode-button secondary @click=${() => send({ type: 'backups.browse', source: d.source })}>${l10n.t('Browse...')}</vscode-button>
            <vscode-button secondary class="check-button" ?disabled=${!d.folder || d.checkOp.status === 'busy' || !s.capabilities.backupCheck.available}
              @click=${() => send({ type: 'backups.check', source: d.source })}>${l10n.t('Check Backups')}</vscode-button>
          </div>`, l10n.t('One folder per database: the migration service restores each database from its own folder.'), true)
        : nothing}
      ${b.location === 'share'
        ? field(`share-${key}`, l10n.t('Network share path'), html`<vscode-textfield id=${`share-${key}`} .value=${d.folder} placeholder="\\\\fileserver.contoso.com\\backups\\${d.source}"
            @change=${(e: Event) => patch({ folder: value(e).trim() })}></vscode-textfield>`, l10n.t('The integration runtime reads this share and uploads the backups; one folder per database.'), true)
        : nothing}
      ${b.location !== 'share'
        ? field(`container-${key}`, b.location === 'local' ? l10n.t('Upload to blob container') : l10n.t('Blob container with its backups'),
            html`<vscode-textfield id=${`container-${key}`} .value=${d.container} @change=${(e: Event) => patch({ container: value(e).trim() })}></vscode-textfield>`,
            [l10n.t('container or container/folder: each database gets its own folder (by default its name).'), b.containers.length ? l10n.t('Containers in this account: {0}', b.containers.join(', ')) : ''].filter(Boolean).join(' '))
        : nothing}
      ${b.mode === 'offline' && b.location === 'blob'
        ? field(`last-${key}`, l10n.t('Last backup file'), html`<vscode-textfield id=${`last-${key}`} .value=${d.lastBackupName} @change=${(e: Event) => patch({ lastBackupName: value(e).trim() })}></vscode-textfield>`)
        : nothing}
    </div>
    ${opLine(d.checkOp.status === 'done' ? { status: 'idle' } : d.checkOp)}
    ${d.check && !stale ? chainCheck(d.check) : nothing}
  </div>`;
}

export function backupsStep(s: WizardState): TemplateResult {
  const b = s.backups;
  const storageOff = !s.capabilities.storage.available;
  return html`
    <p class="lead">${l10n.t('Choose how the databases move and where their backups are.')}</p>
    <div class="columns">
      <fieldset>
        <legend>${l10n.t('Mode')}</legend>
        <vscode-radio-group variant="vertical">
          <vscode-radio name="mode" value="online" label=${l10n.t('Online: restore backups as they arrive; you complete the cutover')} ?checked=${b.mode === 'online'}
            @change=${(e: Event) => checked(e) && send({ type: 'backups.update', patch: { mode: 'online' } })}></vscode-radio>
          <vscode-radio name="mode" value="offline" label=${l10n.t('Offline: restore once, up to the last backup, then bring the database online')} ?checked=${b.mode === 'offline'}
            @change=${(e: Event) => checked(e) && send({ type: 'backups.update', patch: { mode: 'offline' } })}></vscode-radio>
        </vscode-radio-group>
      </fieldset>
      <fieldset>
        <legend>${l10n.t('Backup location')}</legend>
        <vscode-radio-group variant="vertical">
          <vscode-radio name="location" value="local" label=${l10n.t('A folder on this machine (uploaded by this extension)')} ?checked=${b.location === 'local'}
            @change=${(e: Event) => checked(e) && send({ type: 'backups.update', patch: { location: 'local' } })}></vscode-radio>
          <vscode-radio name="location" value="blob" label=${l10n.t('An Azure Storage blob container')} ?checked=${b.location === 'blob'}
            @change=${(e: Event) => checked(e) && send({ type: 'backups.update', patch: { location: 'blob' } })}></vscode-radio>
          <vscode-radio name="location" value="share" label=${l10n.t('A network share (uploaded by the integration runtime)')} ?checked=${b.location === 'share'}
            @change=${(e: Event) => checked(e) && send({ type: 'backups.update', patch: { location: 'share' } })}></vscode-radio>
        </vscode-radio-group>
      </fieldset>
    </div>
    ${unavailable(s, 'storage', ...(b.location === 'local' ? (['backupCheck'] as const) : []))}
    <div class="form">
      ${field('storage', b.location === 'share' ? l10n.t('Storage account the runtime uploads to') : l10n.t('Storage account'), html`<vscode-single-select id="storage" .value=${b.storageAccountId ?? ''} ?disabled=${storageOff || busy(b)}
        @change=${(e: Event) => value(e) && send({ type: 'backups.update', patch: { storageAccountId: value(e) } })}>
          <vscode-option value="">${b.storageAccounts.length ? l10n.t('Choose a storage account') : l10n.t('No storage accounts listed')}</vscode-option>
          ${b.storageAccounts.map((a) => html`<vscode-option value=${a.id}>${a.name} · ${a.location} · ${a.resourceGroup}</vscode-option>`)}
        </vscode-single-select>`)}
      ${b.location === 'share'
        ? html`${field('share-user', l10n.t('Share user (DOMAIN\\user)'), html`<vscode-textfield id="share-user" .value=${b.shareUserName} @change=${(e: Event) => send({ type: 'backups.update', patch: { shareUserName: value(e).trim() } })}></vscode-textfield>`)}
            ${field('share-password', l10n.t('Share password'), html`<vscode-textfield id="share-password" type="password" autocomplete="off" placeholder=${b.sharePasswordEntered ? l10n.t('Entered (type to replace)') : ''}
              @change=${(e: Event) => send({ type: 'backups.sharePassword', value: value(e) })}></vscode-textfield>`, l10n.t('Never saved; enter it again after reopening the wizard.'))}`
        : nothing}
    </div>
    ${opLine(b.op)}
    <h3 class="section">${b.databases.length === 1 ? l10n.t('1 database') : l10n.t('{0} databases', b.databases.length)}</h3>
    ${b.databases.length ? b.databases.map((d) => databaseCard(s, d)) : html`<p class="muted">${l10n.t('Select databases in the Source SQL Server step.')}</p>`}`;
}

// ---- 5. Migration service ----------------------------------------------------------------

export function serviceStep(s: WizardState): TemplateResult {
  const v = s.service;
  const off = !s.capabilities.migrationServices.available;
  const svc = v.services.find((x) => x.id === v.serviceId);
  return html`
    <p class="lead">${l10n.t('Azure Database Migration Service runs the migrations. For a network share, its self-hosted integration runtime reads the backups.')}</p>
    ${unavailable(s, 'migrationServices')}
    <div class="form">
      ${field('service', l10n.t('Database Migration Service'), html`<vscode-single-select id="service" .value=${v.serviceId ?? ''} ?disabled=${off || busy(v)}
        @change=${(e: Event) => value(e) && send({ type: 'service.select', id: value(e) })}>
          <vscode-option value="">${v.services.length ? l10n.t('Choose a service') : l10n.t('No services listed')}</vscode-option>
          ${v.services.map((x) => html`<vscode-option value=${x.id}>${x.name} · ${x.location} · ${x.resourceGroup}</vscode-option>`)}
        </vscode-single-select>`)}
    </div>
    <details class="create" ?open=${!off && v.services.length === 0}>
      <summary>${l10n.t('Create a new service')}</summary>
      <div class="form">
        ${field('new-name', l10n.t('Name'), html`<vscode-textfield id="new-name" .value=${v.newName} ?disabled=${off} @change=${(e: Event) => send({ type: 'service.update', patch: { newName: value(e).trim() } })}></vscode-textfield>`)}
        ${field('new-rg', l10n.t('Resource group'), html`<vscode-textfield id="new-rg" .value=${v.newResourceGroup} ?disabled=${off} @change=${(e: Event) => send({ type: 'service.update', patch: { newResourceGroup: value(e).trim() } })}></vscode-textfield>`)}
        ${field('new-location', l10n.t('Region'), html`<vscode-textfield id="new-location" .value=${v.newLocation} placeholder="westeurope" ?disabled=${off} @change=${(e: Event) => send({ type: 'service.update', patch: { newLocation: value(e).trim() } })}></vscode-textfield>`)}
      </div>
      <vscode-button secondary ?disabled=${off || busy(v)} @click=${() => send({ type: 'service.create' })}>${l10n.t('Create Service')}</vscode-button>
    </details>
    ${opLine(v.op)}
    ${svc
      ? html`<div class="card">
          <h3>${l10n.t('Integration runtime')}</h3>
          <p>${l10n.t('State: {0}', svc.integrationRuntimeState ?? l10n.t('unknown'))}</p>
          <table class="list compact"><tbody>
            ${(['authKey1', 'authKey2'] as const).map((k, i) => html`<tr>
              <td>${l10n.t('Authentication key {0}', i + 1)}</td>
              <td class="secret" aria-label=${l10n.t('hidden')}>••••••••••••</td>
              <td><vscode-button secondary @click=${() => send({ type: 'service.copyKey', key: k })}>${l10n.t('Copy')}</vscode-button>
                <vscode-button secondary @click=${() => send({ type: 'service.regenerateKey', key: k })}>${l10n.t('Regenerate')}</vscode-button></td>
            </tr>`)}
          </tbody></table>
          <p class="help">${l10n.t('Register the runtime on a machine that reads the share, with one of these keys. Keys are copied to the clipboard, never shown.')}</p>
          <div class="row"><strong>${l10n.t('Nodes')}</strong><vscode-button secondary @click=${() => send({ type: 'service.refreshNodes' })}>${l10n.t('Refresh')}</vscode-button></div>
          ${v.nodes.length
            ? html`<table class="list compact"><thead><tr><th>${l10n.t('Node')}</th><th class="num">${l10n.t('CPU')}</th><th class="num">${l10n.t('Free memory')}</th><th class="num">${l10n.t('Jobs')}</th></tr></thead>
                <tbody>${v.nodes.map((n) => html`<tr><td>${n.nodeName}</td><td class="num">${n.cpuUtilization ?? ''}${n.cpuUtilization !== undefined ? ' %' : ''}</td>
                  <td class="num">${n.availableMemoryInMB !== undefined ? `${n.availableMemoryInMB} MB` : ''}</td><td class="num">${n.concurrentJobsRunning ?? ''} / ${n.maxConcurrentJobs ?? ''}</td></tr>`)}</tbody></table>`
            : html`<p class="muted">${l10n.t('No runtime node is registered.')}</p>`}
          <div class="row"><vscode-button secondary ?disabled=${busy(v)} @click=${() => send({ type: 'service.test' })}>${l10n.t('Test Connections')}</vscode-button></div>
          ${v.test
            ? html`<ul class="tests">${v.test.checks.map((c) => html`<li class=${c.ok ? 'ok' : 'bad'}><vscode-icon name=${c.ok ? 'pass-filled' : 'error'}></vscode-icon>${c.name}${c.message ? `: ${c.message}` : ''}</li>`)}</ul>`
            : nothing}
        </div>`
      : nothing}`;
}

// ---- 6. Summary --------------------------------------------------------------------------

export function summaryStep(s: WizardState): TemplateResult {
  const cloud = s.account.clouds.find((c) => c.name === s.account.cloudName)?.displayName ?? s.account.cloudName;
  const mi = s.target.instances.find((i) => i.id === s.target.instanceId);
  const storage = s.backups.storageAccounts.find((a) => a.id === s.backups.storageAccountId);
  const svc = s.service.services.find((x) => x.id === s.service.serviceId);
  const where = { local: l10n.t('Folders on this machine, uploaded by this extension'), blob: l10n.t('Blob containers'), share: l10n.t('Network shares, uploaded by the integration runtime') }[s.backups.location];
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
    <dl class="summary">${rows.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>
    <table class="list">
      <thead><tr><th>${l10n.t('Source database')}</th><th>${l10n.t('Target database')}</th><th>${l10n.t('Backups')}</th><th>${l10n.t('Chain')}</th></tr></thead>
      <tbody>${s.backups.databases.map((d) => html`<tr><td>${d.source}</td><td>${d.target}</td><td class="path">${s.backups.location === 'local' ? `${d.folder} → ${d.container}` : s.backups.location === 'blob' ? d.container : d.folder}</td>
        <td>${d.check ? (d.check.ready ? html`<span class="ok">${l10n.t('ready')}</span>` : html`<span class="bad">${l10n.t('not ready')}</span>`) : html`<span class="muted">${l10n.t('checked by the service')}</span>`}</td></tr>`)}</tbody>
    </table>
    ${opLine(s.start.op)}
    ${s.start.results.length
      ? html`<ul class="tests">${s.start.results.map((r) => html`<li class=${r.error ? 'bad' : 'ok'}><vscode-icon name=${r.error ? 'error' : 'pass-filled'}></vscode-icon>
          ${r.error ? l10n.t('{0}: {1}', r.sourceDatabase, r.error) : l10n.t('{0} → {1} started', r.sourceDatabase, r.targetDatabase)}</li>`)}</ul>`
      : nothing}`;
}
