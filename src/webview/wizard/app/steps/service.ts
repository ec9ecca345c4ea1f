/** Step 5, the Database Migration Service and, for a network share, its integration runtime. */
import * as l10n from '@vscode/l10n';
import { html, nothing, type TemplateResult } from 'lit';
import type { WizardState } from '../../../../protocol/wizard';
import { send } from '../vscodeApi';
import { field, inputValue, isBusy, opLine, picker, unavailable, type StepView } from '../widgets';

function render(s: WizardState): TemplateResult {
  const service = s.service;
  const off = !s.capabilities.migrationServices.available;
  const chosen = service.services.find((x) => x.id === service.serviceId);
  return html`
    <p class="lead">${l10n.t('Azure Database Migration Service runs the migrations. For a network share, its self-hosted integration runtime reads the backups.')}</p>
    ${unavailable(s, 'migrationServices')}
    <div class="form">
      ${field('service', l10n.t('Database Migration Service'), picker({
        id: 'service', chosen: service.serviceId, items: service.services, disabled: off || isBusy(service),
        choose: l10n.t('Choose a service'), none: l10n.t('No services listed'),
        label: (x) => `${x.name} · ${x.location} · ${x.resourceGroup}`,
        onPick: (id) => send({ type: 'service.select', id }),
      }))}
    </div>
    <details class="create" ?open=${!off && service.services.length === 0}>
      <summary>${l10n.t('Create a new service')}</summary>
      <div class="form">
        ${field('new-name', l10n.t('Name'), html`<vscode-textfield id="new-name" .value=${service.newName} ?disabled=${off} @change=${(e: Event) => send({ type: 'service.update', patch: { newName: inputValue(e).trim() } })}></vscode-textfield>`)}
        ${field('new-rg', l10n.t('Resource group'), html`<vscode-textfield id="new-rg" .value=${service.newResourceGroup} ?disabled=${off} @change=${(e: Event) => send({ type: 'service.update', patch: { newResourceGroup: inputValue(e).trim() } })}></vscode-textfield>`)}
        ${field('new-location', l10n.t('Region'), html`<vscode-textfield id="new-location" .value=${service.newLocation} placeholder="westeurope" ?disabled=${off} @change=${(e: Event) => send({ type: 'service.update', patch: { newLocation: inputValue(e).trim() } })}></vscode-textfield>`)}
      </div>
      <vscode-button secondary ?disabled=${off || isBusy(service)} @click=${() => send({ type: 'service.create' })}>${l10n.t('Create Service')}</vscode-button>
    </details>
    ${opLine(service.op)}
    ${chosen
      ? html`<div class="card">
          <h3>${l10n.t('Integration runtime')}</h3>
          <p>${l10n.t('State: {0}', chosen.integrationRuntimeState ?? l10n.t('unknown'))}</p>
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
          ${service.nodes.length
            ? html`<table class="list compact"><thead><tr><th>${l10n.t('Node')}</th><th class="num">${l10n.t('CPU')}</th><th class="num">${l10n.t('Free memory')}</th><th class="num">${l10n.t('Jobs')}</th></tr></thead>
                <tbody>${service.nodes.map((n) => html`<tr><td>${n.nodeName}</td><td class="num">${n.cpuUtilization ?? ''}${n.cpuUtilization !== undefined ? ' %' : ''}</td>
                  <td class="num">${n.availableMemoryInMB !== undefined ? `${n.availableMemoryInMB} MB` : ''}</td><td class="num">${n.concurrentJobsRunning ?? ''} / ${n.maxConcurrentJobs ?? ''}</td></tr>`)}</tbody></table>`
            : html`<p class="muted">${l10n.t('No runtime node is registered.')}</p>`}
          <div class="row"><vscode-button secondary ?disabled=${isBusy(service)} @click=${() => send({ type: 'service.test' })}>${l10n.t('Test Connections')}</vscode-button></div>
          ${service.test
            ? html`<ul class="tests">${service.test.checks.map((c) => html`<li class=${c.ok ? 'ok' : 'bad'}><vscode-icon name=${c.ok ? 'pass-filled' : 'error'}></vscode-icon>${c.name}${c.message ? `: ${c.message}` : ''}</li>`)}</ul>`
            : nothing}
        </div>`
      : nothing}`;
}

export const serviceView: StepView = { title: () => l10n.t('Migration service'), render };
