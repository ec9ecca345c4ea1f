/**
 * The source step's two ways to find the server besides typing it: the MSSQL extension's saved
 * connections (a pick fills the fields; its saved password only on request, through the MSSQL
 * extension, which asks the user) and "Discover servers" on the hosts and ranges typed here
 * (progress, Cancel, a confirmation for large ranges, the instances found to pick from).
 */
import * as l10n from '@vscode/l10n';
import { html, nothing, type TemplateResult } from 'lit';
import type { WizardState } from '../../../../protocol/wizard';
import { send } from '../vscodeApi';
import { count, field, inputValue, isBusy, opLine } from '../widgets';

type Saved = NonNullable<WizardState['source']['saved']>;
type Discovery = NonNullable<WizardState['source']['discovery']>;
type Found = Discovery['servers'][number];

const valueOf = (id: string) => (document.getElementById(id) as unknown as { value?: string } | null)?.value ?? '';

export function savedConnections(s: WizardState): TemplateResult | typeof nothing {
  const saved: Saved | undefined = s.source.saved;
  if (!saved) return nothing;
  if (!saved.available) return html`<p class="note" id="saved-unavailable"><vscode-icon name="info"></vscode-icon><span>${saved.reason ?? ''}</span></p>`;
  const chosen = saved.connections.find((c) => c.id === saved.chosen);
  // Only a SQL login's password is saved by the MSSQL extension (Windows integrated sign-in has none).
  const canAskPassword = chosen && s.source.authentication === 'SqlAuthentication' && !s.source.passwordEntered;
  return html`<div class="card" id="saved-card">
    <h3>${l10n.t('Saved connections (MSSQL extension)')}</h3>
    ${saved.connections.length
      ? html`<div class="row">
          <vscode-single-select id="saved" class="grow" .value=${saved.chosen ?? ''} aria-label=${l10n.t('Saved connection')} ?disabled=${isBusy(s.source)}
            @change=${(e: Event) => inputValue(e) && send({ type: 'source.useSaved', id: inputValue(e) })}>
            <vscode-option value="">${l10n.t('Choose a saved connection ({0})', count(saved.connections.length))}</vscode-option>
            ${saved.connections.map((c) => html`<vscode-option value=${c.id} description=${[c.group, c.connection.server, c.connection.userName].filter(Boolean).join(' · ')}>${c.label}</vscode-option>`)}
          </vscode-single-select>
          <vscode-button secondary id="saved-refresh" title=${l10n.t('List the saved connections again')} @click=${() => send({ type: 'source.refreshSaved' })}>${l10n.t('Refresh')}</vscode-button>
        </div>`
      : html`<p class="muted" id="saved-none">${l10n.t('The MSSQL extension has no saved connections.')}
          <button class="link" @click=${() => send({ type: 'source.refreshSaved' })}>${l10n.t('Refresh')}</button></p>`}
    ${saved.offered && chosen ? html`<p class="note" id="saved-offered"><vscode-icon name="arrow-right"></vscode-icon><span>${l10n.t('{0}, from the MSSQL extension\'s Object Explorer.', chosen.label)}</span></p>` : nothing}
    ${chosen?.caveat ? html`<p class="note warn" id="saved-caveat"><vscode-icon name="warning"></vscode-icon><span>${l10n.t('This connection was {0}.', chosen.caveat)}</span></p>` : nothing}
    ${canAskPassword
      ? html`<div class="row"><vscode-button secondary id="saved-password" ?disabled=${isBusy(s.source)} @click=${() => send({ type: 'source.savedPassword' })}>${l10n.t('Use the Saved Password')}</vscode-button>
          <span class="muted">${l10n.t('The MSSQL extension asks you first; the password stays in memory.')}</span></div>`
      : nothing}
  </div>`;
}

function foundRow(d: Found, current: string): TemplateResult {
  const inUse = d.address.toLowerCase() === current.trim().toLowerCase();
  const version = [d.productName, d.version].filter(Boolean).join(' ');
  return html`<tr data-address=${d.address} class=${inUse ? 'chosen' : ''}>
    <td class="name" title=${d.address}>${d.address}</td>
    <td>${d.serverName ?? ''}${d.instance ? html` <span class="muted">${d.instance}</span>` : nothing}</td>
    <td>${version}</td>
    <td>${d.clustered ? l10n.t('Clustered') : ''}</td>
    <td>${d.tds ? '' : html`<span class="warn" title=${d.note ?? ''}>${l10n.t('not confirmed')}</span>`}${d.tds && d.note ? html`<span class="muted">${d.note}</span>` : nothing}</td>
    <td>${inUse
      ? html`<span class="ok"><vscode-icon name="pass-filled"></vscode-icon>${l10n.t('In use')}</span>`
      : html`<vscode-button secondary class="use-server" @click=${() => send({ type: 'source.update', patch: { server: d.address } })}>${l10n.t('Use')}</vscode-button>`}</td>
  </tr>`;
}

export function discoverServers(s: WizardState): TemplateResult | typeof nothing {
  const d: Discovery | undefined = s.source.discovery;
  if (!d) return nothing;
  if (!d.available) return html`<p class="note" id="discover-unavailable"><vscode-icon name="info"></vscode-icon><span>${d.reason ?? ''}</span></p>`;
  const running = d.op.status === 'busy';
  const start = (confirmed: boolean) => {
    const port = Number(valueOf('discover-browser-port'));
    send({
      type: 'source.discover',
      targets: valueOf('discover-targets'),
      ports: valueOf('discover-ports'),
      ...(Number.isInteger(port) && port >= 1 && port <= 65535 && { browserPort: port }),
      ...(confirmed && { confirmed: true }),
    });
  };
  return html`<details class="card" id="discover-card" ?open=${running || d.servers.length > 0 || d.confirm !== undefined || d.op.status === 'error'}>
    <summary><strong>${l10n.t('Discover servers')}</strong> <span class="muted">${l10n.t('SQL Server instances on the hosts and ranges you name (nothing else is contacted, no login is made)')}</span></summary>
    <div class="form">
      ${field('discover-targets', l10n.t('Hosts and ranges'), html`<vscode-textfield id="discover-targets" placeholder="sql01 sql02 10.0.4.0/24" .value=${d.targets} ?disabled=${running}
        @keydown=${(e: KeyboardEvent) => e.key === 'Enter' && !running && start(false)}></vscode-textfield>`, l10n.t('Host names, addresses, CIDR ranges (10.0.4.0/24) or address ranges (10.0.4.10-40), separated by spaces or commas.'), true)}
      ${field('discover-ports', l10n.t('TCP ports'), html`<vscode-textfield id="discover-ports" placeholder="1433" .value=${d.ports} ?disabled=${running}></vscode-textfield>`, l10n.t('Probed on every host, besides the ports SQL Server Browser lists.'))}
      ${field('discover-browser-port', l10n.t('SQL Server Browser port (UDP)'), html`<vscode-textfield id="discover-browser-port" type="number" placeholder="1434" ?disabled=${running}></vscode-textfield>`)}
    </div>
    <div class="row">
      <vscode-button id="discover" ?disabled=${running} @click=${() => start(false)}>${l10n.t('Discover')}</vscode-button>
      ${running ? html`<vscode-button secondary id="cancel-discovery" @click=${() => send({ type: 'source.cancelDiscovery' })}>${l10n.t('Cancel')}</vscode-button>` : nothing}
    </div>
    ${running && d.progress !== undefined ? html`<progress class="assessment-progress" max="1" .value=${d.progress} aria-label=${l10n.t('Discovery progress')}></progress>` : nothing}
    ${d.confirm !== undefined
      ? html`<div class="banner" role="alert" id="discover-confirm"><vscode-icon name="warning"></vscode-icon><div>
          <p>${l10n.t('These targets stand for {0} hosts. Probe them all, or name smaller ranges.', count(d.confirm))}</p>
          <vscode-button id="discover-confirmed" @click=${() => start(true)}>${l10n.t('Probe All {0} Hosts', count(d.confirm))}</vscode-button></div></div>`
      : nothing}
    ${opLine(d.op)}
    ${d.servers.length
      ? html`<table class="list" id="discovered">
          <thead><tr><th>${l10n.t('Server')}</th><th>${l10n.t('Machine and instance')}</th><th>${l10n.t('Version')}</th><th></th><th></th><th></th></tr></thead>
          <tbody>${d.servers.map((x) => foundRow(x, s.source.server))}</tbody>
        </table>`
      : nothing}
    ${d.problems.length ? html`<details id="discover-problems"><summary>${l10n.t('Answers that could not be read ({0})', d.problems.length)}</summary><ul>${d.problems.map((p) => html`<li>${p}</li>`)}</ul></details>` : nothing}
  </details>`;
}
