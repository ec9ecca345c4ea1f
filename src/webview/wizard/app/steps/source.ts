/** Step 2, the source SQL Server: the connection, the databases to migrate and their assessment. */
import * as l10n from '@vscode/l10n';
import { html, nothing, type TemplateResult } from 'lit';
import type { AssessmentView, WizardState } from '../../../../protocol/wizard';
import { send } from '../vscodeApi';
import { field, inputValue, isBusy, isChecked, opLine, unavailable, type StepView } from '../widgets';

function render(s: WizardState): TemplateResult {
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
        @change=${(e: Event) => send({ type: 'source.update', patch: { server: inputValue(e).trim() } })}></vscode-textfield>`)}
      ${field('auth', l10n.t('Authentication'), html`<vscode-single-select id="auth" .value=${src.authentication} ?disabled=${off}
        @change=${(e: Event) => {
          const chosen = inputValue(e);
          send({ type: 'source.update', patch: { authentication: chosen === 'WindowsAuthentication' || chosen === 'EntraToken' ? chosen : 'SqlAuthentication' } });
        }}>
          <vscode-option value="SqlAuthentication">${l10n.t('SQL Server authentication')}</vscode-option>
          <vscode-option value="WindowsAuthentication">${l10n.t('Windows authentication (NTLM)')}</vscode-option>
          <vscode-option value="EntraToken">${l10n.t('Microsoft Entra (your VS Code account; assessment only)')}</vscode-option>
        </vscode-single-select>`)}
      ${entra
        ? nothing
        : html`${field('user', src.authentication === 'SqlAuthentication' ? l10n.t('Login') : l10n.t('User (DOMAIN\\user)'), html`<vscode-textfield id="user" .value=${src.userName} ?disabled=${off}
            @change=${(e: Event) => send({ type: 'source.update', patch: { userName: inputValue(e).trim() } })}></vscode-textfield>`)}
          ${field('password', l10n.t('Password'), html`<vscode-textfield id="password" type="password" autocomplete="off" ?disabled=${off}
            placeholder=${src.passwordEntered ? l10n.t('Entered (type to replace)') : ''}
            @change=${(e: Event) => send({ type: 'source.password', value: inputValue(e) })}></vscode-textfield>`,
            l10n.t('Never saved with the wizard. Kept in memory until you close it, or in VS Code\'s secret storage if you ask below.'))}`}
      ${field('encrypt', l10n.t('Encryption'), html`<vscode-single-select id="encrypt" .value=${src.encrypt} ?disabled=${off}
        @change=${(e: Event) => {
          const chosen = inputValue(e);
          send({ type: 'source.update', patch: { encrypt: chosen === 'optional' || chosen === 'strict' ? chosen : 'mandatory' } });
        }}>
          <vscode-option value="mandatory">${l10n.t('Mandatory (TLS after login negotiation)')}</vscode-option>
          <vscode-option value="optional">${l10n.t('Optional (only if the server requires it)')}</vscode-option>
          <vscode-option value="strict">${l10n.t('Strict (TDS 8.0, SQL Server 2022 and later)')}</vscode-option>
        </vscode-single-select>`)}
      <div class="checks">
        ${entra
          ? nothing
          : html`<vscode-checkbox id="remember" label=${l10n.t('Remember the password in VS Code\'s secret storage')} ?checked=${src.rememberPassword} ?disabled=${off}
              @change=${(e: Event) => send({ type: 'source.update', patch: { rememberPassword: isChecked(e) } })}></vscode-checkbox>`}
        <vscode-checkbox id="trust" label=${l10n.t('Trust the server certificate (skips the certificate check)')} ?checked=${src.trustServerCertificate} ?disabled=${off || src.encrypt === 'strict'}
          @change=${(e: Event) => send({ type: 'source.update', patch: { trustServerCertificate: isChecked(e) } })}></vscode-checkbox>
      </div>
    </div>
    <div class="row">
      <vscode-button id="connect" ?disabled=${off || isBusy(src) || !src.server} @click=${() => send({ type: 'source.connect' })}>${src.connected ? l10n.t('Connect Again') : l10n.t('Connect')}</vscode-button>
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
        @change=${(e: Event) => send({ type: 'source.select', names: isChecked(e) ? selectable : [] })}></vscode-checkbox></th>
      <th>${l10n.t('Database')}</th><th class="num">${l10n.t('Size')}</th><th>${l10n.t('Recovery model')}</th><th>${l10n.t('State')}</th><th>${l10n.t('Assessment')}</th>
    </tr></thead>
    <tbody>${src.databases.map((d) => {
      const on = src.selected.includes(d.name);
      const a = result(d.name);
      const isBlocked = blocked.has(d.name);
      return html`<tr data-database=${d.name} class=${isBlocked ? 'blocked' : ''}>
        <td><vscode-checkbox aria-label=${d.name} ?checked=${on} ?disabled=${isBlocked}
          title=${isBlocked ? l10n.t('Blocked: fix what the assessment reports, then assess again') : ''}
          @change=${(e: Event) => send({ type: 'source.select', names: isChecked(e) ? [...src.selected, d.name] : src.selected.filter((n) => n !== d.name) })}></vscode-checkbox></td>
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
      <vscode-button id="assess" ?disabled=${running || src.selected.length === 0 || isBusy(src)} @click=${() => send({ type: 'source.assess' })}>
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

export const sourceView: StepView = { title: () => l10n.t('Source SQL Server'), render };
