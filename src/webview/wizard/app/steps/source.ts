/**
 * Step 2, the source SQL Server: the connection, the databases to migrate and their assessment.
 * The table shows a screenful of rows at a time (thousands of databases stay quick), filtered by
 * name, state and assessment result; selecting works on any count, and what the rules leave out
 * is said next to the buttons.
 */
import * as l10n from '@vscode/l10n';
import { html, nothing, type TemplateResult } from 'lit';
import { guard } from 'lit/directives/guard.js';
import type { AssessmentView, WizardState } from '../../../../protocol/wizard';
import { invalidate, ui, type ResultFilter } from '../ui';
import { send } from '../vscodeApi';
import { count, field, inputValue, isBusy, isChecked, opLine, resetScroll, unavailable, virtualBody, virtualScroller, type StepView } from '../widgets';
import { discoverServers, savedConnections } from './sourceFinders';

type Result = AssessmentView['results'][number];
type Database = WizardState['source']['databases'][number];

const ROW_HEIGHT = 30;
const TABLE_HEIGHT = 420;
const FINDINGS_PAGE = 50;

/** Derived once per change of what it depends on (not on every render, a scroll re-renders). */
function memo<A extends unknown[], R>(f: (...args: A) => R): (...args: A) => R {
  let last: A | undefined;
  let value: R;
  return (...args: A) => {
    if (!last || args.length !== last.length || args.some((a, i) => a !== last![i])) {
      last = args;
      value = f(...args);
    }
    return value;
  };
}

const resultsByName = memo((results: readonly Result[]) => new Map(results.map((r) => [r.database, r])));
const selectedSet = memo((selected: readonly string[]) => new Set(selected));

function matches(d: Database, r: Result | undefined, name: string, state: string, result: ResultFilter): boolean {
  if (name && !d.name.toLowerCase().includes(name)) return false;
  if (state !== 'any' && (d.state ?? '') !== state) return false;
  if (result === 'none') return !r;
  if (result !== 'any') return r?.readiness === result;
  return true;
}

/** The rows the filters leave (all of them when there is no filter). */
const filtered = memo((databases: readonly Database[], results: readonly Result[], name: string, state: string, result: ResultFilter): readonly Database[] => {
  const n = name.trim().toLowerCase();
  if (!n && state === 'any' && result === 'any') return databases;
  const byName = resultsByName(results);
  return databases.filter((d) => matches(d, byName.get(d.name), n, state, result));
});

const isFiltering = () => ui.dbFilter.trim() !== '' || ui.dbState !== 'any' || ui.dbResult !== 'any';

function render(s: WizardState): TemplateResult {
  const src = s.source;
  const off = !s.capabilities.source.available;
  const entra = src.authentication === 'EntraToken';
  return html`
    <p class="lead">${l10n.t('Connect to the SQL Server that holds the databases, select the ones to migrate, then assess them for Azure SQL Managed Instance.')}</p>
    ${unavailable(s, 'source')}
    ${off ? nothing : savedConnections(s)}
    ${off ? nothing : discoverServers(s)}
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
    ${src.databases.length ? databasesCard(s) : nothing}
    ${src.databases.length ? assessmentPanel(s) : nothing}`;
}

function issueCount(n: number): string {
  return n === 1 ? l10n.t('1 issue') : l10n.t('{0} issues', n);
}

function readinessCell(a: Result | undefined, stale: boolean): TemplateResult {
  if (!a) return html`<span class="muted">${l10n.t('not assessed')}</span>`;
  const detail = [...a.blockers, ...a.issues, ...a.warnings].join('\n');
  const badge =
    a.readiness === 'ready'
      ? html`<span class="ok readiness" title=${detail}><vscode-icon name="pass-filled"></vscode-icon>${l10n.t('Ready')}</span>`
      : a.readiness === 'issues'
        ? html`<span class="warn readiness" title=${detail}><vscode-icon name="warning"></vscode-icon>${issueCount(a.issues.length)}</span>`
        : html`<span class="bad readiness" title=${detail}><vscode-icon name="error"></vscode-icon>${l10n.t('Blocked: {0}', a.blockers.length)}</span>`;
  return stale ? html`${badge} <span class="muted">${l10n.t('(assessed for another mode; run again)')}</span>` : badge;
}

function filterBar(s: WizardState, shown: readonly Database[]): TemplateResult {
  const src = s.source;
  const states = [...new Set(src.databases.map((d) => d.state ?? ''))].filter(Boolean).sort();
  const selected = selectedSet(src.selected);
  const shownNames = shown.map((d) => d.name);
  const set = (f: () => void) => {
    f();
    invalidate();
  };
  return html`<div class="toolbar">
    <vscode-textfield id="db-filter" class="grow" placeholder=${l10n.t('Filter by name')} .value=${ui.dbFilter}
      @input=${(e: Event) => set(() => ((ui.dbFilter = inputValue(e)), resetScroll('databases-scroll')))}>
      <vscode-icon slot="content-before" name="filter"></vscode-icon>
    </vscode-textfield>
    <vscode-single-select id="db-state" .value=${ui.dbState} aria-label=${l10n.t('State')}
      @change=${(e: Event) => set(() => ((ui.dbState = inputValue(e) || 'any'), resetScroll('databases-scroll')))}>
      <vscode-option value="any">${l10n.t('Any state')}</vscode-option>
      ${states.map((st) => html`<vscode-option value=${st}>${st}</vscode-option>`)}
    </vscode-single-select>
    <vscode-single-select id="db-result" .value=${ui.dbResult} aria-label=${l10n.t('Assessment')}
      @change=${(e: Event) => set(() => ((ui.dbResult = (inputValue(e) || 'any') as ResultFilter), resetScroll('databases-scroll')))}>
      <vscode-option value="any">${l10n.t('Any assessment')}</vscode-option>
      <vscode-option value="ready">${l10n.t('Ready')}</vscode-option>
      <vscode-option value="issues">${l10n.t('With issues')}</vscode-option>
      <vscode-option value="blocked">${l10n.t('Blocked')}</vscode-option>
      <vscode-option value="none">${l10n.t('Not assessed')}</vscode-option>
    </vscode-single-select>
  </div>
  <div class="toolbar">
    ${isFiltering()
      ? html`<vscode-button secondary id="select-shown" ?disabled=${!shown.length} @click=${() => send({ type: 'source.toggle', names: shownNames, selected: true })}>${l10n.t('Select the {0} Shown', count(shown.length))}</vscode-button>
          <vscode-button secondary id="unselect-shown" ?disabled=${!shownNames.some((n) => selected.has(n))} @click=${() => send({ type: 'source.toggle', names: shownNames, selected: false })}>${l10n.t('Clear the {0} Shown', count(shown.length))}</vscode-button>
          <vscode-button secondary id="clear-filter" @click=${() => set(() => ((ui.dbFilter = ''), (ui.dbState = 'any'), (ui.dbResult = 'any')))}>${l10n.t('Show All')}</vscode-button>`
      : html`<vscode-button secondary id="select-all" @click=${() => send({ type: 'source.selectAll', which: 'all' })}>${l10n.t('Select All')}</vscode-button>
          <vscode-button secondary id="select-ready" ?disabled=${!src.assessment.results.some((r) => r.readiness === 'ready')} title=${l10n.t('Every database the assessment found ready')}
            @click=${() => send({ type: 'source.selectAll', which: 'ready' })}>${l10n.t('Select All Ready')}</vscode-button>
          <vscode-button secondary id="select-none" ?disabled=${!src.selected.length} @click=${() => send({ type: 'source.selectAll', which: 'none' })}>${l10n.t('Select None')}</vscode-button>`}
  </div>
  ${src.selectionNote ? html`<p class="note" id="selection-note" role="status"><vscode-icon name="info"></vscode-icon><span>${src.selectionNote}</span></p>` : nothing}`;
}

function databasesCard(s: WizardState): TemplateResult {
  const src = s.source;
  const results = resultsByName(src.assessment.results);
  const selected = selectedSet(src.selected);
  const shown = filtered(src.databases, src.assessment.results, ui.dbFilter, ui.dbState, ui.dbResult);
  const selectable = shown.filter((d) => results.get(d.name)?.readiness !== 'blocked');
  const allSelected = selectable.length > 0 && selectable.every((d) => selected.has(d.name));
  const mode = s.backups.mode;
  const list = {
    id: 'databases-scroll',
    items: shown,
    rowHeight: ROW_HEIGHT,
    height: TABLE_HEIGHT,
    columns: 6,
    key: (d: Database) => d.name,
    row: (d: Database) => {
      const a = results.get(d.name);
      const on = selected.has(d.name);
      const stale = Boolean(a?.mode && a.mode !== mode);
      return guard([d, a, on, stale], () => {
        const isBlocked = a?.readiness === 'blocked';
        return html`<tr data-database=${d.name} class=${isBlocked ? 'blocked' : ''}>
          <td><vscode-checkbox aria-label=${d.name} ?checked=${on} ?disabled=${isBlocked}
            title=${isBlocked ? l10n.t('Blocked: fix what the assessment reports, then assess again') : ''}
            @change=${(e: Event) => send({ type: 'source.toggle', names: [d.name], selected: isChecked(e) })}></vscode-checkbox></td>
          <td class="name" title=${d.name}>${d.name}</td>
          <td class="num">${d.sizeMb !== undefined ? `${d.sizeMb.toLocaleString()} MB` : ''}</td>
          <td>${d.recoveryModel ?? ''}</td>
          <td>${d.state ?? ''}</td>
          <td>${readinessCell(a, stale)}</td>
        </tr>`;
      });
    },
  };
  const caption = isFiltering()
    ? l10n.t('{0} of {1} databases selected ({2} shown)', count(src.selected.length), count(src.databases.length), count(shown.length))
    : l10n.t('{0} of {1} databases selected', count(src.selected.length), count(src.databases.length));
  return html`<div class="card" id="databases-card">
    ${filterBar(s, shown)}
    ${virtualScroller(list, html`<table class="list virtual" id="databases">
      <caption>${caption}</caption>
      <thead><tr>
        <th><vscode-checkbox aria-label=${isFiltering() ? l10n.t('Select the databases shown') : l10n.t('Select all')} ?checked=${allSelected} ?disabled=${!selectable.length}
          @change=${(e: Event) => {
            if (isFiltering()) send({ type: 'source.toggle', names: selectable.map((d) => d.name), selected: isChecked(e) });
            else send({ type: 'source.selectAll', which: isChecked(e) ? 'all' : 'none' });
          }}></vscode-checkbox></th>
        <th>${l10n.t('Database')}</th><th class="num">${l10n.t('Size')}</th><th>${l10n.t('Recovery model')}</th><th>${l10n.t('State')}</th><th>${l10n.t('Assessment')}</th>
      </tr></thead>
      ${virtualBody(list)}
    </table>`)}
    ${shown.length ? nothing : html`<p class="muted">${l10n.t('No database matches the filter.')}</p>`}
  </div>`;
}

/** Names in people's order (App2 before App10). One collator: localeCompare with options builds one per call, ~100x slower over a thousand names. */
const byNumericName = new Intl.Collator(undefined, { numeric: true }).compare;

/** Findings of the databases the filter shows, by name; a page at a time. */
const findingsOf = memo((databases: readonly Database[], results: readonly Result[]) => {
  const byName = resultsByName(results);
  return databases.flatMap((d) => {
    const r = byName.get(d.name);
    return r && (r.readiness !== 'ready' || r.warnings.length) ? [r] : [];
  }).sort((a, b) => byNumericName(a.database, b.database));
});

function assessmentPanel(s: WizardState): TemplateResult {
  const src = s.source;
  const a = src.assessment;
  const running = a.op.status === 'busy';
  const assessedBefore = new Set(a.databases);
  const scope = new Set([...src.selected, ...a.databases]).size;
  const tally = { ready: 0, issues: 0, blocked: 0 };
  for (const r of a.results) tally[r.readiness]++;
  const notAssessed = src.databases.length - a.results.length;
  const shown = filtered(src.databases, a.results, ui.dbFilter, ui.dbState, ui.dbResult);
  const findings = findingsOf(shown, a.results);
  const page = findings.slice(0, ui.findingsShown);
  const pick = (f: ResultFilter) => () => {
    ui.dbResult = f;
    resetScroll('databases-scroll');
    invalidate();
  };
  return html`<div class="card" id="assessment">
    <h3>${l10n.t('Assessment for Azure SQL Managed Instance')}</h3>
    <p class="help">${l10n.t('Checks the databases against the Managed Instance rules and the prerequisites of an {0} migration. Blocked databases cannot be selected; every verdict is kept until an assessment gives another.', s.backups.mode === 'online' ? l10n.t('online') : l10n.t('offline'))}</p>
    <div class="row">
      <vscode-button id="assess" ?disabled=${running || scope === 0 || isBusy(src)} @click=${() => send({ type: 'source.assess' })}
        title=${l10n.t('The selected databases and every one assessed before')}>
        ${a.results.length ? l10n.t('Assess Again ({0})', count(scope)) : l10n.t('Assess Selected ({0})', count(scope))}
      </vscode-button>
      <vscode-button secondary id="assess-all" ?disabled=${running || isBusy(src)} @click=${() => send({ type: 'source.assess', scope: 'all' })}>${l10n.t('Assess All {0}', count(src.databases.length))}</vscode-button>
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
    ${a.results.length
      ? html`<p class="tally" id="tally">
          <button class="link" @click=${pick('ready')}>${l10n.t('{0} ready', count(tally.ready))}</button> ·
          <button class="link" @click=${pick('issues')}>${l10n.t('{0} with issues', count(tally.issues))}</button> ·
          <button class="link" @click=${pick('blocked')}>${l10n.t('{0} blocked', count(tally.blocked))}</button>
          ${notAssessed > 0 ? html` · <button class="link" @click=${pick('none')}>${l10n.t('{0} not assessed', count(notAssessed))}</button>` : nothing}
          ${[...src.selected].some((n) => !assessedBefore.has(n)) ? html` <span class="muted">${l10n.t('(some selected databases are not assessed yet)')}</span>` : nothing}
        </p>`
      : nothing}
    ${a.instanceFindings.length ? html`<details><summary>${l10n.t('Server-wide findings ({0})', a.instanceFindings.length)}</summary><ul>${a.instanceFindings.map((f) => html`<li>${f}</li>`)}</ul></details>` : nothing}
    ${page.map((r) => guard([r], () => html`<details class="findings" data-database=${r.database} ?open=${r.readiness === 'blocked' && findings.length <= 10}>
      <summary>${r.database}: ${r.readiness === 'blocked' ? l10n.t('blocked') : r.readiness === 'issues' ? l10n.t('issues to fix') : l10n.t('warnings')}</summary>
      ${r.blockers.length ? html`<ul class="problems">${r.blockers.map((b) => html`<li>${b}</li>`)}</ul>` : nothing}
      ${r.issues.length ? html`<ul class="issues-list">${r.issues.map((b) => html`<li>${b}</li>`)}</ul>` : nothing}
      ${r.warnings.length ? html`<ul class="warnings">${r.warnings.map((b) => html`<li>${b}</li>`)}</ul>` : nothing}
    </details>`))}
    ${findings.length > page.length
      ? html`<div class="row"><vscode-button secondary id="more-findings" @click=${() => ((ui.findingsShown += FINDINGS_PAGE), invalidate())}>
          ${l10n.t('Show {0} More ({1} not shown)', Math.min(FINDINGS_PAGE, findings.length - page.length), count(findings.length - page.length))}</vscode-button></div>`
      : nothing}
  </div>`;
}

export const sourceView: StepView = { title: () => l10n.t('Source SQL Server'), render };
